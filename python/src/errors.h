// Engine statuses as Python exceptions: interstage.Error and one subclass
// per StatusCode (DataRemovedError, InvalidModelError, ...), each carrying
// the engine's one-line message and its code's name.
#pragma once

#include <pybind11/pybind11.h>

#include <string>

#include "interstage/status.h"

namespace interstage::python {

// Adds interstage.Error and its subclasses to the module.
void registerErrors(pybind11::module_& module);

// Raises the exception of the status's code. The message is the engine's,
// with the Python argument for each way out it offers ("keep=['NAME']"
// where the CLI would say "--keep NAME"); `tensor` fills in NAME.
[[noreturn]] void raiseStatus(const Status& status, const std::string& tensor = "NAME");

inline void check(const Status& status, const std::string& tensor = "NAME") {
    if (!status.isOk()) raiseStatus(status, tensor);
}

template <class T>
T take(Result<T>&& result, const std::string& tensor = "NAME") {
    if (!result.ok()) raiseStatus(result.status(), tensor);
    return result.take();
}

}  // namespace interstage::python
