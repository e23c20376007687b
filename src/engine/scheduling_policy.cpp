#include "engine/scheduling_policy.h"

#include "core/error.h"

namespace hy {

SchedulingPolicy parse_scheduling_policy(const std::string& name) {
    if (name == "fcfs") return SchedulingPolicy::FCFS;
    if (name == "priority") return SchedulingPolicy::PRIORITY;
    throw Error("--scheduling-policy: expected fcfs or priority, got '" + name + "'");
}

const char* scheduling_policy_name(SchedulingPolicy p) {
    return p == SchedulingPolicy::PRIORITY ? "priority" : "fcfs";
}

}  // namespace hy
