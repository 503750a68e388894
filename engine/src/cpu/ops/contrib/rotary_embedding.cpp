// RotaryEmbedding (com.microsoft): rotates every head of the input by its
// token's position. Input (batch, sequence, hidden) holds num_heads heads
// per token; (batch, heads, sequence, head size) one head per row.
// position_ids is (batch, sequence), or one offset for a run of positions
// offset + s.
#include "cpu/ops/contrib/contrib_kernels.h"
#include "cpu/ops/contrib/rotary.h"
#include "cpu/parallel.h"

namespace interstage::cpu::contrib {

namespace {

class RotaryEmbeddingKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputType(0) != DataType::Float || context.inputType(2) != DataType::Float ||
            context.inputType(3) != DataType::Float)
            return context.unsupportedHere("only float input and caches are supported");
        if (context.inputType(1) != DataType::Int64) return context.unsupportedHere("position_ids must be int64");
        const Node& node = context.node();
        const Shape& x = context.inputShape(0);
        const Shape& cache = context.inputShape(2);
        interleaved_ = node.attrInt("interleaved", 0) != 0;
        batch_ = x[0];
        fourD_ = x.size() == 4;
        if (fourD_) {
            heads_ = x[1];
            seq_ = x[2];
            headSize_ = x[3];
        } else {
            seq_ = x[1];
            const int64_t heads = node.attrInt("num_heads", 0);
            headSize_ = heads > 0 ? x[2] / heads : cache[1] * 2;
            heads_ = x[2] / headSize_;
        }
        rotaryDim_ = cache[1] * 2;
        maxPosition_ = cache[0];
        offsetOnly_ = context.inputShape(1) != Shape{batch_, seq_};
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const float* x = context.inputs[0].as<float>();
        const int64_t* positions = context.inputs[1].as<int64_t>();
        const float* cosCache = context.inputs[2].as<float>();
        const float* sinCache = context.inputs[3].as<float>();
        float* y = context.outputs[0].as<float>();
        const int64_t half = rotaryDim_ / 2;
        // Positions first: one bad id fails the run before anything is written.
        for (int64_t b = 0; b < batch_; ++b)
            for (int64_t s = 0; s < seq_; ++s) {
                const int64_t pos = position(positions, b, s);
                if (pos < 0 || pos >= maxPosition_)
                    return invalidArgument("RotaryEmbedding: position " + std::to_string(pos) +
                                           " is outside the cos / sin caches' " + std::to_string(maxPosition_) +
                                           " rows");
            }
        const int64_t rows = batch_ * heads_ * seq_;
#pragma omp parallel for schedule(static) if (rows * headSize_ > kParallelWork)
        for (int64_t r = 0; r < rows; ++r) {
            // r enumerates (b, h, s); the offset of that head vector depends
            // on the layout.
            const int64_t s = r % seq_, h = (r / seq_) % heads_, b = r / (seq_ * heads_);
            const int64_t offset = fourD_ ? r * headSize_ : ((b * seq_ + s) * heads_ + h) * headSize_;
            const int64_t pos = position(positions, b, s);
            rotate(x + offset, y + offset, headSize_, rotaryDim_, cosCache + pos * half, sinCache + pos * half,
                   interleaved_);
        }
        return Status::ok();
    }

private:
    int64_t position(const int64_t* positions, int64_t b, int64_t s) const {
        return offsetOnly_ ? positions[0] + s : positions[b * seq_ + s];
    }

    bool interleaved_ = false, fourD_ = false, offsetOnly_ = false;
    int64_t batch_ = 0, heads_ = 0, seq_ = 0, headSize_ = 0, rotaryDim_ = 0, maxPosition_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> makeRotaryEmbeddingKernel() { return std::make_unique<RotaryEmbeddingKernel>(); }

}  // namespace interstage::cpu::contrib
