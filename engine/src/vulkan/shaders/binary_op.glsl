// The arithmetic of binary.comp and binary_vec4.comp: BINARY_* of
// op_codes.h applied to one pair of values.

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
