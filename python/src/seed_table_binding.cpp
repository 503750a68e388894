// interstage.seed_table(): the SDK tutorial's U^2-Net-P figures the
// project grows from, to print beside a Python run of the same presets.
#include <pybind11/stl.h>

#include "interstage/seed_table.h"
#include "module_parts.h"

namespace interstage::python {

namespace py = pybind11;

void bindSeedTable(py::module_& module) {
    module.def(
        "seed_table",
        []() {
            py::list rows;
            for (const SeedRow& row : seedTable()) {
                py::dict d;
                d["preset"] = row.preset;
                d["description"] = row.description;
                d["peak_mb"] = row.peakMB;
                d["cpu_ms"] = row.cpuMs;
                rows.append(d);
            }
            return rows;
        },
        "The tutorial's rows: [{preset, description, peak_mb, cpu_ms (its five CPU runs)}].");
    module.def("seed_source", &seedSource, "Where the tutorial's numbers come from.");
    module.def("seed_method_note", &seedMethodNote, "What the tutorial measured and how ours differs.");
}

}  // namespace interstage::python
