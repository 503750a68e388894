// Cast and CastLike between every numeric dtype: float32 / float64,
// float16 and bfloat16 (rounded to nearest even), the signed and unsigned
// integers and bool. Float to integer truncates toward zero as numpy does
// and saturates where C++ would be undefined; integers narrow by wrapping;
// anything to bool is "!= 0". Strings are refused.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "cpu/ops/tensor/tensor_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::tensor {

namespace {

// Storage types for the dtypes C++ has no arithmetic type for.
struct Half {
    uint16_t bits;
};
struct BFloat {
    uint16_t bits;
};
struct Bool {
    uint8_t value;
};

// The value of an element in an arithmetic type.
template <class From>
inline auto arithmetic(From v) {
    if constexpr (std::is_same_v<From, Half>)
        return halfToFloat(v.bits);
    else if constexpr (std::is_same_v<From, BFloat>)
        return bfloatToFloat(v.bits);
    else if constexpr (std::is_same_v<From, Bool>)
        return static_cast<uint8_t>(v.value != 0);
    else
        return v;
}

template <class To, class A>
inline To convert(A a) {
    if constexpr (std::is_same_v<To, Bool>) {
        return Bool{static_cast<uint8_t>(a != 0)};
    } else if constexpr (std::is_same_v<To, Half>) {
        return Half{floatToHalf(static_cast<float>(a))};
    } else if constexpr (std::is_same_v<To, BFloat>) {
        return BFloat{floatToBfloat(static_cast<float>(a))};
    } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<A>) {
        if (std::isnan(a)) return To{0};
        if (a <= static_cast<A>(std::numeric_limits<To>::lowest())) return std::numeric_limits<To>::lowest();
        if (a >= static_cast<A>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
        return static_cast<To>(a);
    } else {
        return static_cast<To>(a);
    }
}

template <class From, class To>
void castLoop(const void* src, void* dst, int64_t n) {
    const auto* in = static_cast<const From*>(src);
    auto* out = static_cast<To*>(dst);
#pragma omp parallel for schedule(static) if (n > kParallelBytes)
    for (int64_t i = 0; i < n; ++i) out[i] = convert<To>(arithmetic(in[i]));
}

// Calls fn with a value of the storage type of dtype; false when unsupported.
template <class Fn>
bool withType(DataType dtype, Fn&& fn) {
    switch (dtype) {
        case DataType::Float:
            fn(float{});
            return true;
        case DataType::Double:
            fn(double{});
            return true;
        case DataType::Float16:
            fn(Half{});
            return true;
        case DataType::BFloat16:
            fn(BFloat{});
            return true;
        case DataType::Int8:
            fn(int8_t{});
            return true;
        case DataType::Int16:
            fn(int16_t{});
            return true;
        case DataType::Int32:
            fn(int32_t{});
            return true;
        case DataType::Int64:
            fn(int64_t{});
            return true;
        case DataType::UInt8:
            fn(uint8_t{});
            return true;
        case DataType::UInt16:
            fn(uint16_t{});
            return true;
        case DataType::UInt32:
            fn(uint32_t{});
            return true;
        case DataType::UInt64:
            fn(uint64_t{});
            return true;
        case DataType::Bool:
            fn(Bool{});
            return true;
        default:
            return false;
    }
}

bool isCastable(DataType dtype) {
    return withType(dtype, [](auto) {});
}

class CastKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0) || context.outputCount() != 1)
            return context.invalidHere("needs an input and one output");
        if (context.output(0).shape != context.inputShape(0))
            return context.invalidHere("output shape differs from the input's");
        from_ = context.inputType(0);
        to_ = context.output(0).dtype;
        if (context.node().opType == "Cast" && context.node().hasAttr("to") &&
            context.node().attrInt("to", 0) != static_cast<int64_t>(to_))
            return context.invalidHere("the output dtype does not match attribute 'to'");
        if (context.node().opType == "CastLike" && (!context.hasInput(1) || context.inputType(1) != to_))
            return context.invalidHere("the output dtype does not match the target_type input");
        for (DataType dtype : {from_, to_})
            if (!isCastable(dtype))
                return context.unsupportedHere(std::string("casting ") + dataTypeName(from_) + " to " +
                                               dataTypeName(to_) + " is not supported");
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& in = context.inputs[0];
        const TensorView& out = context.outputs[0];
        if (from_ == to_) {
            parallelCopy(out.data, in.data, out.bytes());
            return Status::ok();
        }
        const int64_t n = out.count();
        withType(from_, [&](auto fromTag) {
            withType(to_, [&](auto toTag) { castLoop<decltype(fromTag), decltype(toTag)>(in.data, out.data, n); });
        });
        return Status::ok();
    }

private:
    DataType from_ = DataType::Float;
    DataType to_ = DataType::Float;
};

}  // namespace

std::unique_ptr<Kernel> makeCastKernel() { return std::make_unique<CastKernel>(); }

}  // namespace interstage::cpu::tensor
