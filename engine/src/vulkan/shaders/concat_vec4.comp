#version 450
// concat.comp four words (WORD_T) at a time, for parts whose rows, slot offset and
// output rows are all multiples of 4 words (the kernel divides them by 4):
// a quarter of the loads and stores, each 16 bytes.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { WORD4_T x[]; };
layout(std430, set = 0, binding = 1) buffer Y { WORD4_T y[]; };

layout(push_constant) uniform Params {
    uint count;  // outer * inAxisInner, in vec4
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
