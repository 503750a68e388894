#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "errors.h"
#include "interstage/session.h"
#include "memory_mode_binding.h"
#include "module_parts.h"
#include "session_options_from_python.h"
#include "stats_convert.h"
#include "tensor_convert.h"

namespace interstage::python {
namespace {

namespace py = pybind11;

class PythonSession {
public:
    PythonSession(std::string path, const py::handle& memoryMode, std::string backend, int threads,
                  std::vector<std::string> keep, const py::handle& maxMemory, const py::handle& inputShapes,
                  bool allowOtherDims, bool gpuFp16)
        : path_(std::move(path)), mode_(memoryModeFrom(memoryMode)) {
        if (threads < 0)
            raiseStatus(invalidArgument("threads must be 0 (every core) or more, not " + std::to_string(threads)));
        SessionOptions options;
        LoadOptions load;
        mode_.applyTo(options);
        options.backend = std::move(backend);
        options.threads = threads;
        options.keep = std::move(keep);
        options.inputShapes = inputShapesFrom(inputShapes);
        options.shapeOptions.allowOtherDims = allowOtherDims;
        options.gpuFp16 = gpuFp16;
        applyMaxMemory(maxMemory, options, load);
        Status status;
        {
            // Reading the file and preparing kernels take a while: other
            // Python threads go on meanwhile.
            py::gil_scoped_release released;
            auto model = loadModel(path_, load);
            if (!model.ok()) {
                status = model.status();
            } else {
                auto created = Session::create(model.take(), options);
                if (created.ok())
                    session_ = created.take();
                else
                    status = created.status();
            }
        }
        check(status);
    }

    // Runs once with the given inputs (the others get the engine's default
    // input); the outputs by name.
    py::dict run(const py::handle& inputs) {
        std::map<std::string, TensorData> given;
        if (!inputs.is_none()) {
            if (!py::isinstance<py::dict>(inputs))
                raiseStatus(invalidArgument("run() takes a dict {input name: array}, not " +
                                            std::string(py::str(py::type::of(inputs).attr("__name__")))));
            for (const auto& [key, value] : py::reinterpret_borrow<py::dict>(inputs)) {
                if (!py::isinstance<py::str>(key)) raiseStatus(invalidArgument("run(): input names must be strings"));
                const std::string name = key.cast<std::string>();
                given.emplace(name, tensorFromArray(name, value));
            }
        }
        std::vector<std::pair<std::string, TensorData>> outputs;
        Status status;
        {
            py::gil_scoped_release released;
            std::lock_guard<std::mutex> lock(mutex_);
            RunStats stats;
            status = session_->run(given, &stats);
            if (status.isOk()) {
                last_ = std::move(stats);
                ran_ = true;
                // Copied out of the plan's buffers, which the next run reuses.
                for (const std::string& name : session_->outputNames()) {
                    auto value = session_->output(name);
                    if (!value.ok()) {
                        status = value.status();
                        break;
                    }
                    outputs.emplace_back(name, value.take());
                }
            }
        }
        check(status);
        py::dict result;
        for (auto& [name, tensor] : outputs) result[py::str(name)] = arrayFromTensor(name, std::move(tensor));
        return result;
    }

    // Any tensor after a run (an intermediate the mode kept, a pinned one,
    // an output); DataRemovedError when the mode released it.
    py::array blob(const std::string& name) {
        Result<TensorData> value = Status(StatusCode::Internal, "unset");
        {
            py::gil_scoped_release released;
            std::lock_guard<std::mutex> lock(mutex_);
            value = session_->blob(name);
        }
        return arrayFromTensor(name, take(std::move(value), name));
    }

    py::dict stats() {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!ran_) raiseStatus(Status(StatusCode::NotFound, "no statistics yet: nothing has run (call run() first)"));
        return runStatsToPython(last_, session_->executedGraph());
    }

    py::dict plan() {
        std::lock_guard<std::mutex> lock(mutex_);
        return planToPython(*session_);
    }

    py::list inputs() {
        // A run with other input shapes re-prepares the executed graph.
        std::lock_guard<std::mutex> lock(mutex_);
        py::list list;
        // The file's inputs, with the shapes the session prepared for
        // (resolved in the graph it executes).
        const Graph& graph = session_->graph();
        const Graph& executed = session_->executedGraph();
        for (ValueId id : graph.runtimeInputs()) {
            const Value& v = graph.value(id);
            const ValueId prepared = executed.find(v.name);
            py::dict d;
            d["name"] = v.name;
            d["dtype"] = dataTypeName(v.dtype);
            d["shape"] = prepared != kNoValue ? py::object(py::tuple(py::cast(executed.value(prepared).shape)))
                                              : py::object(py::none());
            list.append(d);
        }
        return list;
    }

    std::vector<std::string> outputNames() const { return session_->outputNames(); }
    int threads() const { return session_->threads(); }
    const std::string& backend() const { return session_->options().backend; }
    bool gpuFp16() const { return session_->options().gpuFp16; }
    const PythonMemoryMode& memoryMode() const { return mode_; }
    const std::string& path() const { return path_; }

    std::string repr() const {
        return "Session('" + path_ + "', memory_mode=" + mode_.repr() + ", backend='" + backend() +
               "', threads=" + std::to_string(threads()) + (gpuFp16() ? ", gpu_fp16=True" : "") + ")";
    }

private:
    std::string path_;
    PythonMemoryMode mode_;
    std::unique_ptr<Session> session_;
    // One call into the engine at a time: the GIL is released during runs.
    // run() and blob() take it with the GIL released; the others wait for
    // it holding the GIL, which cannot deadlock: no holder of the lock
    // ever waits for the GIL.
    std::mutex mutex_;
    RunStats last_;
    bool ran_ = false;
};

}  // namespace

void bindSession(py::module_& module) {
    py::class_<PythonSession>(module, "Session",
                              "One model with one configuration (memory mode, backend, threads, input shapes),\n"
                              "run any number of times. Errors are interstage.Error subclasses with the\n"
                              "engine's one-line message.")
        .def(py::init<std::string, py::handle, std::string, int, std::vector<std::string>, py::handle, py::handle, bool,
                      bool>(),
             py::arg("path"), py::arg("memory_mode") = py::none(), py::arg("backend") = "cpu", py::arg("threads") = 0,
             py::arg("keep") = std::vector<std::string>(), py::arg("max_memory") = py::none(),
             py::arg("input_shapes") = py::none(), py::arg("allow_other_dims") = false, py::arg("gpu_fp16") = false,
             "memory_mode: get_memory_mode(...) or a mode name ('reduce'); backend: 'cpu' or 'vulkan:N';\n"
             "threads: 0 for every core; keep: tensors readable after a run in every mode; max_memory:\n"
             "None (what the machine can give), 'none', bytes or '200M'; input_shapes: {name: dims} for\n"
             "dynamic dims; allow_other_dims: run at dims other than static ones the file declares;\n"
             "gpu_fp16: on a Vulkan backend, float32 tensors and weights stored as float16 on the device\n"
             "(computed in float32), as the CLI's --gpu-fp16.")
        .def("run", &PythonSession::run, py::arg("inputs") = py::none(),
             "Runs once: {input name: array} -> {output name: array}. Inputs not given get the engine's\n"
             "default input. The GIL is released while the engine runs. Each input is copied once into\n"
             "the engine; each output array owns the engine's copy out of the plan's buffers (no copy\n"
             "after that).")
        .def("blob", &PythonSession::blob, py::arg("name"),
             "Any tensor after a run; DataRemovedError when the memory mode released it.")
        .def("stats", &PythonSession::stats, "The last run's statistics (a dict; columns as numpy arrays).")
        .def("plan", &PythonSession::plan, "The plan: lower bounds, planned peaks, every tensor's placement.")
        .def_property_readonly("inputs", &PythonSession::inputs, "[{name, dtype, shape}] of the inputs a run feeds.")
        .def_property_readonly("output_names", &PythonSession::outputNames)
        .def_property_readonly("threads", &PythonSession::threads, "The resolved thread count.")
        .def_property_readonly("backend", &PythonSession::backend)
        .def_property_readonly("gpu_fp16", &PythonSession::gpuFp16)
        .def_property_readonly("memory_mode", &PythonSession::memoryMode)
        .def_property_readonly("path", &PythonSession::path)
        .def("__repr__", &PythonSession::repr);
}

}  // namespace interstage::python
