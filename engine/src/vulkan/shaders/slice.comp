#version 450
// Slice as a strided gather over 32-bit words (8-byte elements arrive as
// an extra inner dim of 2): output word i is input word offset + sum of
// its coordinates times the strides. Negative steps are negative strides.
// Dims come merged from the host, so the loop is usually 2-3 long.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { uint x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { uint y[]; };

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
