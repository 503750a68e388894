#include "session_options_from_python.h"

#include <pybind11/stl.h>

#include "errors.h"
#include "interstage/format.h"
#include "interstage/shape.h"

namespace interstage::python {
namespace {

namespace py = pybind11;

std::string typeName(const py::handle& value) { return py::str(py::type::of(value).attr("__name__")); }

}  // namespace

void applyMaxMemory(const py::handle& value, SessionOptions& options, LoadOptions& load) {
    std::size_t bytes = 0;
    bool automatic = true;
    if (value.is_none()) {
        // The automatic budget: what the machine can give.
    } else if (py::isinstance<py::str>(value) && value.cast<std::string>() == "none") {
        automatic = false;
    } else if (py::isinstance<py::str>(value)) {
        const std::string text = value.cast<std::string>();
        if (!parseByteSize(text, bytes))
            raiseStatus(
                invalidArgument("max_memory '" + text + "' must be a size such as '200M' or '1.5G', or 'none'"));
    } else if (py::isinstance<py::int_>(value) && !py::isinstance<py::bool_>(value)) {
        const long long count = value.cast<long long>();
        if (count <= 0)
            raiseStatus(invalidArgument("max_memory must be a positive number of bytes, not " + std::to_string(count)));
        bytes = static_cast<std::size_t>(count);
    } else {
        raiseStatus(invalidArgument("max_memory must be None, 'none', a byte count or a size such as '200M', not " +
                                    typeName(value)));
    }
    options.maxMemoryBytes = bytes;
    options.automaticBudget = automatic;
    load.maxMemoryBytes = bytes;
    load.automaticBudget = automatic;
}

InputShapes inputShapesFrom(const py::handle& value) {
    InputShapes shapes;
    if (value.is_none()) return shapes;
    if (!py::isinstance<py::dict>(value))
        raiseStatus(invalidArgument("input_shapes must be a dict {name: dims}, not " + typeName(value)));
    for (const auto& [key, dims] : py::reinterpret_borrow<py::dict>(value)) {
        if (!py::isinstance<py::str>(key))
            raiseStatus(invalidArgument("input_shapes: names must be strings, not " + typeName(key)));
        const std::string name = key.cast<std::string>();
        if (py::isinstance<py::str>(dims)) {
            shapes[name] = take(parseShape(dims.cast<std::string>()));
            continue;
        }
        try {
            shapes[name] = dims.cast<Shape>();
        } catch (const py::cast_error&) {
            raiseStatus(invalidArgument("input_shapes['" + name + "'] must be a sequence of ints or a string such as " +
                                        "'1x3x320x320', not " + typeName(dims)));
        }
        for (int64_t d : shapes[name])
            if (d < 0) raiseStatus(invalidArgument("input_shapes['" + name + "'] has a negative dim"));
    }
    return shapes;
}

}  // namespace interstage::python
