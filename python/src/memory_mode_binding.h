// interstage.MemoryMode and interstage.get_memory_mode: the SDK's four
// flags (or the arena), plus the switches of the planning modes'
// optimizations, which the engine keeps in SessionOptions.
#pragma once

#include <pybind11/pybind11.h>

#include <string>

#include "interstage/memory.h"
#include "interstage/session_options.h"

namespace interstage::python {

struct PythonMemoryMode {
    MemoryMode mode;
    bool fusion = true;
    bool inPlaceConcat = true;
    bool inPlaceOps = true;
    bool blockedLayout = true;
    bool memoryAwareOrder = true;

    // Sets the mode and its switches in the session's options.
    void applyTo(SessionOptions& options) const;
    // "MemoryMode('reduce+reduce-constant+ignore-input-initializer',
    // sdk_flags='T,T,T,F')", and the switches turned off.
    std::string repr() const;
};

// A memory_mode argument: a MemoryMode, or a name the CLI's --mode reads
// ("reduce", "arena+reduce-constant"); None is the default mode.
PythonMemoryMode memoryModeFrom(const pybind11::handle& value);

void bindMemoryMode(pybind11::module_& module);

}  // namespace interstage::python
