// What reduce.comp and reduce_wide.comp share: the bindings, the push
// constants and the fold over an output's input elements.
//
// Sums use Kahan compensation: the CPU oracle accumulates float32 in
// double, and a plain float sum over thousands of nearly cancelling
// elements drifts past the comparison's tolerance. LogSumExp subtracts the
// maximum first so that exp() does not overflow where the oracle's double
// does not.

layout(std430, set = 0, binding = 0) readonly buffer X { STORE_T x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { STORE_T y[]; };

layout(push_constant) uniform Params {
    uint count;        // output elements
    uint reduceCount;  // input elements per output
    uint op;           // REDUCE_* of op_codes.h
    uint keptRank, reducedRank;
    uint keptDims[6], keptStrides[6];
    uint reducedDims[6], reducedStrides[6];
} p;

float infinity() { return uintBitsToFloat(0x7f800000u); }

// Folds the input elements of the output at `base` that are this
// invocation's share into acc, as `op` folds them (sums with Kahan's
// compensation, kept in `compensation`: the true sum is acc -
// compensation); shift is LogSumExp's maximum. The share is every
// element (first 0, step 1: reduce.comp) or every step-th one, split over
// the outer walk where it is long enough and over the inner run otherwise
// (reduce_wide.comp).
void fold(uint op, uint base, float shift, inout float acc, precise inout float compensation, uint first,
          uint step) {
    uint last = p.reducedRank - 1u;
    uint innerSize = p.reducedDims[last], innerStride = p.reducedStrides[last];
    uint outer = p.reduceCount / innerSize;
    bool splitOuter = outer >= step;
    uint oFirst = splitOuter ? first : 0u, oStep = splitOuter ? step : 1u;
    uint jFirst = splitOuter ? 0u : first, jStep = splitOuter ? 1u : step;
    for (uint o = oFirst; o < outer; o += oStep) {
        uint rest = o, start = base;
        for (int g = int(last) - 1; g >= 0; --g) {
            start += (rest % p.reducedDims[g]) * p.reducedStrides[g];
            rest /= p.reducedDims[g];
        }
        for (uint j = jFirst; j < innerSize; j += jStep) {
            float v = float(x[start + j * innerStride]);
            if (op == REDUCE_MAX) acc = acc < v ? v : acc;
            else if (op == REDUCE_MIN) acc = v < acc ? v : acc;
            else if (op == REDUCE_PROD) acc *= v;
            else {
                if (op == REDUCE_L1) v = abs(v);
                else if (op == REDUCE_L2 || op == REDUCE_SUM_SQUARE) v = v * v;
                else if (op == REDUCE_LOG_SUM_EXP) v = exp(v - shift);
                precise float term = v - compensation;
                precise float next = acc + term;
                compensation = (next - acc) - term;
                acc = next;
            }
        }
    }
}

// Where the output of `index` starts in the input.
uint outputBase(uint index) {
    uint rest = index, base = 0u;
    for (int g = int(p.keptRank) - 1; g >= 0; --g) {
        base += (rest % p.keptDims[g]) * p.keptStrides[g];
        rest /= p.keptDims[g];
    }
    return base;
}

float initialValue(uint op) {
    return op == REDUCE_MAX ? -infinity() : (op == REDUCE_MIN ? infinity() : (op == REDUCE_PROD ? 1.0 : 0.0));
}

// The output from the folded value.
float finish(uint op, float acc, float shift) {
    if (op == REDUCE_MEAN) return acc / float(p.reduceCount);
    if (op == REDUCE_L2) return sqrt(acc);
    if (op == REDUCE_LOG_SUM) return log(acc);
    if (op == REDUCE_LOG_SUM_EXP) return log(acc) + shift;
    return acc;
}
