#version 450
// Slice as a strided gather over words (WORD_T: 32 bits, 16 in the _fp16
// build; wider elements arrive as an extra inner dim of the words each
// holds): output word i is input word offset + sum of
// its coordinates times the strides. Negative steps are negative strides.
// Dims come merged from the host, so the loop is usually 2-3 long.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { WORD_T x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { WORD_T y[]; };

layout(push_constant) uniform Params {
    uint count;  // output words
    int offset;
    uint rank;
    uint unused;
    uint dims[12];    // output dims, outermost first
    int strides[12];  // input words per step along each dim
} p;

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    uint rest = i;
    int source = p.offset;
    for (int axis = int(p.rank) - 1; axis >= 0; --axis) {
        source += int(rest % p.dims[axis]) * p.strides[axis];
        rest /= p.dims[axis];
    }
    y[i] = x[source];
}
