// Greedy NMS per (batch, class): candidates above the score threshold are
// sorted once by score, and each is kept unless it overlaps a kept box by
// more than the IoU threshold. Box corners and areas are computed once per
// batch, since every class of a batch looks at the same boxes.
#include "ops/box_selection.h"

#include <omp.h>

#include <algorithm>
#include <utility>

namespace interstage::ops {

namespace {

struct Corners {
    float yMin, xMin, yMax, xMax, area;
};

// Corner boxes may come with their corners swapped (ONNX allows "flipped"
// coordinates): min/max restores the order.
void cornersOf(const float* box, bool centerPoint, Corners& out) {
    if (centerPoint) {
        const float xc = box[0], yc = box[1], halfW = box[2] / 2.f, halfH = box[3] / 2.f;
        out.xMin = xc - halfW;
        out.xMax = xc + halfW;
        out.yMin = yc - halfH;
        out.yMax = yc + halfH;
    } else {
        out.yMin = std::min(box[0], box[2]);
        out.yMax = std::max(box[0], box[2]);
        out.xMin = std::min(box[1], box[3]);
        out.xMax = std::max(box[1], box[3]);
    }
    out.area = (out.xMax - out.xMin) * (out.yMax - out.yMin);
}

// True when b overlaps a by more than the threshold; empty boxes never
// suppress (as ONNX Runtime decides it).
inline bool overlapsTooMuch(const Corners& a, const Corners& b, float threshold) {
    const float xMin = std::max(a.xMin, b.xMin), xMax = std::min(a.xMax, b.xMax);
    if (xMax <= xMin) return false;
    const float yMin = std::max(a.yMin, b.yMin), yMax = std::min(a.yMax, b.yMax);
    if (yMax <= yMin) return false;
    if (a.area <= 0.f || b.area <= 0.f) return false;
    const float intersection = (xMax - xMin) * (yMax - yMin);
    const float unionArea = a.area + b.area - intersection;
    if (unionArea <= 0.f) return false;
    return intersection / unionArea > threshold;
}

void selectInClass(const Corners* corners, const float* scores, int64_t count, const BoxSelectionParams& p,
                   std::vector<std::pair<float, int64_t>>& candidates, std::vector<int64_t>& kept) {
    kept.clear();
    candidates.clear();
    for (int64_t i = 0; i < count; ++i)
        if (!p.hasScoreThreshold || scores[i] > p.scoreThreshold) candidates.emplace_back(scores[i], i);
    // A max-heap popped in order (higher score first; on equal scores the
    // lower index, as ONNX Runtime): selection usually stops at maxPerClass
    // long before the candidates run out, so sorting them all is wasted.
    auto after = [](const std::pair<float, int64_t>& a, const std::pair<float, int64_t>& b) {
        return a.first < b.first || (a.first == b.first && a.second > b.second);
    };
    std::make_heap(candidates.begin(), candidates.end(), after);
    auto end = candidates.end();
    while (end != candidates.begin() && static_cast<int64_t>(kept.size()) < p.maxPerClass) {
        std::pop_heap(candidates.begin(), end, after);
        --end;
        const int64_t index = end->second;
        const Corners& box = corners[index];
        bool keep = true;
        for (int64_t k : kept)
            if (overlapsTooMuch(corners[k], box, p.iouThreshold)) {
                keep = false;
                break;
            }
        if (keep) kept.push_back(index);
    }
}

}  // namespace

std::vector<std::array<int64_t, 3>> selectBoxes(const float* boxes, const float* scores, const BoxSelectionShape& shape,
                                                const BoxSelectionParams& params, bool parallel) {
    std::vector<std::array<int64_t, 3>> selected;
    if (params.maxPerClass <= 0 || shape.batches <= 0 || shape.classes <= 0 || shape.boxes <= 0) return selected;
    const int64_t n = shape.boxes;
    std::vector<Corners> corners(static_cast<size_t>(shape.batches * n));
    for (int64_t i = 0; i < shape.batches * n; ++i) cornersOf(boxes + i * 4, params.centerPointBox, corners[size_t(i)]);

    const int64_t tasks = shape.batches * shape.classes;
    std::vector<std::vector<int64_t>> keptPerTask(static_cast<size_t>(tasks));
    const bool team = parallel && tasks > 1 && tasks * n >= 4096 && omp_get_max_threads() > 1;
#pragma omp parallel if (team)
    {
        std::vector<std::pair<float, int64_t>> candidates;
        candidates.reserve(static_cast<size_t>(n));
#pragma omp for schedule(dynamic, 1)
        for (int64_t t = 0; t < tasks; ++t) {
            const int64_t batch = t / shape.classes;
            selectInClass(corners.data() + batch * n, scores + t * n, n, params, candidates,
                          keptPerTask[static_cast<size_t>(t)]);
        }
    }
    for (int64_t t = 0; t < tasks; ++t)
        for (int64_t box : keptPerTask[static_cast<size_t>(t)])
            selected.push_back({t / shape.classes, t % shape.classes, box});
    return selected;
}

}  // namespace interstage::ops
