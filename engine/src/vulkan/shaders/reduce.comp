#version 450
// The Reduce* ops, one output element per invocation. The host
// merges the input's dims into groups of kept and reduced axes: the kept
// groups place the output element in the input, the reduced ones walk the
// elements that fold into it (the last reduced group in an inner loop, no
// div / mod per element). Outputs that fold many elements take
// reduce_wide.comp.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#include "reduce_common.glsl"

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    uint base = outputBase(i);
    float shift = 0.0, unused = 0.0;
    if (p.op == REDUCE_LOG_SUM_EXP) {
        shift = -infinity();
        fold(REDUCE_MAX, base, 0.0, shift, unused, 0u, 1u);
        // All -inf (the sum is 0) or an infinite maximum: the result is the maximum.
        if (isinf(shift)) {
            y[i] = STORE_T(shift);
            return;
        }
    }
    float acc = initialValue(p.op);
    precise float compensation = 0.0;
    fold(p.op, base, shift, acc, compensation, 0u, 1u);
    y[i] = STORE_T(finish(p.op, acc, shift));
}
