#version 450
// The Reduce* ops for outputs that fold many elements (the kernel picks it
// from 256 per output): one output per workgroup, each of its 64
// invocations folding every 64th element (reduce_common.glsl), then a tree
// across the workgroup. Sums combine their Kahan-compensated partials
// with the compensation carried along (two-sum at each step), so a wide
// nearly cancelling sum stays as close to the oracle's double sum as
// reduce.comp's single walk.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#include "reduce_common.glsl"

shared float sums[64];
shared float errors[64];  // what each partial sum still lacks

// The workgroup's fold of every invocation's value: max, min or product.
float combine(uint op, float value) {
    uint lane = gl_LocalInvocationID.x;
    sums[lane] = value;
    barrier();
    for (uint width = 32u; width > 0u; width >>= 1u) {
        if (lane < width) {
            float a = sums[lane], b = sums[lane + width];
            sums[lane] = op == REDUCE_MAX ? max(a, b) : op == REDUCE_MIN ? min(a, b) : a * b;
        }
        barrier();
    }
    float result = sums[0];
    barrier();
    return result;
}

// The workgroup's sum of (sum, error) partials: each step adds two sums
// exactly (Knuth's two-sum) and keeps what rounding dropped with the
// errors.
float compensatedSum(float sum, float error) {
    uint lane = gl_LocalInvocationID.x;
    sums[lane] = sum;
    errors[lane] = error;
    barrier();
    for (uint width = 32u; width > 0u; width >>= 1u) {
        if (lane < width) {
            precise float a = sums[lane], b = sums[lane + width];
            precise float s = a + b;
            precise float bPart = s - a;
            precise float dropped = (a - (s - bPart)) + (b - bPart);
            sums[lane] = s;
            errors[lane] = errors[lane] + errors[lane + width] + dropped;
        }
        barrier();
    }
    float result = sums[0] + errors[0];
    barrier();
    return result;
}

void main() {
    uint i = globalIndex() / 64u;  // count * 64 invocations: whole workgroups
    if (i >= p.count) return;      // a whole workgroup past the end of a split grid
    uint lane = gl_LocalInvocationID.x;
    uint base = outputBase(i);
    float shift = 0.0, unused = 0.0;
    if (p.op == REDUCE_LOG_SUM_EXP) {
        shift = -infinity();
        fold(REDUCE_MAX, base, 0.0, shift, unused, lane, 64u);
        shift = combine(REDUCE_MAX, shift);
        // All -inf (the sum is 0) or an infinite maximum: the result is the maximum.
        if (isinf(shift)) {
            if (lane == 0u) y[i] = STORE_T(shift);
            return;
        }
    }
    float acc = initialValue(p.op);
    precise float compensation = 0.0;
    fold(p.op, base, shift, acc, compensation, lane, 64u);
    bool isSum = p.op != REDUCE_MAX && p.op != REDUCE_MIN && p.op != REDUCE_PROD;
    float total = isSum ? compensatedSum(acc, -compensation) : combine(p.op, acc);
    if (lane == 0u) y[i] = STORE_T(finish(p.op, total, shift));
}
