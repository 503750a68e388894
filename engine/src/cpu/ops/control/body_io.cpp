#include "cpu/ops/control/body_io.h"

#include <cstring>

namespace interstage::cpu::control {

Status refuseStringOutputs(PrepareContext& context) {
    for (size_t i = 0; i < context.outputCount(); ++i)
        if (context.hasOutput(i) && context.output(i).dtype == DataType::String)
            return context.unsupportedHere("string outputs are not supported");
    return Status::ok();
}

Status noSubgraphHost() { return unsupported("no subgraph host was given to run the control-flow bodies"); }

int64_t scalarOf(const TensorView& view) {
    switch (view.dtype) {
        case DataType::Bool:
        case DataType::UInt8:
            return *view.as<const uint8_t>();
        case DataType::Int32:
            return *view.as<const int32_t>();
        default:
            return *view.as<const int64_t>();
    }
}

Status checkPlanned(const TensorView& got, const TensorView& planned, const std::string& what) {
    if (got.dtype == planned.dtype && got.shape == planned.shape) return Status::ok();
    return invalidArgument(what + " is " + dataTypeName(got.dtype) + " " + shapeToString(got.shape) +
                           " at run time, but was planned as " + dataTypeName(planned.dtype) + " " +
                           shapeToString(planned.shape) + ": shapes that change at run time are not supported here");
}

void copyOutputs(const std::vector<TensorView>& sources, const std::vector<TensorView>& targets) {
    auto overlapsTarget = [&](const TensorView& source, size_t self) {
        const auto* begin = static_cast<const std::byte*>(source.data);
        for (size_t t = 0; t < targets.size(); ++t) {
            if (t == self || !targets[t].data) continue;
            const auto* target = static_cast<const std::byte*>(targets[t].data);
            if (begin < target + targets[t].bytes() && target < begin + source.bytes()) return true;
        }
        return false;
    };
    std::vector<std::vector<std::byte>> staged(sources.size());
    for (size_t i = 0; i < sources.size(); ++i)
        if (targets[i].data && overlapsTarget(sources[i], i)) {
            const auto* from = static_cast<const std::byte*>(sources[i].data);
            staged[i].assign(from, from + sources[i].bytes());
        }
    for (size_t i = 0; i < sources.size(); ++i) {
        if (!targets[i].data || sources[i].data == targets[i].data || sources[i].bytes() == 0) continue;
        const void* from = staged[i].empty() ? sources[i].data : staged[i].data();
        std::memmove(targets[i].data, from, sources[i].bytes());
    }
}

AxisLayout axisLayout(const TensorView& view, int64_t axis) {
    AxisLayout layout;
    std::size_t inner = dataTypeSize(view.dtype);
    for (size_t d = 0; d < view.shape.size(); ++d) {
        const auto dim = static_cast<int64_t>(d);
        if (dim < axis)
            layout.outer *= view.shape[d];
        else if (dim == axis)
            layout.length = view.shape[d];
        else
            inner *= static_cast<std::size_t>(view.shape[d]);
    }
    layout.innerBytes = inner;
    return layout;
}

void readSlice(const TensorView& from, const AxisLayout& layout, int64_t position, void* to) {
    const auto* src = static_cast<const std::byte*>(from.data);
    auto* dst = static_cast<std::byte*>(to);
    for (int64_t o = 0; o < layout.outer; ++o)
        std::memcpy(dst + static_cast<std::size_t>(o) * layout.innerBytes,
                    src + static_cast<std::size_t>(o * layout.length + position) * layout.innerBytes,
                    layout.innerBytes);
}

void writeSlice(const void* from, const AxisLayout& layout, int64_t position, const TensorView& to) {
    const auto* src = static_cast<const std::byte*>(from);
    auto* dst = static_cast<std::byte*>(to.data);
    for (int64_t o = 0; o < layout.outer; ++o)
        std::memcpy(dst + static_cast<std::size_t>(o * layout.length + position) * layout.innerBytes,
                    src + static_cast<std::size_t>(o) * layout.innerBytes, layout.innerBytes);
}

}  // namespace interstage::cpu::control
