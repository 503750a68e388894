#include "cpu/ops/quant/quant_math.h"

namespace interstage::cpu::quant {

ParamLayout paramLayout(const Shape& data, const Shape& scale, int64_t axis, int64_t blockSize) {
    ParamLayout layout;
    int64_t count = 1;
    for (int64_t d : scale) count *= d;
    layout.perTensor = scale.empty() || (scale.size() == 1 && count == 1 && blockSize == 0);
    const int64_t rank = static_cast<int64_t>(data.size());
    if (layout.perTensor || rank == 0) {
        layout.perTensor = true;
        for (int64_t d : data) layout.inner *= d;
        return layout;
    }
    if (axis < 0) axis += rank;
    for (int64_t k = 0; k < axis; ++k) layout.outer *= data[k];
    layout.axis = data[axis];
    for (int64_t k = axis + 1; k < rank; ++k) layout.inner *= data[k];
    layout.block = blockSize;
    return layout;
}

}  // namespace interstage::cpu::quant
