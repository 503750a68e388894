// _interstage: the compiled part of the Python package `interstage`
// (python/interstage/__init__.py re-exports it).
#include <pybind11/pybind11.h>

#include "errors.h"
#include "interstage/format.h"
#include "interstage/memory.h"
#include "memory_mode_binding.h"
#include "module_parts.h"

namespace py = pybind11;

PYBIND11_MODULE(_interstage, module) {
    module.doc() = "Interstage's engine: sessions, memory modes, run statistics and plans.";
    interstage::python::registerErrors(module);
    interstage::python::bindMemoryMode(module);
    interstage::python::bindSession(module);
    interstage::python::bindSeedTable(module);
    // The names of the statistics' category codes (events["category"]).
    py::list categories;
    for (int c = 0; c < interstage::kMemoryCategoryCount; ++c)
        categories.append(interstage::memoryCategoryName(static_cast<interstage::MemoryCategory>(c)));
    module.attr("MEMORY_CATEGORIES") = py::tuple(categories);
    module.def("format_bytes", &interstage::formatBytes, py::arg("bytes"),
               "A byte count as the CLI and the app write it ('37.5 MiB').");
    module.attr("__version__") = INTERSTAGE_VERSION;
}
