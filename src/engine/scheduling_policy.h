// vLLM's --scheduling-policy. FCFS orders requests by arrival alone; PRIORITY by (priority, arrival),
// a smaller `priority` first, and preempts the lowest-priority running request first (the API layer
// refuses a nonzero `priority` under FCFS, as vLLM does).
#pragma once

#include <string>

namespace hy {

enum class SchedulingPolicy { FCFS, PRIORITY };

SchedulingPolicy parse_scheduling_policy(const std::string& name);  // "fcfs" or "priority"; throws hy::Error
const char* scheduling_policy_name(SchedulingPolicy p);             // vLLM's spelling

}  // namespace hy
