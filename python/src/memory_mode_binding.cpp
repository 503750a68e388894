#include "memory_mode_binding.h"

#include "errors.h"

namespace interstage::python {
namespace {

namespace py = pybind11;

PythonMemoryMode getMemoryMode(bool reduceConstant, bool ignoreInputWithInitializer, bool reduceInterstage,
                               bool reuseInterstage, bool arena, bool fusion, bool inPlaceConcat, bool inPlaceOps,
                               bool blockedLayout, bool memoryAwareOrder) {
    PythonMemoryMode m;
    if (arena && (reduceInterstage || reuseInterstage))
        raiseStatus(invalidArgument(
            "arena=True plans one slab of its own: reduce_interstage and reuse_interstage must both be False"));
    m.mode = memoryMode(reduceConstant, ignoreInputWithInitializer, reduceInterstage, reuseInterstage);
    if (arena) m.mode.planner = PlannerKind::Arena;
    m.fusion = fusion;
    m.inPlaceConcat = inPlaceConcat;
    m.inPlaceOps = inPlaceOps;
    m.blockedLayout = blockedLayout;
    m.memoryAwareOrder = memoryAwareOrder;
    return m;
}

// The planner's name: a mode without the constant flags is named by its
// planner alone ("reduce+reuse").
std::string plannerName(PlannerKind kind) {
    MemoryMode plannerOnly;
    plannerOnly.planner = kind;
    return plannerOnly.name();
}

}  // namespace

void PythonMemoryMode::applyTo(SessionOptions& options) const {
    options.mode = mode;
    options.fusion = fusion;
    options.inPlaceConcat = inPlaceConcat;
    options.inPlaceOps = inPlaceOps;
    options.blockedLayout = blockedLayout;
    options.memoryAwareOrder = memoryAwareOrder;
}

std::string PythonMemoryMode::repr() const {
    std::string text = "MemoryMode('" + mode.name() + "', sdk_flags='" + sdkFlags(mode) + "'";
    if (!fusion) text += ", fusion=False";
    if (!inPlaceConcat) text += ", in_place_concat=False";
    if (!inPlaceOps) text += ", in_place_ops=False";
    if (!blockedLayout) text += ", blocked_layout=False";
    if (!memoryAwareOrder) text += ", memory_aware_order=False";
    return text + ")";
}

PythonMemoryMode memoryModeFrom(const py::handle& value) {
    if (value.is_none()) return {};
    if (py::isinstance<PythonMemoryMode>(value)) return value.cast<PythonMemoryMode>();
    if (py::isinstance<py::str>(value)) {
        PythonMemoryMode m;
        m.mode = take(MemoryMode::parse(value.cast<std::string>()));
        return m;
    }
    raiseStatus(
        invalidArgument("memory_mode must be an interstage.MemoryMode (get_memory_mode(...)) or a mode name "
                        "such as 'reduce', not " +
                        py::str(py::type::of(value).attr("__name__")).cast<std::string>()));
}

void bindMemoryMode(py::module_& module) {
    py::class_<PythonMemoryMode>(module, "MemoryMode",
                                 "How a session's intermediate tensors get memory (get_memory_mode makes one).")
        .def_property_readonly(
            "name", [](const PythonMemoryMode& m) { return m.mode.name(); },
            "The CLI's --mode name of the planner and flags ('reduce+reduce-constant').")
        .def_property_readonly(
            "planner", [](const PythonMemoryMode& m) { return plannerName(m.mode.planner); },
            "'default', 'reduce', 'reuse', 'reduce+reuse' or 'arena'.")
        .def_property_readonly(
            "sdk_flags", [](const PythonMemoryMode& m) { return sdkFlags(m.mode); },
            "The SDK's four flags as its tutorial writes them ('T,T,T,F'); the arena 'T,T,arena'.")
        .def_property_readonly("reduce_constant", [](const PythonMemoryMode& m) { return m.mode.reduceConstant; })
        .def_property_readonly("ignore_input_with_initializer",
                               [](const PythonMemoryMode& m) { return m.mode.ignoreInputWithInitializer; })
        .def_property_readonly("reduce_interstage", [](const PythonMemoryMode& m) { return m.mode.reduceInterstage(); })
        .def_property_readonly("reuse_interstage", [](const PythonMemoryMode& m) { return m.mode.reuseInterstage(); })
        .def_property_readonly("arena", [](const PythonMemoryMode& m) { return m.mode.planner == PlannerKind::Arena; })
        .def_readonly("fusion", &PythonMemoryMode::fusion)
        .def_readonly("in_place_concat", &PythonMemoryMode::inPlaceConcat)
        .def_readonly("in_place_ops", &PythonMemoryMode::inPlaceOps)
        .def_readonly("blocked_layout", &PythonMemoryMode::blockedLayout)
        .def_readonly("memory_aware_order", &PythonMemoryMode::memoryAwareOrder)
        .def_property_readonly(
            "label", [](const PythonMemoryMode& m) { return modeLabel(m.mode); },
            "How tables name the mode: a preset as 'reduce (T,T,T,F)'.")
        .def("__repr__", &PythonMemoryMode::repr)
        .def("__eq__", [](const PythonMemoryMode& a, const PythonMemoryMode& b) { return a.repr() == b.repr(); })
        .def_static(
            "parse", [](const std::string& name) { return memoryModeFrom(py::str(name)); }, py::arg("name"),
            "A mode from the CLI's --mode name ('reduce', 'arena+reduce-constant').");

    module.def("get_memory_mode", &getMemoryMode, py::arg("reduce_constant"), py::arg("ignore_input_with_initializer"),
               py::arg("reduce_interstage"), py::arg("reuse_interstage"), py::kw_only(), py::arg("arena") = false,
               py::arg("fusion") = true, py::arg("in_place_concat") = true, py::arg("in_place_ops") = true,
               py::arg("blocked_layout") = true, py::arg("memory_aware_order") = true,
               "The SDK's get_memory_mode(reduce_constant, ignore_input_with_initializer, reduce_interstage,\n"
               "reuse_interstage); arena=True plans one slab instead (both interstage flags False). The other\n"
               "keywords switch off the planning modes' optimizations, as the CLI's --no-fusion,\n"
               "--no-in-place-concat, --no-in-place-ops, --no-blocked-layout and --file-order do.");
    module.def(
        "memory_presets",
        []() {
            py::dict presets;
            for (const MemoryPreset& preset : memoryPresets()) {
                PythonMemoryMode m;
                m.mode = preset.mode;
                presets[py::str(preset.name)] = m;
            }
            return presets;
        },
        "The presets compare runs, by short name ('default', 'reduce', ...), each with both constant flags on.");
}

}  // namespace interstage::python
