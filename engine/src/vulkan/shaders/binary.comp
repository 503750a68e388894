#version 450
// Add / Sub / Mul / Div / Pow with numpy broadcast over up to 6 axes: each
// operand's strides are 0 along the axes it broadcasts, so one formula
// serves every shape pair. A fused activation (Add + Relu) is applied last.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer A { STORE_T a[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { STORE_T b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer C { STORE_T c[]; };

layout(push_constant) uniform Params {
    uint count;
    uint op;   // BINARY_* of op_codes.h
    uint act;
    float alpha;
    float beta;
    uint dims[6];     // output dims, left-padded with 1
    uint strideA[6];  // element strides of A per output axis (0: broadcast)
    uint strideB[6];
} p;

// GLSL's pow() is undefined for a negative base; ONNX (like C) defines it
// for integral exponents, and x^2 (variance in layer norms) is common.
float power(float base, float exponent) {
    if (exponent == 2.0) return base * base;
    if (exponent == 1.0) return base;
    if (exponent == 0.0) return 1.0;
    if (base >= 0.0) return pow(base, exponent);
    if (exponent != floor(exponent)) return uintBitsToFloat(0x7fc00000u);  // NaN, as C's pow
    float magnitude = pow(-base, exponent);
    return mod(exponent, 2.0) == 1.0 ? -magnitude : magnitude;
}

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    uint rest = i;
    uint ia = 0u, ib = 0u;
    for (int axis = 5; axis >= 0; --axis) {
        uint coord = rest % p.dims[axis];
        rest /= p.dims[axis];
        ia += coord * p.strideA[axis];
        ib += coord * p.strideB[axis];
    }
    float va = float(a[ia]), vb = float(b[ib]);
    float r;
    if (p.op == BINARY_ADD) r = va + vb;
    else if (p.op == BINARY_SUB) r = va - vb;
    else if (p.op == BINARY_MUL) r = va * vb;
    else if (p.op == BINARY_DIV) r = va / vb;
    else r = power(va, vb);
    c[i] = STORE_T(activate(r, p.act, p.alpha, p.beta));
}
