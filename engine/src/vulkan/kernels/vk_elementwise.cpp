// Elementwise Vulkan kernels: broadcast binary arithmetic and Pow
// (binary.comp, binary_vec4.comp, binary_scalar_vec4.comp), activations
// and math functions (unary.comp) and Softmax / LogSoftmax (softmax.comp).
#include <array>
#include <cfloat>
#include <iterator>

#include "vulkan/shaders/op_codes.h"
#include "vulkan/vulkan_kernel.h"

namespace interstage::vulkan {

namespace {

constexpr int kMaxRank = 6;

class BinaryKernel : public VulkanKernel {
public:
    Status prepare(const cpu::PrepareContext& context) override {
        const std::string& op = context.node().opType;
        push_.op = op == "Add"   ? BINARY_ADD
                   : op == "Sub" ? BINARY_SUB
                   : op == "Mul" ? BINARY_MUL
                   : op == "Div" ? BINARY_DIV
                                 : BINARY_POW;
        if (context.inputCount() != 2 || !context.hasInput(0) || !context.hasInput(1))
            return context.invalidHere("needs two inputs");
        IS_RETURN_IF_ERROR(requireFloat(context, {0, 1}));
        const Shape& out = context.output(0).shape;
        if (out.size() > kMaxRank) return context.unsupportedHere("rank above 6");
        const auto a = fusedActivationParams(context.node());
        push_.act = a.code, push_.alpha = a.alpha, push_.beta = a.beta;
        push_.count = static_cast<uint32_t>(context.output(0).byteSize() / sizeof(float));
        const size_t pad = kMaxRank - out.size();
        for (int axis = 0; axis < kMaxRank; ++axis)
            push_.dims[axis] = axis < int(pad) ? 1 : static_cast<uint32_t>(out[axis - pad]);
        fillStrides(context.inputShape(0), push_.strideA);
        fillStrides(context.inputShape(1), push_.strideB);
        mergeAxes();
        // The last axis in whole vec4, each operand along it contiguous or
        // broadcast: binary_vec4 (four elements share one index decode).
        const uint32_t last = push_.dims[kMaxRank - 1];
        inFours_ = last % 4 == 0 && push_.strideA[kMaxRank - 1] <= 1 && push_.strideB[kMaxRank - 1] <= 1;
        chooseScalarConstant(context);
        return Status::ok();
    }

    bool readsInput(size_t i) const override { return scalarSide_ < 0 || static_cast<int>(i) != scalarSide_; }

    Status record(Recorder& recorder, const KernelBindings& b) override {
        if (scalarSide_ >= 0) {
            const Binding bindings[] = {b.inputs[scalarSide_ == 0 ? 1 : 0], b.outputs[0]};
            const int32_t constants[] = {static_cast<int32_t>(push_.op), static_cast<int32_t>(push_.act),
                                         static_cast<int32_t>(scalarPush_.valueFirst)};
            return recorder.dispatchSpecialized("binary_scalar_vec4", constants, bindings, &scalarPush_,
                                                sizeof(scalarPush_), scalarPush_.count);
        }
        if (inFours_) {
            // binary_vec4 reads each operand as floats and as vec4.
            auto push = push_;
            push.count /= 4;
            const Binding bindings[] = {b.inputs[0], b.inputs[1], b.outputs[0], b.inputs[0], b.inputs[1]};
            return recorder.dispatchSpecialized("binary_vec4", specialization(), bindings, &push, sizeof(push),
                                                push.count);
        }
        const Binding bindings[] = {b.inputs[0], b.inputs[1], b.outputs[0]};
        return recorder.dispatchSpecialized("binary", specialization(), bindings, &push_, sizeof(push_), push_.count);
    }

private:
    // binary_op.glsl's OP and ACT.
    std::array<int32_t, 2> specialization() const {
        return {static_cast<int32_t>(push_.op), static_cast<int32_t>(push_.act)};
    }

    // Merges each axis into the next one where both operands step through
    // them as one (both contiguous across the pair, or both broadcast), so
    // a residual Add is one axis of `count` and a per-channel Mul two; the
    // shaders skip the axes of 1 this leaves, and decode fewer indices.
    void mergeAxes() {
        struct Axis {
            uint32_t dim, a, b;
        };
        std::vector<Axis> kept;  // outermost first; axes of 1 dropped
        for (int axis = 0; axis < kMaxRank; ++axis) {
            const Axis here{push_.dims[axis], push_.strideA[axis], push_.strideB[axis]};
            if (here.dim == 1) continue;
            if (!kept.empty()) {
                Axis& outer = kept.back();
                const auto joins = [&](uint32_t outerStride, uint32_t stride) {
                    return outerStride == stride * here.dim;  // both 0 included
                };
                if (joins(outer.a, here.a) && joins(outer.b, here.b)) {
                    outer = Axis{outer.dim * here.dim, here.a, here.b};
                    continue;
                }
            }
            kept.push_back(here);
        }
        const size_t pad = kMaxRank - kept.size();
        for (size_t axis = 0; axis < kMaxRank; ++axis) {
            const Axis axisNow = axis < pad ? Axis{1, 0, 0} : kept[axis - pad];
            push_.dims[axis] = axisNow.dim, push_.strideA[axis] = axisNow.a, push_.strideB[axis] = axisNow.b;
        }
    }

    // One operand a constant of one value, the other the output's shape, in
    // whole vec4: binary_scalar_vec4 takes the value as a push constant (as
    // the device would store it: rounded to float16 with fp16 storage).
    void chooseScalarConstant(const cpu::PrepareContext& context) {
        scalarSide_ = -1;
        if (push_.count % 4 != 0) return;
        const Shape& out = context.output(0).shape;
        for (int side = 1; side >= 0; --side) {
            const TensorData* constant = context.inputConstant(static_cast<size_t>(side));
            if (!constant || constant->dtype != DataType::Float || constant->elementCount() != 1 ||
                context.inputShape(static_cast<size_t>(1 - side)) != out)
                continue;
            float value = constant->data<float>()[0];
            std::byte device[sizeof(float)];
            hostToDevice(DataType::Float, fp16Storage(), reinterpret_cast<const std::byte*>(&value), sizeof value,
                         device);
            deviceToHost(DataType::Float, fp16Storage(), device, reinterpret_cast<std::byte*>(&value), sizeof value);
            scalarPush_ = {push_.count / 4, push_.op, push_.act, push_.alpha, push_.beta, value, side == 0 ? 1u : 0u};
            scalarSide_ = side;
            return;
        }
    }

    // Strides of an operand along the (padded) output axes; 0 where it broadcasts.
    void fillStrides(const Shape& shape, uint32_t* strides) const {
        uint32_t stride = 1;
        for (int axis = kMaxRank - 1; axis >= 0; --axis) {
            const int operandAxis = axis - (kMaxRank - static_cast<int>(shape.size()));
            const int64_t dim = operandAxis >= 0 ? shape[static_cast<size_t>(operandAxis)] : 1;
            strides[axis] = dim == 1 ? 0 : stride;
            stride *= static_cast<uint32_t>(dim);
        }
    }

    struct {
        uint32_t count = 0, op = 0, act = 0;
        float alpha = 0, beta = 0;
        uint32_t dims[kMaxRank]{}, strideA[kMaxRank]{}, strideB[kMaxRank]{};
    } push_;
    bool inFours_ = false;
    struct {
        uint32_t count = 0, op = 0, act = 0;
        float alpha = 0, beta = 0, value = 0;
        uint32_t valueFirst = 0;
    } scalarPush_;
    int scalarSide_ = -1;  // the input that is the constant, or -1
};

class UnaryKernel : public VulkanKernel {
public:
    Status prepare(const cpu::PrepareContext& context) override {
        const Node& node = context.node();
        const std::string& op = node.opType;
        IS_RETURN_IF_ERROR(requireFloat(context, {0}));
        push_.count = static_cast<uint32_t>(context.output(0).byteSize() / sizeof(float));
        if (op == "Relu")
            push_.act = ACT_RELU;
        else if (op == "Sigmoid")
            push_.act = ACT_SIGMOID;
        else if (op == "Tanh")
            push_.act = ACT_TANH;
        else if (op == "HardSwish")
            push_.act = ACT_HARD_SWISH;
        else if (op == "HardSigmoid") {
            push_.act = ACT_HARD_SIGMOID;
            push_.alpha = node.attrFloat("alpha", 0.2f);
            push_.beta = node.attrFloat("beta", 0.5f);
        } else if (op == "LeakyRelu") {
            push_.act = ACT_LEAKY_RELU;
            push_.alpha = node.attrFloat("alpha", 0.01f);
        } else if (op == "Clip") {
            push_.act = ACT_CLIP;
            push_.alpha = node.attrFloat("min", -FLT_MAX);
            push_.beta = node.attrFloat("max", FLT_MAX);
            // Opset 11+: min and max are inputs, which must be known now.
            for (size_t i : {size_t(1), size_t(2)}) {
                if (!context.hasInput(i)) continue;
                const TensorData* bound = context.inputConstant(i);
                if (!bound || bound->elementCount() != 1)
                    return context.unsupportedHere("Clip bounds that are not constant scalars");
                (i == 1 ? push_.alpha : push_.beta) = static_cast<float>(bound->doubleAt(0));
            }
        } else if (const uint32_t fn = mathFunctionCode(op)) {
            push_.math = fn;
        } else {
            return context.unsupportedHere("no unary shader for " + op);
        }
        return Status::ok();
    }

    bool readsInput(size_t i) const override { return i == 0; }

    Status record(Recorder& recorder, const KernelBindings& b) override {
        const Binding bindings[] = {b.inputs[0], b.outputs[0]};
        const int32_t constants[] = {static_cast<int32_t>(push_.act), static_cast<int32_t>(push_.math)};
        return recorder.dispatchSpecialized("unary", constants, bindings, &push_, sizeof(push_), push_.count);
    }

private:
    // unary.comp's mathFunction() codes; MATH_NONE for the activations.
    static uint32_t mathFunctionCode(const std::string& op) {
        static const std::pair<const char*, uint32_t> kFunctions[] = {
            {"Sqrt", MATH_SQRT},   {"Exp", MATH_EXP},  {"Log", MATH_LOG},
            {"Abs", MATH_ABS},     {"Neg", MATH_NEG},  {"Reciprocal", MATH_RECIPROCAL},
            {"Floor", MATH_FLOOR}, {"Ceil", MATH_CEIL}};
        for (const auto& [name, code] : kFunctions)
            if (op == name) return code;
        return MATH_NONE;
    }

    struct {
        uint32_t count = 0, act = 0;
        float alpha = 0, beta = 0;
        uint32_t math = 0;
    } push_;
};

class SoftmaxKernel : public VulkanKernel {
public:
    Status prepare(const cpu::PrepareContext& context) override {
        IS_RETURN_IF_ERROR(requireFloat(context, {0}));
        const Shape& shape = context.inputShape(0);
        const int64_t rank = static_cast<int64_t>(shape.size());
        const bool coerce2d = context.opset() > 0 && context.opset() < 13;
        int64_t axis = context.node().attrInt("axis", coerce2d ? 1 : -1);
        if (axis < 0) axis += rank;
        if (rank == 0 || axis < 0 || axis >= rank) return context.invalidHere("axis out of range");
        uint64_t outer = 1, len = 1, inner = 1;
        for (int64_t d = 0; d < rank; ++d) {
            const auto dim = static_cast<uint64_t>(shape[static_cast<size_t>(d)]);
            if (d < axis)
                outer *= dim;
            else if (d == axis || coerce2d)
                len *= dim;
            else
                inner *= dim;
        }
        push_.lines = static_cast<uint32_t>(outer * inner);
        push_.axis = static_cast<uint32_t>(len);
        push_.inner = static_cast<uint32_t>(inner);
        push_.logSoftmax = context.node().opType == "LogSoftmax" ? 1 : 0;
        return Status::ok();
    }

    Status record(Recorder& recorder, const KernelBindings& b) override {
        const Binding bindings[] = {b.inputs[0], b.outputs[0]};
        // Long contiguous rows: a workgroup each (softmax_wide).
        if (push_.inner == 1 && push_.axis >= kWideOutputValues)
            return recorder.dispatch("softmax_wide", bindings, &push_, sizeof(push_), uint64_t{push_.lines} * 64);
        return recorder.dispatch("softmax", bindings, &push_, sizeof(push_), push_.lines);
    }

private:
    struct {
        uint32_t lines = 0, axis = 0, inner = 1, logSoftmax = 0;
    } push_;
};

template <class K>
std::unique_ptr<VulkanKernel> make() {
    return std::make_unique<K>();
}

}  // namespace

// The kernels this file gives the op table (ops/op_table.cpp).
namespace kernels {
const VulkanKernelFactory binary = &make<BinaryKernel>;
const VulkanKernelFactory unary = &make<UnaryKernel>;
const VulkanKernelFactory softmax = &make<SoftmaxKernel>;
}  // namespace kernels

}  // namespace interstage::vulkan
