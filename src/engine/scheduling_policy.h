// vLLM's --scheduling-policy. FCFS orders requests by arrival alone; PRIORITY by (priority, arrival),
// a smaller `priority` first, and preempts the lowest-priority running request first (the API layer
// refuses a nonzero `priority` under FCFS, as vLLM does).
#pragma once

namespace hy {

enum class SchedulingPolicy { FCFS, PRIORITY };

}  // namespace hy
