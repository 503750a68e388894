// NonMaxSuppression: per batch and class, greedily keeps the best-scoring
// boxes that overlap no kept box by more than iou_threshold
// (ops/box_selection.h, shared with the shape rule that sized the output).
// Float boxes and scores, as ONNX Runtime supports.
#include <cstring>

#include "cpu/ops/select/select_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"
#include "ops/box_selection.h"

namespace interstage::cpu::selection {

namespace {

class NonMaxSuppressionKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        name_ = c.node().name;
        if (!c.hasInput(0) || !c.hasInput(1) || !c.hasOutput(0))
            return c.invalidHere("needs boxes, scores and an output");
        if (c.inputType(0) != DataType::Float || c.inputType(1) != DataType::Float)
            return c.unsupportedHere("boxes and scores must be float32");
        const int64_t center = c.node().attrInt("center_point_box", 0);
        if (center != 0 && center != 1)
            return c.invalidHere("center_point_box must be 0 or 1, not " + std::to_string(center));
        params_.centerPointBox = center == 1;
        return Status::ok();
    }

    Status run(RunContext& c) override {
        ops::BoxSelectionParams p = params_;
        IS_RETURN_IF_ERROR(scalar(c, 2, "max_output_boxes_per_class", p.maxPerClass));
        double iou = 0, score = 0;
        IS_RETURN_IF_ERROR(scalar(c, 3, "iou_threshold", iou));
        IS_RETURN_IF_ERROR(scalar(c, 4, "score_threshold", score));
        p.iouThreshold = static_cast<float>(iou);
        p.hasScoreThreshold = c.hasInput(4);
        p.scoreThreshold = static_cast<float>(score);
        const Shape& scores = c.inputs[1].shape;
        const Shape& boxes = c.inputs[0].shape;
        if (scores.size() != 3 || boxes != Shape{scores[0], scores[2], 4})
            return invalidModel(name_ + " (NonMaxSuppression): boxes " + shapeToString(boxes) + " and scores " +
                                shapeToString(scores) + " must be [batches, boxes, 4] and [batches, classes, boxes]");
        const auto selected = ops::selectBoxes(c.inputs[0].as<const float>(), c.inputs[1].as<const float>(),
                                               {scores[0], scores[1], scores[2]}, p, c.threads > 1);
        const TensorView& y = c.outputs[0];
        if (y.count() != static_cast<int64_t>(selected.size()) * 3)
            return shapeError(name_ + " (NonMaxSuppression): " + std::to_string(selected.size()) +
                              " boxes selected, but the output was sized for another count");
        if (!selected.empty()) std::memcpy(y.data, selected.data(), selected.size() * sizeof(selected[0]));
        return Status::ok();
    }

private:
    // Optional scalar input i (absent: the field keeps its default).
    template <class V>
    Status scalar(const RunContext& c, size_t i, const char* role, V& out) const {
        if (!c.hasInput(i)) return Status::ok();
        std::vector<double> v;
        if (!tensor::readNumbers(c.inputs[i], v) || v.size() != 1)
            return invalidModel(name_ + " (NonMaxSuppression): " + role + " must hold one number");
        out = static_cast<V>(v[0]);
        return Status::ok();
    }

    ops::BoxSelectionParams params_;
    std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> makeNonMaxSuppressionKernel() { return std::make_unique<NonMaxSuppressionKernel>(); }

}  // namespace interstage::cpu::selection
