// Greedy non-maximum suppression as ONNX NonMaxSuppression defines it,
// shared by the shape rule (which needs the number of selected boxes to
// size the output when the inputs are known) and the CPU kernel (which
// writes them): both must agree box for box.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace interstage::ops {

struct BoxSelectionParams {
    int64_t maxPerClass = 0;  // max_output_boxes_per_class; 0 selects nothing
    float iouThreshold = 0.f;
    bool hasScoreThreshold = false;  // without one every box is a candidate
    float scoreThreshold = 0.f;
    bool centerPointBox = false;  // [x_center, y_center, w, h] instead of corners
};

struct BoxSelectionShape {
    int64_t batches = 0, classes = 0, boxes = 0;
};

// (batch, class, box) of every selected box, ordered by batch, then class,
// then selection (descending score, lower box index first on ties).
// boxes: [batches, boxes, 4]; scores: [batches, classes, boxes]. Classes
// run in parallel when `parallel` and there is enough work.
std::vector<std::array<int64_t, 3>> selectBoxes(const float* boxes, const float* scores, const BoxSelectionShape& shape,
                                                const BoxSelectionParams& params, bool parallel);

}  // namespace interstage::ops
