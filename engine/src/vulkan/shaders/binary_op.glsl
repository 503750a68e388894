// The arithmetic of binary.comp, binary_vec4.comp and
// binary_scalar_vec4.comp: BINARY_* of op_codes.h applied to one pair of
// values.

// Specialization constants (vk_elementwise.cpp sets them): the BINARY_* op
// and the ACT_* activation, so that each pipeline compiles one operation
// and one activation instead of testing every element for all of them.
layout(constant_id = 0) const uint OP = 0u;
layout(constant_id = 1) const uint ACT = 0u;

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

float binaryOp(uint op, float a, float b) {
    if (op == BINARY_ADD) return a + b;
    if (op == BINARY_SUB) return a - b;
    if (op == BINARY_MUL) return a * b;
    if (op == BINARY_DIV) return a / b;
    return power(a, b);
}
