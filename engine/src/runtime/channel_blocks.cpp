#include "runtime/channel_blocks.h"

namespace interstage {

namespace {

// Calls f(plainIndex, blockedIndex) for every element.
template <class F>
void forEachElement(const Shape& shape, int block, F f) {
    const int64_t n = shape[0], c = shape[1], spatial = shape[2] * shape[3], blocks = c / block;
    for (int64_t image = 0; image < n; ++image)
        for (int64_t b = 0; b < blocks; ++b)
            for (int64_t s = 0; s < spatial; ++s)
                for (int64_t k = 0; k < block; ++k) {
                    const int64_t channel = b * block + k;
                    f(((image * c + channel) * spatial) + s, ((image * blocks + b) * spatial + s) * block + k);
                }
}

}  // namespace

void unblockChannels(const float* blocked, const Shape& shape, int block, float* plain) {
    forEachElement(shape, block, [&](int64_t p, int64_t b) { plain[p] = blocked[b]; });
}

void blockChannels(const float* plain, const Shape& shape, int block, float* blocked) {
    forEachElement(shape, block, [&](int64_t p, int64_t b) { blocked[b] = plain[p]; });
}

}  // namespace interstage
