// Shape rules for element-wise ops: unary ops (same shape), Cast, binary and
// variadic ops with numpy broadcasting, comparisons (bool outputs), Where and
// Clip. The ops that appear in shape-computing chains fold: when every input
// value is known, the output value is computed here (int64 arithmetic for
// integer dtypes, double for floating ones) and stored in the output dtype.
#include <algorithm>
#include <cmath>
#include <limits>

#include "model/fold_util.h"
#include "model/shape_rules.h"

namespace interstage::shapes {

namespace {

using namespace fold;

// Big enough for any real variadic node; small enough to refuse nonsense.
constexpr size_t kManyInputs = size_t(1) << 20;

// ---------------------------------------------------------------- unary

enum class Un { None, Neg, Abs, Floor, Ceil, Round, Sqrt, Sign, Reciprocal, Relu, Not };

int64_t wrapNeg(int64_t v) { return static_cast<int64_t>(0 - static_cast<uint64_t>(v)); }

double unaryDouble(Un op, double v) {
    switch (op) {
        case Un::Neg:
            return -v;
        case Un::Abs:
            return std::fabs(v);
        case Un::Floor:
            return std::floor(v);
        case Un::Ceil:
            return std::ceil(v);
        case Un::Round:
            return std::nearbyint(v);  // ONNX rounds half to even
        case Un::Sqrt:
            return std::sqrt(v);
        case Un::Sign:
            return v > 0 ? 1.0 : (v < 0 ? -1.0 : (std::isnan(v) ? v : 0.0));
        case Un::Reciprocal:
            return 1.0 / v;
        case Un::Relu:
            return v > 0 ? v : 0.0;
        case Un::Not:
            return v == 0 ? 1.0 : 0.0;
        case Un::None:
            break;
    }
    return v;
}

int64_t unaryInt(Un op, int64_t v) {
    switch (op) {
        case Un::Neg:
            return wrapNeg(v);
        case Un::Abs:
            return v < 0 ? wrapNeg(v) : v;
        case Un::Floor:
        case Un::Ceil:
        case Un::Round:
            return v;
        case Un::Sign:
            return v > 0 ? 1 : (v < 0 ? -1 : 0);
        case Un::Relu:
            return v > 0 ? v : 0;
        case Un::Not:
            return v == 0 ? 1 : 0;
        // Integer 1/v truncates toward zero; 1/0 has no answer, leave 0.
        case Un::Reciprocal:
            return v == 1 ? 1 : (v == -1 ? -1 : 0);
        case Un::Sqrt:
            return toInt64(std::sqrt(static_cast<double>(v)));
        case Un::None:
            break;
    }
    return v;
}

// Same shape and dtype as input 0 (or bool for Not), folded for the ops that
// shape chains use.
template <Un K>
Status unaryRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    DataType dtype = K == Un::Not ? DataType::Bool : c.inputType(0);
    const TensorData* x = K == Un::None ? nullptr : knownValue(c, 0);
    if (x && isFoldableType(x->dtype) && isFoldableType(dtype) && fitsFold(c, x->shape)) {
        TensorData out = TensorData::zeros(dtype, x->shape);
        bool integer = isIntegerType(x->dtype) && isIntegerType(dtype);
        for (int64_t i = 0; i < out.elementCount(); ++i) {
            if (integer)
                writeInt(out, i, unaryInt(K, readInt(*x, i)));
            else
                writeDouble(out, i, unaryDouble(K, readDouble(*x, i)));
        }
        c.setOutputValue(0, std::move(out));
        return Status::ok();
    }
    return setChecked(c, 0, dtype, c.inputShape(0));
}

// IsNaN / IsInf: same shape, bool.
Status boolUnaryRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    return setChecked(c, 0, DataType::Bool, c.inputShape(0));
}

// Identity passes the value through, so a known input stays known.
Status identityRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    if (const TensorData* x = knownValue(c, 0); x && fitsFold(c, x->shape)) {
        c.setOutputValue(0, *x);
        return Status::ok();
    }
    c.setOutput(0, c.inputType(0), c.inputShape(0));
    return Status::ok();
}

// Writes src converted to dtype (a cast), or returns false when either side
// is not a numeric type we compute on.
bool castValue(const TensorData& src, DataType dtype, TensorData& out) {
    if (src.dtype == dtype) {
        out = src;
        return true;
    }
    if (!isFoldableType(src.dtype) || !isFoldableType(dtype)) return false;
    out = TensorData::zeros(dtype, src.shape);
    bool integer = isIntegerType(src.dtype) && isIntegerType(dtype);
    for (int64_t i = 0; i < out.elementCount(); ++i) {
        if (integer)
            writeInt(out, i, readInt(src, i));
        else
            writeDouble(out, i, readDouble(src, i));
    }
    return true;
}

// Opset 1-5 Cast names the type as a string.
DataType castTypeFromName(const std::string& name) {
    static const std::pair<const char*, DataType> names[] = {
        {"FLOAT", DataType::Float},      {"UINT8", DataType::UInt8},         {"INT8", DataType::Int8},
        {"UINT16", DataType::UInt16},    {"INT16", DataType::Int16},         {"INT32", DataType::Int32},
        {"INT64", DataType::Int64},      {"STRING", DataType::String},       {"BOOL", DataType::Bool},
        {"FLOAT16", DataType::Float16},  {"DOUBLE", DataType::Double},       {"UINT32", DataType::UInt32},
        {"UINT64", DataType::UInt64},    {"COMPLEX64", DataType::Complex64}, {"COMPLEX128", DataType::Complex128},
        {"BFLOAT16", DataType::BFloat16}};
    for (const auto& [text, type] : names)
        if (name == text) return type;
    return DataType::Undefined;
}

Status castTo(ShapeContext& c, DataType dtype) {
    const TensorData* x = knownValue(c, 0);
    TensorData out;
    if (x && fitsFold(c, x->shape) && castValue(*x, dtype, out)) {
        c.setOutputValue(0, std::move(out));
        return Status::ok();
    }
    return setChecked(c, 0, dtype, c.inputShape(0));
}

Status castRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    const Attribute* to = c.node().attr("to");
    if (!to) return c.fail("attribute 'to' is missing");
    DataType dtype = DataType::Undefined;
    if (to->kind == Attribute::Kind::Int) {
        if (to->i >= 0 && to->i <= 64 && isKnownDataType(static_cast<int32_t>(to->i)))
            dtype = static_cast<DataType>(to->i);
    } else if (to->kind == Attribute::Kind::String) {
        dtype = castTypeFromName(to->s);
    }
    if (dtype == DataType::Undefined) return c.fail("attribute 'to' does not name a known data type");
    return castTo(c, dtype);
}

Status castLikeRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 2, 1));
    return castTo(c, c.inputType(1));
}

// ---------------------------------------------------------------- broadcast ops

enum class Bin {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Mod,
    BitShift,
    PRelu,
    And,
    Or,
    Xor,
    Equal,
    Less,
    Greater,
    LessOrEqual,
    GreaterOrEqual,
    Max,
    Min,
    Sum,
    Mean
};

bool isVariadic(Bin op) { return op == Bin::Max || op == Bin::Min || op == Bin::Sum || op == Bin::Mean; }
bool isCompare(Bin op) { return op >= Bin::Equal && op <= Bin::GreaterOrEqual; }
bool isLogic(Bin op) { return op == Bin::And || op == Bin::Or || op == Bin::Xor; }
bool hasLegacyBroadcast(Bin op) { return !isVariadic(op) && op != Bin::PRelu && op != Bin::Mod && op != Bin::BitShift; }

int64_t wrapAdd(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t wrapSub(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t wrapMul(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

int64_t intPow(int64_t base, int64_t exponent) {
    if (exponent < 0) return base == 1 ? 1 : (base == -1 ? ((exponent & 1) ? -1 : 1) : 0);
    int64_t result = 1;
    while (exponent > 0) {
        if (exponent & 1) result = wrapMul(result, base);
        base = wrapMul(base, base);
        exponent >>= 1;
    }
    return result;
}

struct BinParams {
    bool fmod = false;      // Mod: C-style remainder instead of Python-style
    bool shiftLeft = true;  // BitShift direction
};

// Integer arithmetic; false when it has no answer (division by zero).
bool applyInt(Bin op, const BinParams& p, int64_t a, int64_t b, int64_t& r) {
    switch (op) {
        case Bin::Add:
        case Bin::Sum:
            r = wrapAdd(a, b);
            return true;
        case Bin::Sub:
            r = wrapSub(a, b);
            return true;
        case Bin::Mul:
            r = wrapMul(a, b);
            return true;
        case Bin::Div:
            if (b == 0) return false;
            r = b == -1 ? wrapNeg(a) : a / b;  // C truncation; MIN / -1 wraps
            return true;
        case Bin::Mod:
            if (b == 0) return false;
            r = b == -1 ? 0 : a % b;
            if (!p.fmod && r != 0 && ((r < 0) != (b < 0))) r += b;  // sign follows the divisor
            return true;
        case Bin::Pow:
            r = intPow(a, b);
            return true;
        case Bin::BitShift: {
            auto ua = static_cast<uint64_t>(a);
            auto ub = static_cast<uint64_t>(b);
            r = ub >= 64 ? 0 : static_cast<int64_t>(p.shiftLeft ? ua << ub : ua >> ub);
            return true;
        }
        case Bin::PRelu:
            r = a < 0 ? wrapMul(a, b) : a;
            return true;
        case Bin::Max:
            r = std::max(a, b);
            return true;
        case Bin::Min:
            r = std::min(a, b);
            return true;
        case Bin::And:
            r = (a != 0) && (b != 0);
            return true;
        case Bin::Or:
            r = (a != 0) || (b != 0);
            return true;
        case Bin::Xor:
            r = (a != 0) != (b != 0);
            return true;
        case Bin::Equal:
            r = a == b;
            return true;
        case Bin::Less:
            r = a < b;
            return true;
        case Bin::Greater:
            r = a > b;
            return true;
        case Bin::LessOrEqual:
            r = a <= b;
            return true;
        case Bin::GreaterOrEqual:
            r = a >= b;
            return true;
        case Bin::Mean:
            r = wrapAdd(a, b);
            return true;  // divided at the end
    }
    return false;
}

double applyDouble(Bin op, const BinParams& p, double a, double b) {
    switch (op) {
        case Bin::Add:
        case Bin::Sum:
        case Bin::Mean:
            return a + b;
        case Bin::Sub:
            return a - b;
        case Bin::Mul:
            return a * b;
        case Bin::Div:
            return a / b;
        case Bin::Mod: {
            double r = std::fmod(a, b);
            if (!p.fmod && r != 0 && ((r < 0) != (b < 0))) r += b;
            return r;
        }
        case Bin::Pow:
            return std::pow(a, b);
        case Bin::PRelu:
            return a < 0 ? a * b : a;
        case Bin::Max:
            return std::isnan(a) || std::isnan(b) ? std::nan("") : std::max(a, b);
        case Bin::Min:
            return std::isnan(a) || std::isnan(b) ? std::nan("") : std::min(a, b);
        case Bin::And:
            return (a != 0) && (b != 0);
        case Bin::Or:
            return (a != 0) || (b != 0);
        case Bin::Xor:
            return (a != 0) != (b != 0);
        case Bin::Equal:
            return a == b;
        case Bin::Less:
            return a < b;
        case Bin::Greater:
            return a > b;
        case Bin::LessOrEqual:
            return a <= b;
        case Bin::GreaterOrEqual:
            return a >= b;
        case Bin::BitShift:
            return 0;  // integer-only op
    }
    return 0;
}

// Output shape of a broadcast op over inputs [first, first + count), and each
// input's shape as used for indexing (legacy opset < 7 broadcasting aligns
// the second input at `axis` instead of at the end).
Status broadcastAll(const ShapeContext& c, Bin op, size_t first, size_t count, Shape& out,
                    std::vector<Shape>& aligned) {
    aligned.clear();
    for (size_t i = first; i < first + count; ++i) aligned.push_back(c.inputShape(i));
    if (hasLegacyBroadcast(op) && c.opset() > 0 && c.opset() < 7 && count == 2 &&
        c.node().attrInt("broadcast", 0) != 0) {
        const Shape& a = aligned[0];
        const Shape& b = aligned[1];
        auto rankA = static_cast<int64_t>(a.size());
        auto rankB = static_cast<int64_t>(b.size());
        int64_t axis = c.node().attrInt("axis", rankA - rankB);
        if (rankB > rankA || axis < 0 || axis > rankA - rankB)
            return c.fail("legacy broadcast of " + shapeToString(b) + " into " + shapeToString(a) + " at axis " +
                          std::to_string(axis) + " is impossible");
        Shape placed(a.size(), 1);
        for (int64_t k = 0; k < rankB; ++k) {
            int64_t dim = b[static_cast<size_t>(k)];
            if (dim != 1 && dim != a[static_cast<size_t>(axis + k)])
                return c.fail("legacy broadcast of " + shapeToString(b) + " into " + shapeToString(a) + " fails");
            placed[static_cast<size_t>(axis + k)] = dim;
        }
        aligned[1] = std::move(placed);
        out = a;
        return Status::ok();
    }
    if (op == Bin::PRelu && c.opset() > 0 && c.opset() < 7 && aligned[0].size() >= 2 && aligned[1].size() == 1 &&
        aligned[1][0] == aligned[0][1] && aligned[0][1] != 1) {
        // Opset 6 PRelu: a 1-D slope holds one value per channel (axis 1).
        Shape placed(aligned[0].size(), 1);
        placed[1] = aligned[1][0];
        aligned[1] = std::move(placed);
    }
    out = aligned[0];
    for (size_t k = 1; k < aligned.size(); ++k) {
        Status s = broadcastShapes(out, aligned[k], out);
        if (!s.isOk()) return c.fail(s.message());
    }
    return Status::ok();
}

Status broadcastOp(ShapeContext& c, Bin op) {
    if (isVariadic(op)) {
        if (c.inputCount() == 0) return c.fail("needs at least one input");
        IS_RETURN_IF_ERROR(checkArity(c, c.inputCount(), kManyInputs, 1));
    } else {
        IS_RETURN_IF_ERROR(checkArity(c, 2, 2, 1));
    }
    size_t count = c.inputCount();
    Shape outShape;
    std::vector<Shape> aligned;
    IS_RETURN_IF_ERROR(broadcastAll(c, op, 0, count, outShape, aligned));
    IS_RETURN_IF_ERROR(checkShape(c, outShape, "output"));
    if (op == Bin::PRelu && outShape != c.inputShape(0))
        return c.fail("slope " + shapeToString(c.inputShape(1)) + " does not broadcast to X " +
                      shapeToString(c.inputShape(0)));
    DataType outType = isCompare(op) || isLogic(op) ? DataType::Bool : c.inputType(0);

    bool foldable = allKnown(c) && fitsFold(c, outShape) && isFoldableType(outType);
    bool integerInputs = true;
    for (size_t i = 0; i < count && foldable; ++i) {
        DataType t = c.inputType(i);
        foldable = isFoldableType(t);
        integerInputs = integerInputs && isIntegerType(t);
    }
    if (!foldable) return setChecked(c, 0, outType, outShape);

    BinParams params;
    params.fmod = c.node().attrInt("fmod", 0) != 0;
    params.shiftLeft = c.node().attrString("direction", "LEFT") != "RIGHT";
    // Comparisons of integers stay exact in int64; arithmetic follows the
    // output dtype.
    bool integer = isCompare(op) || isLogic(op) ? integerInputs : (isIntegerType(outType) && integerInputs);
    if (op == Bin::BitShift && !integer) return setChecked(c, 0, outType, outShape);

    std::vector<std::vector<int64_t>> maps;
    for (size_t i = 0; i < count; ++i) maps.push_back(broadcastIndex(aligned[i], outShape));
    TensorData out = TensorData::zeros(outType, outShape);
    for (int64_t n = 0; n < out.elementCount(); ++n) {
        auto at = [&](size_t i) { return maps[i][static_cast<size_t>(n)]; };
        if (integer) {
            int64_t acc = readInt(*knownValue(c, 0), at(0));
            for (size_t i = 1; i < count; ++i)
                if (!applyInt(op, params, acc, readInt(*knownValue(c, i), at(i)), acc))
                    return c.fail("integer division by zero in values known before running");
            if (op == Bin::Mean) acc /= static_cast<int64_t>(count);
            writeInt(out, n, acc);
        } else {
            double acc = readDouble(*knownValue(c, 0), at(0));
            for (size_t i = 1; i < count; ++i) acc = applyDouble(op, params, acc, readDouble(*knownValue(c, i), at(i)));
            if (op == Bin::Mean) acc /= static_cast<double>(count);
            writeDouble(out, n, acc);
        }
    }
    c.setOutputValue(0, std::move(out));
    return Status::ok();
}

template <Bin K>
Status broadcastRule(ShapeContext& c) {
    return broadcastOp(c, K);
}

// Where(cond, X, Y): three-way broadcast, X's dtype.
Status whereRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 3, 3, 1));
    Shape outShape = c.inputShape(0);
    for (size_t i = 1; i < 3; ++i) {
        Status s = broadcastShapes(outShape, c.inputShape(i), outShape);
        if (!s.isOk()) return c.fail(s.message());
    }
    IS_RETURN_IF_ERROR(checkShape(c, outShape, "output"));
    DataType dtype = c.inputType(1);
    if (!allKnown(c) || !fitsFold(c, outShape) || !isMovableType(dtype) || c.inputType(2) != dtype)
        return setChecked(c, 0, dtype, outShape);
    const TensorData* cond = knownValue(c, 0);
    const TensorData* x = knownValue(c, 1);
    const TensorData* y = knownValue(c, 2);
    if (!isFoldableType(cond->dtype)) return setChecked(c, 0, dtype, outShape);
    auto mc = broadcastIndex(cond->shape, outShape);
    auto mx = broadcastIndex(x->shape, outShape);
    auto my = broadcastIndex(y->shape, outShape);
    // Pick from X or Y per element, then copy by index from the pair.
    TensorData both = TensorData::zeros(dtype, {x->elementCount() + y->elementCount()});
    std::vector<int64_t> join(static_cast<size_t>(x->elementCount() + y->elementCount()));
    for (size_t k = 0; k < join.size(); ++k) join[k] = static_cast<int64_t>(k);
    if (dtype == DataType::String) {
        std::copy(x->strings.begin(), x->strings.end(), both.strings.begin());
        std::copy(y->strings.begin(), y->strings.end(), both.strings.begin() + x->elementCount());
    } else {
        std::copy(x->bytes.begin(), x->bytes.end(), both.bytes.begin());
        std::copy(y->bytes.begin(), y->bytes.end(), both.bytes.begin() + static_cast<std::ptrdiff_t>(x->bytes.size()));
    }
    std::vector<int64_t> pick(mc.size());
    for (size_t n = 0; n < mc.size(); ++n) pick[n] = readInt(*cond, mc[n]) != 0 ? mx[n] : x->elementCount() + my[n];
    TensorData out;
    if (!takeElements(both, outShape, pick, out)) return setChecked(c, 0, dtype, outShape);
    c.setOutputValue(0, std::move(out));
    return Status::ok();
}

// Clip: same shape; bounds from attributes before opset 11, from optional
// scalar inputs after. Folded so clamped index arithmetic stays known.
Status clipRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 3, 1));
    DataType dtype = c.inputType(0);
    const TensorData* x = knownValue(c, 0);
    if (!x || !isFoldableType(dtype) || !fitsFold(c, x->shape)) return setChecked(c, 0, dtype, c.inputShape(0));
    bool integer = isIntegerType(dtype);
    double lo = -std::numeric_limits<double>::infinity();
    double hi = std::numeric_limits<double>::infinity();
    int64_t ilo = std::numeric_limits<int64_t>::min();
    int64_t ihi = std::numeric_limits<int64_t>::max();
    if (c.opset() > 0 && c.opset() < 11) {
        lo = c.node().attrFloat("min", -std::numeric_limits<float>::max());
        hi = c.node().attrFloat("max", std::numeric_limits<float>::max());
    } else {
        for (size_t i = 1; i < 3; ++i) {
            if (!c.hasInput(i)) continue;
            const TensorData* bound = knownValue(c, i);
            if (!bound || bound->elementCount() != 1 || !isFoldableType(bound->dtype))
                return setChecked(c, 0, dtype, c.inputShape(0));
            (i == 1 ? lo : hi) = readDouble(*bound, 0);
            (i == 1 ? ilo : ihi) = readInt(*bound, 0);
        }
    }
    TensorData out = TensorData::zeros(dtype, x->shape);
    for (int64_t n = 0; n < out.elementCount(); ++n) {
        if (integer)
            writeInt(out, n, std::min(std::max(readInt(*x, n), ilo), ihi));
        else
            writeDouble(out, n, std::min(std::max(readDouble(*x, n), lo), hi));
    }
    c.setOutputValue(0, std::move(out));
    return Status::ok();
}

}  // namespace

namespace rules {

// The rules this family gives the op table (ops/op_table.cpp).
const ShapeRule unaryNone = &unaryRule<Un::None>;
const ShapeRule unaryRelu = &unaryRule<Un::Relu>;
const ShapeRule unaryNeg = &unaryRule<Un::Neg>;
const ShapeRule unaryAbs = &unaryRule<Un::Abs>;
const ShapeRule unaryFloor = &unaryRule<Un::Floor>;
const ShapeRule unaryCeil = &unaryRule<Un::Ceil>;
const ShapeRule unaryRound = &unaryRule<Un::Round>;
const ShapeRule unarySqrt = &unaryRule<Un::Sqrt>;
const ShapeRule unarySign = &unaryRule<Un::Sign>;
const ShapeRule unaryReciprocal = &unaryRule<Un::Reciprocal>;
const ShapeRule unaryNot = &unaryRule<Un::Not>;
const ShapeRule boolUnary = &boolUnaryRule;
const ShapeRule identity = &identityRule;
const ShapeRule cast = &castRule;
const ShapeRule castLike = &castLikeRule;
const ShapeRule clip = &clipRule;
const ShapeRule broadcastAdd = &broadcastRule<Bin::Add>;
const ShapeRule broadcastSub = &broadcastRule<Bin::Sub>;
const ShapeRule broadcastMul = &broadcastRule<Bin::Mul>;
const ShapeRule broadcastDiv = &broadcastRule<Bin::Div>;
const ShapeRule broadcastPow = &broadcastRule<Bin::Pow>;
const ShapeRule broadcastMod = &broadcastRule<Bin::Mod>;
const ShapeRule broadcastBitShift = &broadcastRule<Bin::BitShift>;
const ShapeRule broadcastPRelu = &broadcastRule<Bin::PRelu>;
const ShapeRule broadcastAnd = &broadcastRule<Bin::And>;
const ShapeRule broadcastOr = &broadcastRule<Bin::Or>;
const ShapeRule broadcastXor = &broadcastRule<Bin::Xor>;
const ShapeRule broadcastEqual = &broadcastRule<Bin::Equal>;
const ShapeRule broadcastLess = &broadcastRule<Bin::Less>;
const ShapeRule broadcastGreater = &broadcastRule<Bin::Greater>;
const ShapeRule broadcastLessOrEqual = &broadcastRule<Bin::LessOrEqual>;
const ShapeRule broadcastGreaterOrEqual = &broadcastRule<Bin::GreaterOrEqual>;
const ShapeRule broadcastMax = &broadcastRule<Bin::Max>;
const ShapeRule broadcastMin = &broadcastRule<Bin::Min>;
const ShapeRule broadcastSum = &broadcastRule<Bin::Sum>;
const ShapeRule broadcastMean = &broadcastRule<Bin::Mean>;
const ShapeRule where = &whereRule;

}  // namespace rules

}  // namespace interstage::shapes
