#include "model/input_dims.h"

#include <algorithm>
#include <cctype>

namespace interstage {
namespace {

std::string lowered(const std::string& text) {
    std::string out = text;
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

// Names exporters give the batch dim (PyTorch's dynamic_axes, tf2onnx's
// unk__ are not batch-specific and stay out).
bool namesABatch(const std::string& symbol) {
    const std::string s = lowered(symbol);
    return s.find("batch") != std::string::npos || s == "n" || s == "b" || s == "bs";
}

}  // namespace

std::map<std::string, int64_t> symbolSizes(const Graph& graph, const InputShapes& given, const ShapeOptions& options) {
    std::map<std::string, int64_t> sizes;
    // The user's own sizes win; the first input that binds a symbol sets it
    // (a conflict between two given inputs is the shape rules' to report).
    for (ValueId id : graph.runtimeInputs()) {
        const Value& v = graph.value(id);
        auto it = given.find(v.name);
        if (it == given.end() || !v.hasDeclaredShape || it->second.size() != v.declaredShape.size()) continue;
        for (size_t i = 0; i < v.declaredShape.size(); ++i) {
            const Dim& d = v.declaredShape[i];
            if (!d.isStatic() && !d.param.empty()) sizes.emplace(d.param, it->second[i]);
        }
    }
    for (ValueId id : graph.runtimeInputs()) {
        const Value& v = graph.value(id);
        if (!v.hasDeclaredShape) continue;
        for (size_t i = 0; i < v.declaredShape.size(); ++i) {
            const Dim& d = v.declaredShape[i];
            if (d.isStatic() || d.param.empty() || sizes.count(d.param)) continue;
            bool batch = namesABatch(d.param);
            // A symbol that leads any input is a batch wherever else it sits.
            for (ValueId other : graph.runtimeInputs()) {
                const Value& o = graph.value(other);
                batch =
                    batch || (o.hasDeclaredShape && !o.declaredShape.empty() && o.declaredShape[0].param == d.param);
            }
            sizes[d.param] = batch ? options.defaultBatch : options.defaultDim;
        }
    }
    return sizes;
}

}  // namespace interstage
