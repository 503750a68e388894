// The parts of the _interstage module, each bound in its own file.
#pragma once

#include <pybind11/pybind11.h>

namespace interstage::python {

// interstage.Session (session_binding.cpp).
void bindSession(pybind11::module_& module);
// interstage.seed_table(), seed_source(), seed_method_note().
void bindSeedTable(pybind11::module_& module);

}  // namespace interstage::python
