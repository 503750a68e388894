// numpy arrays to the engine's tensors and back.
#pragma once

#include <pybind11/numpy.h>

#include <string>

#include "interstage/tensor.h"

namespace interstage::python {

// A graph input from a numpy array (or anything numpy.asarray takes),
// keeping its dtype: the engine refuses a dtype other than the input's
// with a message naming both. One copy is made, into the engine's tensor
// (TensorData owns its bytes); an array that is not C-contiguous in
// native byte order is first made so (a second copy).
TensorData tensorFromArray(const std::string& name, const pybind11::handle& value);

// The tensor as a numpy array that owns the engine's buffer: no copy.
// bfloat16, which numpy has no type for, is widened to float32 (a copy).
pybind11::array arrayFromTensor(const std::string& name, TensorData&& tensor);

}  // namespace interstage::python
