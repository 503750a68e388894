// The Vulkan kernel interface, mirroring cpu::Kernel: a kernel is made once
// per node after shapes are resolved (prepare: check attributes and dtypes,
// compute push constants and any constant tables) and then records its
// dispatches into the executor's command buffer on every run, on buffers
// the executor hands it (buffer + offset): kernels never allocate.
//
// prepare() returning Unsupported is not an error: the executor runs that
// node with the CPU kernel instead (and counts the transfers it costs).
#pragma once

#include <vulkan/vulkan.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cpu/kernel.h"
#include "cpu/ops/tensor/view_plans.h"
#include "interstage/graph.h"
#include "interstage/status.h"
#include "vulkan/fp16_storage.h"

namespace interstage::vulkan {

// A tensor's place on the device: a range of a VkBuffer.
struct Binding {
    VkBuffer buffer = VK_NULL_HANDLE;
    VkDeviceSize offset = 0;
    VkDeviceSize bytes = 0;
};

// What record() is given: inputs and outputs in node order (omitted
// optional ones have buffer == VK_NULL_HANDLE) and the kernel's own
// constant tables (constantData(), in order).
struct KernelBindings {
    std::vector<Binding> inputs;
    std::vector<Binding> outputs;
    std::vector<Binding> constants;
};

// What a kernel may record. The executor puts a barrier between nodes;
// dispatches of one node must not depend on each other.
class Recorder {
public:
    virtual ~Recorder() = default;
    // Runs shaders/<shader>.comp over `invocations` (64 per workgroup,
    // split over x and y) with the bindings as set 0, bindings 0..n-1, and
    // `push` as its push constants (at most kPushConstantBytes). With fp16
    // storage the shader's _fp16 variant runs.
    Status dispatch(std::string_view shader, std::span<const Binding> bindings, const void* push, std::size_t pushBytes,
                    uint64_t invocations) {
        return dispatchSpecialized(shader, {}, bindings, push, pushBytes, invocations);
    }
    // The same with the shader's specialization constants: constant_id i
    // takes constants[i] (32-bit each). Each distinct set of values is a
    // pipeline of its own, built once, so the driver compiles the shader
    // with them as literals: what depends on them folds away.
    virtual Status dispatchSpecialized(std::string_view shader, std::span<const int32_t> constants,
                                       std::span<const Binding> bindings, const void* push, std::size_t pushBytes,
                                       uint64_t invocations) = 0;
    virtual Status copy(const Binding& source, const Binding& target, VkDeviceSize bytes) = 0;
};

class VulkanKernel {
public:
    virtual ~VulkanKernel() = default;
    // Set by the executor before prepare(): float32 tensors are float16 on
    // the device (Recorder::dispatch then runs the shaders' _fp16
    // variants). Kernels that move raw bytes size them with it.
    void setFp16Storage(bool on) { fp16Storage_ = on; }
    bool fp16Storage() const { return fp16Storage_; }
    // The unit the word-moving shaders (slice, transpose, concat) move:
    // their WORD_T, 4 bytes, or 2 with fp16 storage.
    std::size_t storageWordBytes() const { return fp16Storage_ ? 2 : 4; }
    std::size_t deviceElementBytes(DataType type) const { return vulkan::deviceElementBytes(type, fp16Storage_); }
    virtual Status prepare(const cpu::PrepareContext& context) = 0;
    // Constant tables the kernel needs on the device (uploaded with the
    // weights, accounted as weights).
    virtual std::vector<std::vector<uint32_t>> constantData() const { return {}; }
    // True where the tables are float32 values (packed weights) that fp16
    // storage should halve like the graph's weights; false for index and
    // parameter tables, uploaded as they are.
    virtual bool constantsAreFloat() const { return false; }
    // Inputs the kernel reads on the device. Others (shape tensors, Resize
    // scales) need not be there.
    virtual bool readsInput(size_t i) const { return true; }
    virtual Status record(Recorder& recorder, const KernelBindings& bindings) = 0;

private:
    bool fp16Storage_ = false;
};

// From this many input values per output, the *_wide shaders
// (reduce_wide, global_pool_wide, softmax_wide) give each output a
// workgroup of 64 and a tree in shared memory (workgroup_reduce.glsl)
// instead of one invocation.
inline constexpr uint32_t kWideOutputValues = 256;

// The shaders' activate() parameters: code is an ACT_* of shaders/op_codes.h.
struct ActivationParams {
    uint32_t code = 0;
    float alpha = 0;
    float beta = 0;
};
// The node's _fused_activation attributes as shader parameters.
ActivationParams fusedActivationParams(const Node& node);

// Unsupported unless every listed input / output that is present is float32.
Status requireFloat(const cpu::PrepareContext& context, std::initializer_list<size_t> inputs);

// A strided view as a walk over words of `wordBytes` (the shaders'
// WORD_T: 4 bytes, 2 with fp16 storage; wider elements move as several
// words), with dims merged where memory allows. The shaders that gather
// through views (slice, transpose) take these dims and strides as push
// constants.
struct WordWalk {
    static constexpr size_t kMaxDims = 12;  // what fits the push constants
    std::vector<int64_t> dims;              // outermost first; empty: a single word run
    std::vector<int64_t> strides;           // in words, may be negative
    int64_t offset = 0;                     // in words
    int64_t words = 0;                      // the output's size in words
    int64_t wordBytes = 4;
    // The view reads one contiguous run starting at offset: a buffer copy.
    bool contiguous() const { return dims.empty() || (dims.size() == 1 && strides[0] == 1); }
};
// Unsupported for elements other than 1, 2 or 4 words of at most 8 bytes
// (the device's element size), for more than kMaxDims merged dims and for
// outputs beyond 2^32 words.
Status wordWalk(const cpu::PrepareContext& context, const cpu::tensor::StridedView& view, std::size_t elementBytes,
                std::size_t wordBytes, WordWalk& walk);

using VulkanKernelFactory = std::unique_ptr<VulkanKernel> (*)();
// The op's Vulkan kernel, from the op table (ops/op_table.h); nullptr when
// the op has no shader (the node then runs on the CPU).
VulkanKernelFactory findVulkanKernel(const std::string& opType);
std::vector<std::string> vulkanSupportedOps();

// The kernels the files of kernels/ give the op table, one per kernel class.
namespace kernels {
extern const VulkanKernelFactory batchNorm, convTranspose, binary, unary, softmax, conv, pool, globalPool, gemm, reduce,
    slice, copy, concat, resize, transpose;
}  // namespace kernels

}  // namespace interstage::vulkan
