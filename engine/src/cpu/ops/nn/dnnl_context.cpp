#include "cpu/ops/nn/dnnl_context.h"

#include <algorithm>
#include <functional>
#include <unordered_map>

namespace interstage::cpu::nn {

using dnnl::memory;

dnnl::engine& dnnlEngine() {
    static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    return engine;
}

dnnl::stream& dnnlStream() {
    thread_local dnnl::stream stream(dnnlEngine());
    return stream;
}

memory::desc plainDesc(const DnnlDims& dims, memory::data_type type) {
    DnnlDims strides(dims.size(), 1);
    for (size_t i = dims.size(); i-- > 1;) strides[i - 1] = strides[i] * std::max<memory::dim>(dims[i], 1);
    return memory::desc(dims, type, strides);
}

memory::data_type dnnlDataType(DataType type) {
    switch (type) {
        case DataType::Float16:
            return memory::data_type::f16;
        case DataType::BFloat16:
            return memory::data_type::bf16;
        default:
            return memory::data_type::f32;
    }
}

memory::desc activationDesc(const DnnlDims& dims, int channelBlock) {
    if (channelBlock == 16 && dims.size() == 4)
        return memory::desc(dims, memory::data_type::f32, memory::format_tag::nChw16c);
    if (channelBlock == 8 && dims.size() == 4)
        return memory::desc(dims, memory::data_type::f32, memory::format_tag::nChw8c);
    return plainDesc(dims);
}

int preferredChannelBlock() {
    // ISAs are feature masks: a level is there when all its bits are.
    const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
    auto has = [isa](dnnl_cpu_isa_t level) { return (isa & unsigned(level)) == unsigned(level); };
    if (has(dnnl_cpu_isa_avx512_core)) return 16;
    if (has(dnnl_cpu_isa_avx2)) return 8;
    return 0;
}

memory::desc anyDesc(const DnnlDims& dims, memory::data_type type) {
    return memory::desc(dims, type, memory::format_tag::any);
}

memory::desc stridedDesc(const DnnlDims& dims, const DnnlDims& strides, memory::data_type type) {
    return memory::desc(dims, type, strides);
}

bool appendActivation(dnnl::post_ops& ops, const Activation& activation) {
    using dnnl::algorithm;
    switch (activation.kind) {
        case Activation::Kind::None:
            return true;
        case Activation::Kind::Relu:
            ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
            return true;
        case Activation::Kind::LeakyRelu:
            ops.append_eltwise(1.f, algorithm::eltwise_relu, activation.alpha, 0.f);
            return true;
        case Activation::Kind::Clip:
            ops.append_eltwise(1.f, algorithm::eltwise_clip, activation.alpha, activation.beta);
            return true;
        case Activation::Kind::Sigmoid:
            ops.append_eltwise(1.f, algorithm::eltwise_logistic, 0.f, 0.f);
            return true;
        case Activation::Kind::HardSwish:
            ops.append_eltwise(1.f, algorithm::eltwise_hardswish, 0.f, 0.f);
            return true;
        case Activation::Kind::HardSigmoid:
            // oneDNN 2.6 has no hardsigmoid: alpha * x + beta, then clip to [0, 1].
            ops.append_eltwise(1.f, algorithm::eltwise_linear, activation.alpha, activation.beta);
            ops.append_eltwise(1.f, algorithm::eltwise_clip, 0.f, 1.f);
            return true;
        case Activation::Kind::GeluErf:
            ops.append_eltwise(1.f, algorithm::eltwise_gelu_erf, 0.f, 0.f);
            return true;
        case Activation::Kind::GeluTanh:
            ops.append_eltwise(1.f, algorithm::eltwise_gelu_tanh, 0.f, 0.f);
            return true;
    }
    return false;
}

dnnl::primitive_attr makeAttributes(const dnnl::post_ops& ops) {
    dnnl::primitive_attr attributes;
    attributes.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (ops.len() > 0) attributes.set_post_ops(ops);
    return attributes;
}

Status dnnlFailure(const PrepareContext& context, const char* what, const std::exception& error) {
    return context.unsupportedHere(std::string(what) + ": oneDNN: " + error.what());
}

Status dnnlRunFailure(const char* what, const std::exception& error) {
    return Status(StatusCode::Internal, std::string(what) + ": oneDNN: " + error.what());
}

std::size_t WorkspacePlan::reserve(std::size_t bytes) {
    if (bytes == 0) return 0;
    std::size_t offset = total_;
    total_ += (bytes + 63) / 64 * 64;
    return offset;
}

// ---------------------------------------------------------------- DnnlStep

void DnnlStep::setPrimitive(const dnnl::primitive_desc& pd, dnnl::primitive primitive) {
    primitive_ = std::move(primitive);
    memory::desc scratch = pd.scratchpad_desc();
    scratchpadBytes_ = std::max(scratchpadBytes_, scratch.get_size());
    if (scratch.get_size() > 0) scratchpad_ = memory(scratch, dnnlEngine(), DNNL_MEMORY_NONE);
}

void DnnlStep::makeReorder(Argument& a, const memory& from, const memory& to) {
    dnnl::primitive_attr attributes;
    attributes.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::reorder::primitive_desc pd(from, to, attributes);
    memory::desc scratch = pd.scratchpad_desc();
    scratchpadBytes_ = std::max(scratchpadBytes_, scratch.get_size());
    if (scratch.get_size() > 0) a.reorderScratchpad = memory(scratch, dnnlEngine(), DNNL_MEMORY_NONE);
    a.reorder = dnnl::reorder(pd);
}

void DnnlStep::runReorder(Argument& a, const memory& from, const memory& to, void* scratch) {
    std::unordered_map<int, memory> args{{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    if (a.reorderScratchpad) {
        a.reorderScratchpad.set_data_handle(scratch);
        args[DNNL_ARG_SCRATCHPAD] = a.reorderScratchpad;
    }
    a.reorder.execute(dnnlStream(), args);
}

void DnnlStep::addInput(int arg, std::size_t inputIndex, const memory::desc& plain, const memory::desc& wanted,
                        WorkspacePlan& plan) {
    addTensor(Argument::Source::Input, arg, inputIndex, plain, wanted, plan);
}

void DnnlStep::addOutput(int arg, std::size_t outputIndex, const memory::desc& plain, const memory::desc& wanted,
                         WorkspacePlan& plan) {
    addTensor(Argument::Source::Output, arg, outputIndex, plain, wanted, plan);
}

// A run-time tensor bound by pointer; when the primitive wants another
// layout, a reorder through the workspace goes before (inputs) or after
// (outputs) it.
void DnnlStep::addTensor(Argument::Source source, int arg, std::size_t index, const memory::desc& plain,
                         const memory::desc& wanted, WorkspacePlan& plan) {
    Argument a;
    a.source = source;
    a.arg = arg;
    a.index = index;
    a.user = memory(plain, dnnlEngine(), DNNL_MEMORY_NONE);
    if (plain == wanted) {
        a.primitiveSide = a.user;
    } else {
        a.reordered = true;
        a.primitiveSide = memory(wanted, dnnlEngine(), DNNL_MEMORY_NONE);
        a.workspaceOffset = plan.reserve(wanted.get_size());
        if (source == Argument::Source::Input)
            makeReorder(a, a.user, a.primitiveSide);
        else
            makeReorder(a, a.primitiveSide, a.user);
    }
    arguments_.push_back(std::move(a));
}

std::size_t DnnlStep::addConstant(int arg, const void* data, const memory::desc& plain, const memory::desc& wanted) {
    Argument a;
    a.source = Argument::Source::Constant;
    a.arg = arg;
    // The library allocates the packed copy (64-byte aligned) and owns it.
    a.primitiveSide = memory(wanted, dnnlEngine());
    memory source(plain, dnnlEngine(), const_cast<void*>(data));
    dnnl::reorder(source, a.primitiveSide).execute(dnnlStream(), source, a.primitiveSide);
    dnnlStream().wait();
    arguments_.push_back(std::move(a));
    return wanted.get_size();
}

void DnnlStep::addWorkspaceArgument(int arg, const memory::desc& desc, std::size_t offset) {
    Argument a;
    a.source = Argument::Source::Workspace;
    a.arg = arg;
    a.workspaceOffset = offset;
    a.primitiveSide = memory(desc, dnnlEngine(), DNNL_MEMORY_NONE);
    arguments_.push_back(std::move(a));
}

void DnnlStep::finish(WorkspacePlan& plan) { scratchpadOffset_ = plan.reserve(scratchpadBytes_); }

Status DnnlStep::run(RunContext& context) {
    try {
        dnnl::stream& stream = dnnlStream();
        void* scratch = scratchpadBytes_ > 0 ? workspaceAt(context.workspace, scratchpadOffset_) : nullptr;
        std::unordered_map<int, memory> args;
        // Bind this run's buffers, reorder inputs that need it.
        for (Argument& a : arguments_) {
            if (a.source == Argument::Source::Input || a.source == Argument::Source::Output) {
                const TensorView& view =
                    a.source == Argument::Source::Input ? context.inputs[a.index] : context.outputs[a.index];
                a.user.set_data_handle(view.data);
                if (a.reordered) a.primitiveSide.set_data_handle(workspaceAt(context.workspace, a.workspaceOffset));
            } else if (a.source == Argument::Source::Workspace) {
                a.primitiveSide.set_data_handle(workspaceAt(context.workspace, a.workspaceOffset));
            }
            if (a.source == Argument::Source::Input && a.reordered) runReorder(a, a.user, a.primitiveSide, scratch);
            args[a.arg] = a.primitiveSide;
        }
        if (scratchpad_) {
            scratchpad_.set_data_handle(scratch);
            args[DNNL_ARG_SCRATCHPAD] = scratchpad_;
        }
        primitive_.execute(stream, args);
        for (Argument& a : arguments_) {
            if (a.source != Argument::Source::Output || !a.reordered) continue;
            runReorder(a, a.primitiveSide, a.user, scratch);
        }
        stream.wait();
    } catch (const std::exception& error) {
        return dnnlRunFailure("primitive execution failed", error);
    }
    return Status::ok();
}

}  // namespace interstage::cpu::nn

namespace interstage::cpu::nn {

dnnl::matmul::primitive_desc matmulIn(memory::data_type type,
                                      const std::function<dnnl::matmul::desc(memory::data_type)>& describe,
                                      const dnnl::primitive_attr& attributes, bool& native) {
    native = false;
    if (type != memory::data_type::f32) {
        try {
            dnnl::matmul::primitive_desc pd(describe(type), attributes, dnnlEngine());
            // A reference kernel is correct but far slower than widening.
            if (std::string(pd.impl_info_str()).find("ref") == std::string::npos) {
                native = true;
                return pd;
            }
        } catch (const dnnl::error&) {
            // no kernel in this type on this CPU: widen
        }
    }
    return dnnl::matmul::primitive_desc(describe(memory::data_type::f32), attributes, dnnlEngine());
}

}  // namespace interstage::cpu::nn
