// The memory budget a session runs under, and where it came from: set by
// the caller, none, or (by default) what the machine can give. A plan whose
// peak exceeds it is refused before anything is allocated.
#pragma once

#include <cstddef>
#include <string>

namespace interstage {

struct MemoryBudget {
    std::size_t bytes = 0;  // 0: no budget
    // Where it came from, for people: "set with --max-memory",
    // "none (--max-memory none)", "host: 21.7 GiB available (MemAvailable)
    // less a 1.1 GiB margin", "device: ...".
    std::string source;
    bool automatic = false;  // derived from the machine, not set by the caller
};

// The host memory available to new allocations: /proc/meminfo's
// MemAvailable, or INTERSTAGE_AVAILABLE_MEMORY when set (bytes, or a number
// with K/M/G/KiB/MiB/GiB: lets tests simulate a small machine); 0 when
// neither can be read.
std::size_t hostAvailableBytes();

// The default host budget: hostAvailableBytes() less a margin for the rest
// of the process and the system (5 %, at least 256 MiB or a quarter of a
// small machine); no budget (bytes 0,
// said so) when the available memory cannot be read.
MemoryBudget automaticHostBudget();

// The budget of SessionOptions' two fields: maxMemoryBytes when set (the
// caller's), else the automatic host budget, or none when automatic is
// off. What a session resolves when it is created; front ends call it to
// show the budget before they run.
MemoryBudget resolveMemoryBudget(std::size_t maxMemoryBytes, bool automatic);

// "20.6 GiB (host: 21.7 GiB available (MemAvailable) less a 1.1 GiB
// margin)", "none (switched off)": one line for people.
std::string describeMemoryBudget(const MemoryBudget& budget);

}  // namespace interstage
