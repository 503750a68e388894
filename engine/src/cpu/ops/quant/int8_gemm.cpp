#include "cpu/ops/quant/int8_gemm.h"

#include <cstring>
#include <vector>

#include "cpu/ops/nn/dnnl_context.h"
#include "cpu/parallel.h"

namespace interstage::cpu::quant {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;

}  // namespace

void Int8Gemm::prepare(int64_t m, int64_t n, int64_t k, bool aSigned, bool weightsKnown, bool reference) {
    m_ = m;
    n_ = n;
    k_ = k;
    aSigned_ = aSigned;
    useDnnl_ = false;
    scratchpadBytes_ = 0;
    if (reference) return;
    try {
        memory::desc a({m, k}, aSigned ? memory::data_type::s8 : memory::data_type::u8, Tag::ab);
        memory::desc b({k, n}, memory::data_type::s8, weightsKnown ? Tag::any : Tag::ab);
        memory::desc c({m, n}, memory::data_type::s32, Tag::ab);
        dnnl::primitive_attr attributes = nn::makeAttributes(dnnl::post_ops());
        pd_ = dnnl::matmul::primitive_desc(dnnl::matmul::desc(a, b, c), attributes, nn::dnnlEngine());
        primitive_ = dnnl::matmul(pd_);
        scratchpadBytes_ = pd_.scratchpad_desc().get_size();
        useDnnl_ = true;
    } catch (const std::exception&) {
        // No int8 matmul for these shapes: the reference loop below is exact.
        scratchpadBytes_ = 0;
    }
}

std::size_t Int8Gemm::packWeights(const void* b, bool bSigned, int64_t rowStride, int64_t colStride) {
    plainPacked_.resize(static_cast<size_t>(k_ * n_));
    for (int64_t r = 0; r < k_; ++r)
        for (int64_t col = 0; col < n_; ++col) {
            const int64_t at = r * rowStride + col * colStride;
            plainPacked_[r * n_ + col] = bSigned ? static_cast<const int8_t*>(b)[at]
                                                 : static_cast<int8_t>(static_cast<const uint8_t*>(b)[at] - 128);
        }
    packedWeights_ = true;
    if (!useDnnl_) return plainPacked_.size();
    memory::desc plain({k_, n_}, memory::data_type::s8, Tag::ab);
    packed_ = memory(pd_.weights_desc(), nn::dnnlEngine());
    memory user(plain, nn::dnnlEngine(), plainPacked_.data());
    dnnl::reorder(user, packed_).execute(nn::dnnlStream(), user, packed_);
    nn::dnnlStream().wait();
    plainPacked_.clear();
    plainPacked_.shrink_to_fit();
    return pd_.weights_desc().get_size();
}

Status Int8Gemm::run(const void* a, const int8_t* b, int32_t* c, void* scratch) const {
    if (!useDnnl_) {
        referenceRun(a, packedWeights_ ? plainPacked_.data() : b, c);
        return Status::ok();
    }
    try {
        auto& engine = nn::dnnlEngine();
        memory am(pd_.src_desc(), engine, const_cast<void*>(a));
        memory cm(pd_.dst_desc(), engine, c);
        memory bm = packedWeights_ ? packed_ : memory(pd_.weights_desc(), engine, const_cast<int8_t*>(b));
        memory sm(pd_.scratchpad_desc(), engine, scratch);
        primitive_.execute(nn::dnnlStream(),
                           {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}, {DNNL_ARG_SCRATCHPAD, sm}});
        nn::dnnlStream().wait();
    } catch (const std::exception& error) {
        return nn::dnnlRunFailure("int8 matmul", error);
    }
    return Status::ok();
}

void Int8Gemm::referenceRun(const void* a, const int8_t* b, int32_t* c) const {
    const int64_t m = m_, n = n_, k = k_;
    const bool aSigned = aSigned_;
#pragma omp parallel for schedule(static) if (m * n * k > kParallelWork)
    for (int64_t row = 0; row < m; ++row) {
        int32_t* out = c + row * n;
        std::memset(out, 0, static_cast<size_t>(n) * sizeof(int32_t));
        for (int64_t i = 0; i < k; ++i) {
            const int32_t av =
                aSigned ? static_cast<const int8_t*>(a)[row * k + i] : static_cast<const uint8_t*>(a)[row * k + i];
            const int8_t* bRow = b + i * n;
            for (int64_t col = 0; col < n; ++col) out[col] += av * bRow[col];
        }
    }
}

}  // namespace interstage::cpu::quant
