#version 450
// Transpose as a gather over words (WORD_T: 32 bits, 16 in the _fp16
// build; wider elements arrive as an extra inner dim of the words each
// holds): output dim k walks the input with strides[k].
// Reads are scattered, writes contiguous, so neighbouring invocations
// write neighbouring words.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { WORD_T x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { WORD_T y[]; };

layout(push_constant) uniform Params {
    uint count;  // output words
    uint rank;
    uint dims[12];     // output dims, outermost first
    uint strides[12];  // input words per step along each dim
} p;

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    uint rest = i;
    uint source = 0u;
    for (int axis = int(p.rank) - 1; axis >= 0; --axis) {
        source += (rest % p.dims[axis]) * p.strides[axis];
        rest /= p.dims[axis];
    }
    y[i] = x[source];
}
