// What the shaders that read an input row as aligned vec4 share
// (conv3x3_packed.comp, conv_depthwise_rows.comp): picking a tap's 4
// values out of the loaded vec4 and masking the columns outside the row.
// Include it after the push constants: inside() reads p.W.

// The 4 values starting `pos` (0..8, the same in every invocation) into
// the 12 contiguous values a, b, c.
vec4 window4(vec4 a, vec4 b, vec4 c, int pos) {
    if (pos == 8) return c;
    vec4 lo = pos < 4 ? a : b;
    vec4 hi = pos < 4 ? b : c;
    int s = pos & 3;
    return s == 0 ? lo : s == 1 ? vec4(lo.yzw, hi.x) : s == 2 ? vec4(lo.zw, hi.xy) : vec4(lo.w, hi.xyz);
}

// 1 where the 4 input columns starting at `first` lie inside the row.
vec4 inside(int first) {
    ivec4 ix = first + ivec4(0, 1, 2, 3);
    return vec4(greaterThanEqual(ix, ivec4(0))) * vec4(lessThan(ix, ivec4(int(p.W))));
}
