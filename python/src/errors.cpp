#include "errors.h"

#include <array>
#include <vector>

namespace interstage::python {
namespace {

namespace py = pybind11;

constexpr int kCodeCount = static_cast<int>(StatusCode::DeviceLost) + 1;

// The exception type of each StatusCode (Ok's slot holds the base class).
// Module-lifetime handles: the types live as long as the module does.
std::array<PyObject*, kCodeCount>& exceptionTypes() {
    static std::array<PyObject*, kCodeCount> types{};
    return types;
}

struct ErrorClass {
    StatusCode code;
    const char* name;
    const char* doc;
};

const std::vector<ErrorClass>& errorClasses() {
    static const std::vector<ErrorClass> classes = {
        {StatusCode::InvalidArgument, "InvalidArgumentError", "An argument the engine cannot use."},
        {StatusCode::NotFound, "NotFoundError", "A file or a named tensor does not exist."},
        {StatusCode::IoError, "IoError", "Reading or writing a file failed."},
        {StatusCode::InvalidModel, "InvalidModelError", "The ONNX file is malformed or inconsistent."},
        {StatusCode::Unsupported, "UnsupportedError", "Valid ONNX the engine cannot run."},
        {StatusCode::ShapeError, "ShapeError", "Shapes cannot be resolved or do not fit together."},
        {StatusCode::DataRemoved, "DataRemovedError",
         "A tensor's data was released by the memory mode or removed by fusion; the message says how to keep it."},
        {StatusCode::OutOfMemory, "OutOfMemoryError", "An allocation failed or the memory budget would be exceeded."},
        {StatusCode::Cancelled, "CancelledError", "The work was stopped."},
        {StatusCode::Internal, "InternalError", "A bug in the engine."},
        {StatusCode::DeviceLost, "DeviceLostError", "The GPU stopped answering; the session cannot run again."},
    };
    return classes;
}

// The engine names its ways out as concepts; these are the Python
// arguments that take them.
std::string withPythonArguments(const Status& status, const std::string& tensor) {
    std::vector<std::string> ways;
    if (status.offers(Remedy::PinTensor)) ways.push_back("Session(..., keep=['" + tensor + "'])");
    if (status.offers(Remedy::DefaultMode)) ways.push_back("memory_mode='default'");
    if (status.offers(Remedy::DisableFusion)) ways.push_back("get_memory_mode(..., fusion=False)");
    if (status.offers(Remedy::KeepFileWeights)) ways.push_back("reduce_constant=False");
    if (status.offers(Remedy::SetInputShape)) ways.push_back("input_shapes={NAME: DIMS}");
    if (status.offers(Remedy::AllowOtherDims)) ways.push_back("allow_other_dims=True");
    std::string message = status.message();
    if (ways.empty()) return message;
    std::string joined;
    for (const std::string& way : ways) joined += (joined.empty() ? "" : ", ") + way;
    return message + " (" + joined + ")";
}

}  // namespace

void registerErrors(py::module_& module) {
    auto& types = exceptionTypes();
    static py::exception<Status> base(module, "Error", PyExc_RuntimeError);
    base.doc() = "Any error the engine reports; .code names its kind (\"data removed\", ...).";
    types[0] = base.ptr();
    for (const ErrorClass& c : errorClasses()) {
        // A new type per class; the module's attribute keeps it alive.
        PyObject* type =
            PyErr_NewExceptionWithDoc((std::string("interstage.") + c.name).c_str(), c.doc, base.ptr(), nullptr);
        if (!type) throw py::error_already_set();
        module.add_object(c.name, py::handle(type));
        types[static_cast<int>(c.code)] = type;
    }
}

void raiseStatus(const Status& status, const std::string& tensor) {
    const int index = static_cast<int>(status.code());
    PyObject* type =
        index > 0 && index < kCodeCount && exceptionTypes()[index] ? exceptionTypes()[index] : exceptionTypes()[0];
    py::object error = py::reinterpret_borrow<py::object>(type)(withPythonArguments(status, tensor));
    error.attr("code") = statusCodeName(status.code());
    PyErr_SetObject(type, error.ptr());
    throw py::error_already_set();
}

}  // namespace interstage::python
