// Control flow gone wrong (and right): If branches that disagree, a Loop
// body that does not fit its node, bodies nested beyond the engine's
// limit, and an If on a known condition that must run. The valid ones
// also seed the fuzzer with bodies.
#include "hostile_corpus.h"

namespace hostile {
namespace {

onnx::NodeProto* addNode(onnx::GraphProto* g, const std::string& op, const std::string& name,
                         const std::vector<std::string>& inputs, const std::vector<std::string>& outputs) {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return n;
}

onnx::GraphProto* addBody(onnx::NodeProto* node, const std::string& attribute, const std::string& name) {
    auto* a = node->add_attribute();
    a->set_name(attribute);
    a->set_type(onnx::AttributeProto::GRAPH);
    a->mutable_g()->set_name(name);
    return a->mutable_g();
}

// x [2,2] -> If(cond) -> z, branches added by the caller.
onnx::ModelProto ifModel(bool condition, onnx::NodeProto*& ifNode) {
    onnx::ModelProto m = reluModel({2, 2});
    auto* g = m.mutable_graph();
    g->clear_node();
    g->clear_output();
    auto* cond = g->add_initializer();
    cond->set_name("cond");
    cond->set_data_type(onnx::TensorProto::BOOL);
    cond->add_int32_data(condition ? 1 : 0);
    ifNode = addNode(g, "If", "branch", {"cond"}, {"z"});
    g->add_output()->set_name("z");
    return m;
}

void addBranchOutput(onnx::GraphProto* body, const std::string& op, const std::string& out) {
    addNode(body, op, body->name() + "_" + op, {"x"}, {out});
    setFloatType(body->add_output(), {2, 2});
    body->mutable_output(body->output_size() - 1)->set_name(out);
}

}  // namespace

void addControlFlowCases(Corpus& corpus) {
    onnx::NodeProto* ifNode = nullptr;
    onnx::ModelProto m = ifModel(true, ifNode);
    auto* then = addBody(ifNode, "then_branch", "then");
    addBranchOutput(then, "Relu", "then_a");
    addBranchOutput(then, "Neg", "then_b");
    addBranchOutput(addBody(ifNode, "else_branch", "else"), "Abs", "else_a");
    corpus.inspect("if_branch_outputs_differ.onnx", m, "different numbers of outputs",
                   "then_branch gives 2 outputs, else_branch 1");

    m = ifModel(false, ifNode);
    addBranchOutput(addBody(ifNode, "then_branch", "then"), "Relu", "then_a");
    auto* inner = addBody(ifNode, "else_branch", "else");
    // The else branch switches again, on the same outer condition.
    auto* nested = addNode(inner, "If", "nested", {"cond"}, {"else_z"});
    addBranchOutput(addBody(nested, "then_branch", "nested_then"), "Abs", "nested_a");
    addBranchOutput(addBody(nested, "else_branch", "nested_else"), "Neg", "nested_b");
    setFloatType(inner->add_output(), {2, 2});
    inner->mutable_output(0)->set_name("else_z");
    corpus.runs("if_nested_known_condition.onnx", m, "z=2x2", "If on a constant false, a nested If in the branch");

    // A Loop with one carried value whose body takes only that value.
    m = reluModel({2, 2});
    auto* g = m.mutable_graph();
    g->clear_node();
    auto* trips = g->add_initializer();
    trips->set_name("trips");
    trips->set_data_type(onnx::TensorProto::INT64);
    trips->add_int64_data(3);
    auto* loop = addNode(g, "Loop", "loop", {"trips", "", "x"}, {"y"});
    auto* body = addBody(loop, "body", "short_body");
    body->add_input()->set_name("v");
    setFloatType(body->mutable_input(0), {2, 2});
    addNode(body, "Relu", "body_relu", {"v"}, {"v_next"});
    body->add_output()->set_name("v_next");
    corpus.inspect("loop_body_signature.onnx", m, "this Loop needs 3 inputs",
                   "the body takes 1 input, not iteration + condition + 1 carried");

    // Ifs nested 20 deep, past the engine's limit of 16.
    m = ifModel(true, ifNode);
    onnx::NodeProto* level = ifNode;
    for (int depth = 1; depth <= 20; ++depth) {
        auto* branch = addBody(level, "then_branch", "level_" + std::to_string(depth));
        addBranchOutput(addBody(level, "else_branch", "flat_" + std::to_string(depth)), "Relu",
                        "flat_" + std::to_string(depth) + "_z");
        const std::string out = "level_" + std::to_string(depth) + "_z";
        level = addNode(branch, "If", "if_" + std::to_string(depth), {"cond"}, {out});
        setFloatType(branch->add_output(), {2, 2});
        branch->mutable_output(0)->set_name(out);
    }
    addBranchOutput(addBody(level, "then_branch", "leaf_then"), "Relu", "leaf_a");
    addBranchOutput(addBody(level, "else_branch", "leaf_else"), "Relu", "leaf_b");
    corpus.error("subgraphs_nested_20_deep.onnx", m, "nest more than 16 levels",
                 "If inside If 20 levels deep: within protobuf's limit, beyond the engine's");
}

}  // namespace hostile
