// Session(...)'s keyword arguments read into the engine's options, each
// bad one an interstage.InvalidArgumentError naming the argument.
#pragma once

#include <pybind11/pybind11.h>

#include "interstage/model.h"
#include "interstage/session_options.h"

namespace interstage::python {

// max_memory: None (the automatic budget), "none" (the guard off), a
// byte count, or a size such as "200M" or "1.5G".
void applyMaxMemory(const pybind11::handle& value, SessionOptions& options, LoadOptions& load);

// input_shapes: {name: dims}, dims a sequence of ints or "1x3x320x320".
InputShapes inputShapesFrom(const pybind11::handle& value);

}  // namespace interstage::python
