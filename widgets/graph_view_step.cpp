// The graph view's step-through: the node running at a step, the tensors
// alive then, and what is not yet made or already freed, greyed. The step
// comes by file graph names (appcore::graphStepAt maps the executed graph
// onto the file's), so it survives re-layouts and grouped graphs.
#include "widgets/graph_items.h"
#include "widgets/graph_view.h"

namespace widgets {
namespace {

// Faint enough to read as "not here now", clear enough to keep the shape.
constexpr double kGreyOpacity = 0.22;

using StepState = GraphView::StepState;

// The state a collapsed group shows for its members: the most telling one.
int rank(StepState state) {
    switch (state) {
        case StepState::Running:
            return 4;
        case StepState::Live:
            return 3;
        case StepState::Freed:
            return 2;
        case StepState::NotYetMade:
            return 1;
        case StepState::None:
            break;
    }
    return 0;
}

bool greyed(StepState state) { return state == StepState::NotYetMade || state == StepState::Freed; }

}  // namespace

void GraphView::showStep(const GraphStep& step) {
    step_ = step;
    hasStep_ = true;
    applyStep();
}

void GraphView::clearStep() {
    step_ = GraphStep();
    hasStep_ = false;
    applyStep();
}

GraphView::StepState GraphView::valueStepState(interstage::ValueId value) const {
    if (value < 0 || static_cast<size_t>(value) >= values_.size()) return StepState::None;
    const QString& name = values_[static_cast<size_t>(value)].name;
    if (step_.liveValues.contains(name)) return StepState::Live;
    return step_.madeValues.contains(name) ? StepState::Freed : StepState::NotYetMade;
}

// A node: running, else alive while any output is, else freed once one was
// made. A control-flow body node is left as it is: bodies have no steps of
// the run's plan.
GraphView::StepState GraphView::nodeStepState(const NodeEntry& entry) const {
    if (!hasStep_) return StepState::None;
    if (entry.group >= 0) return groupStepState(entry.group);
    if (entry.node < 0) return valueStepState(entry.value);
    if (static_cast<size_t>(entry.node) >= infos_.size()) return StepState::None;
    const NodeInfo& info = infos_[static_cast<size_t>(entry.node)];
    if (step_.runningNodes.contains(info.name)) return StepState::Running;
    if (info.outputs.empty()) return StepState::None;  // a body node
    StepState best = StepState::NotYetMade;
    for (interstage::ValueId out : info.outputs) {
        const StepState state = valueStepState(out);
        if (rank(state) > rank(best)) best = state;
    }
    return best;
}

// A collapsed group shows the most telling state of the nodes inside.
GraphView::StepState GraphView::groupStepState(int group) const {
    StepState best = StepState::None;
    for (int node : nodesInGroup(group)) {
        NodeEntry member;
        member.node = node;
        const StepState state = nodeStepState(member);
        if (rank(state) > rank(best)) best = state;
    }
    return best;
}

void GraphView::applyStep() {
    QVector<StepState> states(nodes_.size(), StepState::None);
    for (int i = 0; i < nodes_.size(); ++i) {
        states[i] = nodeStepState(nodes_[i]);
        nodes_[i].item->setRunningMark(states[i] == StepState::Running);
        nodes_[i].item->setOpacity(greyed(states[i]) ? kGreyOpacity : 1.0);
    }
    for (const EdgeEntry& edge : edges_) {
        StepState state = hasStep_ ? valueStepState(edge.value) : StepState::None;
        // Inside a fused node (both ends running) the tensor has no buffer
        // but is what the step computes.
        if (edge.from >= 0 && edge.to >= 0 && states[edge.from] == StepState::Running &&
            states[edge.to] == StepState::Running)
            state = StepState::Live;
        edge.item->setLiveMark(state == StepState::Live);
        edge.item->setOpacity(greyed(state) ? kGreyOpacity : 1.0);
    }
}

std::vector<int> GraphView::nodesInGroup(int group) const {
    std::vector<int> nodes;
    if (!grouped_ || group < 0 || group >= grouped_->tree().groupCount()) return nodes;
    const auto& plan = grouped_->plan().nodes;
    std::vector<int> pending{group};
    while (!pending.empty()) {
        const appcore::Group& g = grouped_->tree().group(pending.back());
        pending.pop_back();
        for (int item : g.items)
            if (item >= 0 && item < plan.size() && plan[item].node >= 0 &&
                static_cast<size_t>(plan[item].node) < infos_.size())
                nodes.push_back(plan[item].node);
        pending.insert(pending.end(), g.children.begin(), g.children.end());
    }
    return nodes;
}

int GraphView::layoutIndexOfNode(const QString& nodeName) const {
    for (size_t n = 0; n < infos_.size(); ++n) {
        if (infos_[n].name != nodeName) continue;
        if (layoutOfNode_[n] >= 0) return layoutOfNode_[n];
        return collapsedGroupEntry(static_cast<int>(n));
    }
    return -1;
}

int GraphView::collapsedGroupEntry(int nodeIndex) const {
    if (!grouped_ || nodeIndex < 0 || static_cast<size_t>(nodeIndex) >= itemOfNode_.size()) return -1;
    const int item = itemOfNode_[static_cast<size_t>(nodeIndex)];
    if (item < 0) return -1;
    const int group = expansion_.closedGroupHolding(grouped_->tree(), item);
    for (int i = 0; i < nodes_.size(); ++i)
        if (group >= 0 && nodes_[i].group == group) return i;
    return -1;
}

GraphView::StepState GraphView::stepStateOf(const QString& nodeName) const {
    if (!hasStep_) return StepState::None;
    const int index = layoutIndexOfNode(nodeName);
    if (index < 0) return StepState::None;
    return nodeStepState(nodes_[index]);
}

GraphView::StepState GraphView::edgeStepStateOf(const QString& valueName) const {
    if (!hasStep_) return StepState::None;
    for (const EdgeEntry& edge : edges_) {
        if (edge.value < 0 || static_cast<size_t>(edge.value) >= values_.size() ||
            values_[static_cast<size_t>(edge.value)].name != valueName)
            continue;
        if (edge.item->isLiveMark()) return StepState::Live;
        return valueStepState(edge.value);
    }
    return StepState::None;
}

}  // namespace widgets
