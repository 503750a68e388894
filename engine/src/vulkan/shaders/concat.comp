#version 450
// One Concat input copied into its slot of the output: the output is
// [outer][outAxisInner] and this input fills [offset, offset + inAxisInner)
// of each outer row, in words (WORD_T). One dispatch per input; the slots
// do not overlap.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { WORD_T x[]; };
layout(std430, set = 0, binding = 1) buffer Y { WORD_T y[]; };

layout(push_constant) uniform Params {
    uint count;  // outer * inAxisInner
    uint inAxisInner;
    uint outAxisInner;
    uint offset;
} p;

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    uint row = i / p.inAxisInner;
    uint col = i % p.inAxisInner;
    y[row * p.outAxisInner + p.offset + col] = x[i];
}
