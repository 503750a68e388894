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

// The kept boxes of one class, column by column, so the overlap test of a
// candidate against all of them is a branch-free loop the compiler
// vectorizes.
struct KeptBoxes {
    std::vector<float> yMin, xMin, yMax, xMax, area;
    std::vector<int64_t> index;
    void clear() {
        for (auto* v : {&yMin, &xMin, &yMax, &xMax, &area}) v->clear();
        index.clear();
    }
    void add(const Corners& c, int64_t i) {
        yMin.push_back(c.yMin);
        xMin.push_back(c.xMin);
        yMax.push_back(c.yMax);
        xMax.push_back(c.xMax);
        area.push_back(c.area);
        index.push_back(i);
    }
    size_t size() const { return index.size(); }
};

// True when b overlaps a kept box in [begin, end) by more than the
// threshold (IoU > threshold, as ONNX Runtime decides it: boxes that do
// not intersect, empty boxes and a non-positive union never suppress).
bool suppressedBy(const KeptBoxes& k, size_t begin, size_t end, const Corners& b, float threshold) {
    int hit = 0;
    for (size_t j = begin; j < end; ++j) {
        const float w = std::min(k.xMax[j], b.xMax) - std::max(k.xMin[j], b.xMin);
        const float h = std::min(k.yMax[j], b.yMax) - std::max(k.yMin[j], b.yMin);
        const float intersection = w * h;
        const float unionArea = k.area[j] + b.area - intersection;
        const bool valid = (w > 0.f) & (h > 0.f) & (k.area[j] > 0.f) & (b.area > 0.f) & (unionArea > 0.f);
        // Lanes that are not valid may divide by zero; their result is unused.
        hit |= static_cast<int>(valid & (intersection / unionArea > threshold));
    }
    return hit != 0;
}

void selectInClass(const Corners* corners, const float* scores, int64_t count, const BoxSelectionParams& p,
                   std::vector<std::pair<float, int64_t>>& candidates, KeptBoxes& kept) {
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
    constexpr size_t kBlock = 32;  // kept boxes tested between early exits
    while (end != candidates.begin() && static_cast<int64_t>(kept.size()) < p.maxPerClass) {
        std::pop_heap(candidates.begin(), end, after);
        --end;
        const int64_t index = end->second;
        const Corners& box = corners[index];
        bool keep = true;
        for (size_t b = 0; b < kept.size() && keep; b += kBlock)
            keep = !suppressedBy(kept, b, std::min(kept.size(), b + kBlock), box, p.iouThreshold);
        if (keep) kept.add(box, index);
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
    // A class costs about as much as scanning its scores once (selection
    // stops at maxPerClass): 80 classes of 2000 boxes take ~2 ms on one
    // thread, where waking a team and waiting at its barrier cost as much
    // on a busy machine. Only far bigger inputs get the team.
    const bool team = parallel && tasks > 1 && tasks * n >= (int64_t(1) << 21) && omp_get_max_threads() > 1;
#pragma omp parallel if (team)
    {
        std::vector<std::pair<float, int64_t>> candidates;
        candidates.reserve(static_cast<size_t>(n));
        KeptBoxes kept;
#pragma omp for schedule(dynamic, 1)
        for (int64_t t = 0; t < tasks; ++t) {
            const int64_t batch = t / shape.classes;
            selectInClass(corners.data() + batch * n, scores + t * n, n, params, candidates, kept);
            keptPerTask[static_cast<size_t>(t)] = kept.index;
        }
    }
    for (int64_t t = 0; t < tasks; ++t)
        for (int64_t box : keptPerTask[static_cast<size_t>(t)])
            selected.push_back({t / shape.classes, t % shape.classes, box});
    return selected;
}

}  // namespace interstage::ops
