#include "core/step_state.h"

#include <QObject>
#include <algorithm>

#include "interstage/live_peak.h"

namespace appcore {

namespace {

QString nodeAt(const RunSetResult& set, int step) {
    if (step < 0 || step >= int(set.executedNodeNames.size())) return QString();
    return QString::fromStdString(set.executedNodeNames[size_t(step)]);
}

const interstage::RunStats* runOf(const RunSetResult& set, int run) {
    if (set.runs.empty()) return nullptr;
    if (run < 1 || run > int(set.runs.size())) return set.runs.back().get();
    return set.runs[size_t(run - 1)].get();
}

// The op from the run's node times, else from the plan's node list (a
// restored set has no ops saved; a planned one has no times).
QString opAt(const RunSetResult& set, const interstage::RunStats* stats, int step) {
    if (stats && step < int(stats->nodes.size())) return QString::fromStdString(stats->nodes[size_t(step)].op);
    if (step < int(set.executedNodeOps.size())) return QString::fromStdString(set.executedNodeOps[size_t(step)]);
    return QString();
}

LiveRow rowOf(const RunSetResult& set, const interstage::LiveTensor& live, int step) {
    const interstage::TensorPlacement& p = set.memoryMap[live.index];
    LiveRow row;
    row.name = QString::fromStdString(p.name);
    row.bytes = p.bytes;
    row.countedBytes = live.countedBytes;
    row.producer = nodeAt(set, p.first);
    row.lastReader = nodeAt(set, p.last);
    row.kept = p.kept;
    row.inPlace = live.inside;
    row.freedAfter = p.last == step && !p.kept;
    row.heldForInputs = step < p.first || step > p.last;
    return row;
}

}  // namespace

QString StepState::label() const {
    if (step < 0) return QObject::tr("no steps: plan or run a model");
    QString text = QObject::tr("step %1 / %2").arg(step).arg(steps - 1);
    if (!node.isEmpty()) text += QStringLiteral(" · ") + node;
    if (!op.isEmpty()) text += QStringLiteral(" (%1)").arg(op);
    return text;
}

int stepCount(const RunSetResult& set) {
    int steps = int(set.executedNodeNames.size());
    for (const interstage::TensorPlacement& p : set.memoryMap) steps = std::max(steps, p.last + 1);
    return steps;
}

StepState stepState(const RunSetResult& set, int step, int run) {
    StepState state;
    state.steps = stepCount(set);
    if (state.steps == 0) return state;
    state.step = std::clamp(step, 0, state.steps - 1);
    const interstage::RunStats* stats = runOf(set, run);
    state.node = nodeAt(set, state.step);
    state.op = opAt(set, stats, state.step);
    for (const interstage::LiveTensor& live : interstage::liveTensorsAtStep(set.memoryMap, state.step)) {
        state.live.push_back(rowOf(set, live, state.step));
        state.liveBytes += live.countedBytes;
    }
    std::stable_sort(state.live.begin(), state.live.end(),
                     [](const LiveRow& a, const LiveRow& b) { return a.bytes > b.bytes; });
    if (stats && state.step < int(stats->nodes.size())) {
        state.timed = true;
        state.startMs = stats->nodes[size_t(state.step)].startMs;
        state.ms = stats->nodes[size_t(state.step)].ms;
    }
    return state;
}

}  // namespace appcore
