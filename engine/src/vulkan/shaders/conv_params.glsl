// The bindings and push constants conv2d.comp and conv_transpose.comp
// share (C++ side: vulkan/kernels/conv_window_push.h). Without a bias the
// kernel binds the weights again at binding 2; hasBias says not to read it.
layout(std430, set = 0, binding = 0) readonly buffer X { STORE_T x[]; };
layout(std430, set = 0, binding = 1) readonly buffer W { STORE_T w[]; };
layout(std430, set = 0, binding = 2) readonly buffer Bias { STORE_T bias[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Y { STORE_T y[]; };

layout(push_constant) uniform Params {
    uint count;                // N * K * OH * OW
    uint C, H, W;              // input channels and size
    uint K, OH, OW;            // output channels and size
    uint kh, kw;
    uint strideH, strideW;
    uint dilH, dilW;
    int padT, padL;
    uint group;
    uint hasBias;
    uint act;
    float alpha;
    float beta;
} p;
