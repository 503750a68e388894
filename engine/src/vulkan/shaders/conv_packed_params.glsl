// What the packed-weight convolutions share (conv_packed.comp,
// conv3x3_packed.comp, conv1x1_packed.comp; C++ side: kernels/vk_conv.cpp):
// the bindings, the push constants and the tile an invocation computes.
//
// Why packed: on a GPU and on lavapipe alike, a load is the expensive step
// and one vec4 costs about what one float does (lavapipe gathers a load lane
// by lane). The kernel repacks the weights once, at prepare time, in blocks
// of 8 output channels, so that the 8 weights one input tap contributes to
// are two vec4: w[((kb * C + c) * kh * kw + tap) * 2 + half] holds output
// channels kb * 8 + half * 4 .. + 3 (zeros past K). Each invocation keeps 8
// output channels x 4 or 8 pixels of one row in registers and reuses every
// input value it loads 8 times and every weight 4 or 8 times.
//
// X4 is the same input as X, read as vec4 where rows (3x3) or planes (1x1)
// are a multiple of 4 values. The packed weights stay float32 with fp16
// storage too (kernel tables are uploaded as they are). Without a bias the kernel binds the packed
// weights at binding 2; hasBias says not to read it.
layout(std430, set = 0, binding = 0) readonly buffer X { STORE_T x[]; };
layout(std430, set = 0, binding = 1) readonly buffer W { STORE4_T w[]; };
layout(std430, set = 0, binding = 2) readonly buffer Bias { STORE_T bias[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Y { STORE_T y[]; };
layout(std430, set = 0, binding = 4) readonly buffer X4 { STORE4_T x4[]; };

layout(push_constant) uniform Params {
    uint count;                // invocations dispatched (whole workgroups)
    uint N, C, H, W;           // batch, input channels and size
    uint K, OH, OW;            // output channels and size
    uint kh, kw;
    uint strideH, strideW;
    uint dilH, dilW;
    int padT, padL;
    uint hasBias;
    uint act;
    float alpha;
    float beta;
} p;

// Specialization constant 2 (vk_conv.cpp sets it): the fused ACT_*
// activation, so that the stores compile one activation instead of
// testing every output for all of them (0 and 1 are conv3x3_packed's).
layout(constant_id = 2) const uint ACT = ACT_NONE;

// An invocation's share: output channels kb * 8 .. + 7 of image n, and
// `tiles` positions (pixel groups) of that image's output, of which this
// is `r`. Neighbouring workgroups take the same positions for the next
// k-block, so the input rows they read are still in cache.
struct Tile {
    uint kb;
    uint n;
    uint r;
    bool live;  // false: padding of the last workgroup (reads, never writes)
};

Tile tileOf(uint tiles) {
    uint i = globalIndex();
    uint blocks = (p.K + 7u) / 8u;
    uint group = i / 64u;
    Tile t;
    t.kb = group % blocks;
    uint at = (group / blocks) * 64u + i % 64u;
    t.live = at < p.N * tiles;
    at = min(at, p.N * tiles - 1u);
    t.n = at / tiles;
    t.r = at % tiles;
    return t;
}

// The 8 accumulators of one pixel group start at the bias.
vec4 biasOf(uint k) { return vec4(p.hasBias != 0u && k < p.K ? float(bias[k]) : 0.0); }

// Writes 4 pixels of output channel k starting at ox0 of row `rowBase`.
void store4(uint k, uint rowBase, uint ox0, vec4 v) {
    if (k >= p.K) return;
    for (uint e = 0u; e < 4u; ++e)
        if (ox0 + e < p.OW) y[rowBase + k * p.OH * p.OW + ox0 + e] = STORE_T(activate(v[e], ACT, p.alpha, p.beta));
}
