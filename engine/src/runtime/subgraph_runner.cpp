#include "runtime/subgraph_runner.h"

#include <cstring>

#include "interstage/format.h"
#include "model/subgraph_shapes.h"
#include "plan/plan_memory.h"
#include "runtime/cpu_executor.h"
#include "runtime/memory_budget.h"

namespace interstage {

// A body resolved for one set of input shapes, with its executor.
class SubgraphRunner::PreparedBody : public cpu::Subgraph {
public:
    PreparedBody(SubgraphRunner& runner, std::unique_ptr<Graph> graph, int32_t& iteration)
        : runner_(runner), graph_(std::move(graph)), iteration_(iteration) {}
    ~PreparedBody() override { executor_.reset(); }

    Status run(const std::vector<cpu::TensorView>& inputs, std::vector<cpu::TensorView>& outputs) override {
        const std::vector<ValueId> formal = graph_->runtimeInputs();
        if (formal.size() != inputs.size())
            return invalidModel("the body takes " + std::to_string(formal.size()) + " inputs, but is given " +
                                std::to_string(inputs.size()));
        for (size_t i = 0; i < formal.size(); ++i) executor_->bind(formal[i], inputs[i].data);
        for (const auto& [inner, outerId] : captured_) executor_->bind(inner, runner_.outerView(outerId).data);
        ++iteration_;
        const std::function<bool()> stop = [this] { return runner_.stopRequested(); };
        IS_RETURN_IF_ERROR(executor_->runBody(stop));
        outputs.clear();
        for (ValueId id : graph_->outputs) outputs.push_back(executor_->viewOf(id));
        return Status::ok();
    }

    void finish() override { executor_->endBodyRun(); }

    bool matches(const std::vector<cpu::TensorView>& inputs) const {
        if (valueDependent || inputs.size() != signature.size()) return false;
        for (size_t i = 0; i < inputs.size(); ++i)
            if (inputs[i].dtype != signature[i].dtype || inputs[i].shape != signature[i].shape) return false;
        return true;
    }

    Graph& graph() { return *graph_; }

    SubgraphRunner& runner_;
    std::unique_ptr<Graph> graph_;  // the executor refers to it: its address must not change
    std::unique_ptr<CpuExecutor> executor_;
    int32_t& iteration_;                                 // the runner's count for this body; events read it
    std::vector<std::pair<ValueId, ValueId>> captured_;  // (body value, outer value)
    std::vector<cpu::TensorView> signature;              // dtypes and shapes; no data
    bool valueDependent = false;                         // resolved from input values: never reused
};

SubgraphRunner::SubgraphRunner(const Graph& outer, OuterValues& owner, HostAllocator& allocator, MemoryTracker& tracker,
                               int threads, SubgraphOptions options, std::string path)
    : outer_(outer),
      owner_(owner),
      allocator_(allocator),
      tracker_(tracker),
      threads_(threads),
      options_(options),
      path_(std::move(path)) {}

SubgraphRunner::~SubgraphRunner() = default;

void SubgraphRunner::enter(NodeId reportedNode, NodeId node, const std::function<bool()>* stopRequested) {
    reportedNode_ = reportedNode;
    node_ = node;
    stop_ = stopRequested;
    for (auto& [body, iteration] : iterations_) iteration = -1;
}

std::string SubgraphRunner::pathOf(const Graph& body) const {
    std::string attribute = body.name;
    if (node_ != kNoNode && static_cast<size_t>(node_) < outer_.nodes.size()) {
        const Node& node = outer_.nodes[static_cast<size_t>(node_)];
        for (const Attribute& a : node.attributes)
            if (a.graph.get() == &body) attribute = a.name;
        return (path_.empty() ? "" : path_ + " › ") + node.name + " › " + attribute;
    }
    return path_.empty() ? attribute : path_ + " › " + attribute;
}

Status SubgraphRunner::checkStop() {
    if (stopRequested()) return Status(StatusCode::Cancelled, "the run was stopped");
    return Status::ok();
}

cpu::TensorView SubgraphRunner::outerView(ValueId id) const { return owner_.outerView(id); }

namespace {

std::vector<BodyInput> bodyInputs(const std::vector<cpu::TensorView>& inputs, bool withValues,
                                  int64_t maxFoldElements) {
    std::vector<BodyInput> result;
    for (const cpu::TensorView& view : inputs) {
        BodyInput input{view.dtype, view.shape, nullptr};
        if (withValues && view.data && view.count() <= maxFoldElements && view.dtype != DataType::String) {
            TensorData value = TensorData::zeros(view.dtype, view.shape);
            if (!value.bytes.empty()) std::memcpy(value.bytes.data(), view.data, value.bytes.size());
            input.value = std::make_shared<const TensorData>(std::move(value));
        }
        result.push_back(std::move(input));
    }
    return result;
}

}  // namespace

Result<std::unique_ptr<SubgraphRunner::PreparedBody>> SubgraphRunner::build(
    const Graph& body, const std::vector<cpu::TensorView>& inputs) {
    // Shapes from the inputs' shapes alone, so the plan can be kept; a body
    // whose shapes depend on input values (a Slice by the iteration number)
    // is resolved from the values, for this iteration only.
    bool valueDependent = false;
    auto resolved = resolveBody(body, bodyInputs(inputs, false, 0), outer_, options_.shapes);
    if (!resolved.ok() && resolved.status().code() == StatusCode::ShapeError) {
        resolved =
            resolveBody(body, bodyInputs(inputs, true, options_.shapes.maxFoldElements), outer_, options_.shapes);
        valueDependent = true;
    }
    if (!resolved.ok()) return resolved.status();
    const auto counter = iterations_.try_emplace(&body, -1).first;
    auto prepared = std::make_unique<PreparedBody>(*this, std::make_unique<Graph>(resolved.take()), counter->second);
    prepared->valueDependent = valueDependent;
    for (const cpu::TensorView& view : inputs) prepared->signature.push_back({view.dtype, view.shape, nullptr});
    Graph& graph = prepared->graph();
    for (size_t id = 0; id < graph.values.size(); ++id)
        if (graph.values[id].fromOuterScope)
            prepared->captured_.push_back({static_cast<ValueId>(id), outer_.find(graph.values[id].name)});

    auto executor = std::make_unique<CpuExecutor>(graph, threads_, allocator_, tracker_);
    executor->setSubgraphOptions(options_);
    // Each value (and each node's planned workspace, ids past the values)
    // gets its index in the session's table once; events carry the index.
    const std::string path = pathOf(body);
    std::vector<int32_t> indices(graph.values.size() + graph.nodes.size(), -1);
    for (size_t id = 0; id < graph.values.size(); ++id)
        indices[id] = tracker_.bodyValueIndex(reportedNode_, path, graph.values[id].name);
    for (size_t n = 0; n < graph.nodes.size(); ++n)
        indices[graph.values.size() + n] =
            tracker_.bodyValueIndex(reportedNode_, path, "workspace of " + graph.nodes[n].name);
    const int32_t slab = tracker_.bodyValueIndex(reportedNode_, path, "the arena");
    executor->runAsBody(reportedNode_, path, std::move(indices), slab, &counter->second);
    IS_RETURN_IF_ERROR(executor->prepareKernels());
    // Bodies are planned without aliases (no in-place writes, Concat
    // members or page moves): each tensor gets its own bytes in the plan.
    PlanRequest request;
    request.mode = options_.mode;
    request.aliases = false;
    request.inPlace = InPlaceOptions{false, false, nullptr, nullptr, false};
    request.workspaceBytes = [&executor](size_t step) { return executor->workspaceBytes(step); };
    PlannedMemory planned = planMemory(graph, request);
    const std::size_t peak =
        plannedPeakBytes(planned.plan, static_cast<int>(graph.nodes.size())) + planned.sharedWorkspaceBytes;
    const MemoryBudget& budget = allocator_.budget();
    if (budget.bytes && tracker_.currentBytes() + peak > budget.bytes)
        return Status(StatusCode::OutOfMemory, "the subgraph '" + body.name + "' needs " + budgetBytesText(peak) +
                                                   " at its peak; with " + budgetBytesText(tracker_.currentBytes()) +
                                                   " held, that is more than " + budgetText(budget) + " (mode " +
                                                   options_.mode.name() + ")");
    IS_RETURN_IF_ERROR(executor->setPlan(planned.tensors, planned.plan, planned.sharedWorkspaceBytes));
    prepared->executor_ = std::move(executor);
    return prepared;
}

Result<cpu::Subgraph*> SubgraphRunner::prepare(const Graph& body, const std::vector<cpu::TensorView>& inputs) {
    auto& slot = prepared_[&body];
    if (slot && slot->matches(inputs)) return static_cast<cpu::Subgraph*>(slot.get());
    slot.reset();  // the old plan's memory goes before the new one's comes
    IS_ASSIGN_OR_RETURN(slot, build(body, inputs));
    return static_cast<cpu::Subgraph*>(slot.get());
}

}  // namespace interstage
