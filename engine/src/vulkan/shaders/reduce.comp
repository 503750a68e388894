#version 450
// The Reduce* ops, one output element per invocation. The host
// merges the input's dims into groups of kept and reduced axes: the kept
// groups place the output element in the input, the reduced ones walk the
// elements that fold into it (the last reduced group in an inner loop, no
// div / mod per element).
//
// Sums use Kahan compensation: the CPU oracle accumulates float32 in
// double, and a plain float sum over thousands of nearly cancelling
// elements drifts past the comparison's tolerance. LogSumExp subtracts the
// maximum first so that exp() does not overflow where the oracle's double
// does not.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

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

// Folds every input element of the output at `base` into acc, as `op`
// folds them (sums with Kahan's compensation); shift is LogSumExp's
// maximum.
void fold(uint op, uint base, float shift, inout float acc) {
    precise float compensation = 0.0;
    uint last = p.reducedRank - 1u;
    uint innerSize = p.reducedDims[last], innerStride = p.reducedStrides[last];
    uint outer = p.reduceCount / innerSize;
    for (uint o = 0u; o < outer; ++o) {
        uint rest = o, start = base;
        for (int g = int(last) - 1; g >= 0; --g) {
            start += (rest % p.reducedDims[g]) * p.reducedStrides[g];
            rest /= p.reducedDims[g];
        }
        for (uint j = 0u; j < innerSize; ++j) {
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

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    uint rest = i, base = 0u;
    for (int g = int(p.keptRank) - 1; g >= 0; --g) {
        base += (rest % p.keptDims[g]) * p.keptStrides[g];
        rest /= p.keptDims[g];
    }
    float shift = 0.0;
    if (p.op == REDUCE_LOG_SUM_EXP) {
        shift = -infinity();
        fold(2u, base, 0.0, shift);
        // All -inf (the sum is 0) or an infinite maximum: the result is the maximum.
        if (isinf(shift)) {
            y[i] = STORE_T(shift);
            return;
        }
    }
    float acc = p.op == REDUCE_MAX ? -infinity() : (p.op == REDUCE_MIN ? infinity() : (p.op == REDUCE_PROD ? 1.0 : 0.0));
    fold(p.op, base, shift, acc);
    float r = acc;
    if (p.op == REDUCE_MEAN) r = acc / float(p.reduceCount);
    else if (p.op == REDUCE_L2) r = sqrt(acc);
    else if (p.op == REDUCE_LOG_SUM) r = log(acc);
    else if (p.op == REDUCE_LOG_SUM_EXP) r = log(acc) + shift;
    y[i] = STORE_T(r);
}
