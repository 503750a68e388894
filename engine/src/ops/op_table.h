// The op table: every op the engine knows, per domain (the default ONNX
// domain, and "com.microsoft" for ONNX Runtime's contrib ops), registered once with its shape rule, its CPU kernel, its
// Vulkan kernel and its traits. The shape resolver, both backends and the passes read it; nothing else lists ops.
// Adding an op is its files plus one line in op_table.cpp (see ARCHITECTURE.md).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "cpu/kernel.h"
#include "interstage/graph.h"
#include "model/shape_rules.h"

namespace interstage::vulkan {
class VulkanKernel;
using VulkanKernelFactory = std::unique_ptr<VulkanKernel> (*)();
}  // namespace interstage::vulkan

namespace interstage::ops {

// What the passes and planners may assume about an op, instead of lists
// of op names of their own.
enum Trait : uint32_t {
    // The CPU kernel reads each element before writing it, so its output
    // may lie over an input of the same bytes that dies there
    // (plan/in_place.h).
    kOverwrite = 1u << 0,
    // One data input of the output's shape (others constant scalars),
    // applied per element: channel-blocked tensors pass through unchanged
    // (passes/blocked_layout.h).
    kBlockedUnary = 1u << 1,
    // Two operands of the output's shape, or one a constant scalar: every
    // element meets its partner wherever the channels sit.
    kBlockedBinary = 1u << 2,
    // An activation that can be fused into the op producing its input
    // (passes/fuse_layers.cpp; cpu/activation.h, the shaders' activate()).
    kActivation = 1u << 3,
    // Applies a fused activation to its output (Conv, Gemm, MatMul, Add...).
    kFusesActivation = 1u << 4,
    // A sequence or optional op: resolved into tensors before planning
    // (passes/lower_sequences.h), so no backend runs it.
    kResolvedBeforePlanning = 1u << 5,
};

struct OpEntry {
    const char* name;
    shapes::ShapeRule shape;             // null: ONNX's own inference resolves it
    cpu::KernelFactory cpu;              // null: no CPU kernel (the op is unsupported)
    vulkan::VulkanKernelFactory vulkan;  // null: on Vulkan the node runs on the CPU
    uint32_t traits;
};

// The contrib ops exporters of transformers emit (ONNX Runtime's
// docs/ContribOperators.md).
inline constexpr std::string_view kMicrosoftDomain = "com.microsoft";

// Every op of the default domain, sorted by name.
std::span<const OpEntry> allOps();
// Every op of another domain the engine knows ("com.microsoft"), sorted
// by name; empty for a domain it does not know.
std::span<const OpEntry> domainOps(std::string_view domain);
// The default domain's op of that name; nullptr when unknown.
const OpEntry* findOp(std::string_view opType);
// The op of that name in that domain ("" or "ai.onnx": the default one);
// nullptr when unknown.
const OpEntry* findOp(std::string_view domain, std::string_view opType);
// The node's op, in the node's domain; nullptr when unknown.
const OpEntry* findOp(const Node& node);
// Whether the node's op is known and has the trait.
bool hasTrait(const Node& node, Trait trait);

}  // namespace interstage::ops
