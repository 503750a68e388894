// What every oneDNN-backed kernel shares: one CPU engine, a stream per
// thread, plain descriptors for the engine's row-major tensors, fused
// activations as post-ops, and DnnlStep, which runs one primitive on the
// engine's buffers (reordering to and from the layouts the primitive
// prefers in the kernel's workspace, never allocating).
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <vector>

#include "cpu/activation.h"
#include "cpu/kernel.h"

namespace interstage::cpu::nn {

dnnl::engine& dnnlEngine();
// oneDNN streams are not meant to be shared between threads; CPU streams are
// cheap, so each thread that runs kernels gets its own.
dnnl::stream& dnnlStream();

using DnnlDims = dnnl::memory::dims;

// Row-major descriptor of the given dims (our tensors' layout), f32 unless
// told otherwise.
dnnl::memory::desc plainDesc(const DnnlDims& dims, dnnl::memory::data_type type = dnnl::memory::data_type::f32);
// Same dims, any layout the primitive likes best.
dnnl::memory::desc anyDesc(const DnnlDims& dims, dnnl::memory::data_type type = dnnl::memory::data_type::f32);
// f16 / bf16 for float16 / bfloat16, f32 for anything else.
dnnl::memory::data_type dnnlDataType(DataType type);
// A 4-D activation as the engine stores it: NCHW (channelBlock 0) or
// channels blocked innermost (16: nChw16c, 8: nChw8c; see Value::channelBlock).
dnnl::memory::desc activationDesc(const DnnlDims& dims, int channelBlock);
// The channel block oneDNN's fastest convolutions use on this CPU: 16 with
// AVX-512, 8 with AVX2, 0 (stay NCHW) otherwise.
int preferredChannelBlock();
// Arbitrary strides (transposed operands, ONNX weight orders).
dnnl::memory::desc stridedDesc(const DnnlDims& dims, const DnnlDims& strides,
                               dnnl::memory::data_type type = dnnl::memory::data_type::f32);

// A matmul computing in `type` (f16 / bf16) when oneDNN has a kernel other
// than its reference one for it on this CPU (native = true), otherwise in
// f32: the caller's DnnlStep then widens the half operands through
// reorders in the workspace. describe(type) gives the desc in a type.
dnnl::matmul::primitive_desc matmulIn(dnnl::memory::data_type type,
                                      const std::function<dnnl::matmul::desc(dnnl::memory::data_type)>& describe,
                                      const dnnl::primitive_attr& attributes, bool& native);

// Adds the node's fused activation as eltwise post-ops. Returns false when
// the activation has no oneDNN form.
bool appendActivation(dnnl::post_ops& ops, const Activation& activation);

// Primitive attributes every kernel uses: a user-mode scratchpad (so the
// engine accounts it as workspace) and the given post-ops.
dnnl::primitive_attr makeAttributes(const dnnl::post_ops& ops);

// "name: what oneDNN said" for prepare/run failures.
Status dnnlFailure(const PrepareContext& context, const char* what, const std::exception& error);
Status dnnlRunFailure(const char* what, const std::exception& error);

// Byte offsets into a kernel's workspace, each 64-byte aligned.
class WorkspacePlan {
public:
    std::size_t reserve(std::size_t bytes);
    std::size_t total() const { return total_; }

private:
    std::size_t total_ = 0;
};

inline void* workspaceAt(void* base, std::size_t offset) { return static_cast<std::byte*>(base) + offset; }

// One primitive and the arguments it reads and writes. Arguments come from
// the run's input / output views, from packed constants owned by the step,
// or from a region of the workspace the kernel fills itself. When the
// primitive wants another layout than the tensor's plain one, the step
// reorders through the workspace (inputs before, outputs after).
class DnnlStep {
public:
    // Call once, before adding arguments.
    void setPrimitive(const dnnl::primitive_desc& pd, dnnl::primitive primitive);

    // A run-time input (index into RunContext::inputs) with its plain
    // layout; wanted is the layout the primitive asks for.
    void addInput(int arg, std::size_t inputIndex, const dnnl::memory::desc& plain, const dnnl::memory::desc& wanted,
                  WorkspacePlan& plan);
    // A run-time output (index into RunContext::outputs), likewise.
    void addOutput(int arg, std::size_t outputIndex, const dnnl::memory::desc& plain, const dnnl::memory::desc& wanted,
                   WorkspacePlan& plan);
    // Weights known at prepare: reordered once into a buffer the step owns
    // (so the graph's copy may be released). Returns the packed bytes.
    std::size_t addConstant(int arg, const void* data, const dnnl::memory::desc& plain,
                            const dnnl::memory::desc& wanted);
    // A region of the workspace the kernel fills before run().
    void addWorkspaceArgument(int arg, const dnnl::memory::desc& desc, std::size_t offset);

    // Call after the arguments: reserves one scratchpad region, shared by
    // the primitive and the reorders since they run one after another.
    void finish(WorkspacePlan& plan);

    Status run(RunContext& context);

private:
    struct Argument {
        enum class Source { Input, Output, Constant, Workspace } source;
        int arg = 0;
        std::size_t index = 0;       // input / output index
        dnnl::memory user;           // the tensor as the engine holds it
        dnnl::memory primitiveSide;  // what the primitive sees (user itself when not reordered)
        bool reordered = false;
        std::size_t workspaceOffset = 0;  // of primitiveSide when reordered, or of a Workspace argument
        dnnl::reorder reorder;
        dnnl::memory reorderScratchpad;
    };

    void makeReorder(Argument& a, const dnnl::memory& from, const dnnl::memory& to);
    void addTensor(Argument::Source source, int arg, std::size_t index, const dnnl::memory::desc& plain,
                   const dnnl::memory::desc& wanted, WorkspacePlan& plan);
    void runReorder(Argument& a, const dnnl::memory& from, const dnnl::memory& to, void* scratch);

    dnnl::primitive primitive_;
    dnnl::memory scratchpad_;
    std::vector<Argument> arguments_;
    std::size_t scratchpadBytes_ = 0;  // the largest of the primitive's and the reorders'
    std::size_t scratchpadOffset_ = 0;
};

}  // namespace interstage::cpu::nn
