// Runs a piece of third-party code that may crash on hostile input in a
// forked child process, so a crash there costs an answer, not the process.
// Used for ONNX's shape inference, whose per-op functions trust their node
// (libonnx 1.12 reads out of bounds on a ConvInteger whose inputs have
// mismatched ranks, among others found by fuzz/fuzz_load_plan.cpp).
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace interstage {

// Calls work() in a child process and returns the bytes it produced, or
// nothing when the child crashed, failed, or ran past timeoutMs (it is
// then killed). The child shares the parent's memory as it was at the
// fork (copy on write) and ends with _exit: no destructors, no atexit
// handlers, no stdio flush. Call only with code that takes no lock another
// thread of the parent might hold (allocation is fine: glibc resets its
// locks in the child).
std::optional<std::string> runInCrashSandbox(const std::function<std::string()>& work, int timeoutMs);

}  // namespace interstage
