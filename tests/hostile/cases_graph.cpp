// Graph structure gone wrong: cycles, reads of values nothing produces,
// names declared twice, ops and opsets the engine cannot know, empty graphs.
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

void addCycles(Corpus& corpus) {
    onnx::ModelProto two = reluModel({2, 2});
    auto* g = two.mutable_graph();
    g->mutable_node(0)->set_input(0, "b");  // relu reads b, relu_b reads y
    addNode(g, "Relu", "relu_b", {"y"}, {"b"});
    corpus.error("cycle_of_two.onnx", two, "cycle", "relu -> relu_b -> relu");

    onnx::ModelProto self = reluModel({2, 2});
    self.mutable_graph()->mutable_node(0)->set_input(0, "y");
    corpus.error("cycle_self_loop.onnx", self, "'relu'", "a node that reads its own output");

    // A cycle behind a valid prefix: the sort must name the nodes in it.
    onnx::ModelProto later = reluModel({2, 2});
    g = later.mutable_graph();
    addNode(g, "Add", "loop_a", {"y", "d"}, {"c"});
    addNode(g, "Relu", "loop_b", {"c"}, {"d"});
    g->mutable_output(0)->set_name("c");
    corpus.error("cycle_after_valid_prefix.onnx", later, "loop_a", "relu is fine; loop_a <-> loop_b");
}

void addDangling(Corpus& corpus) {
    onnx::ModelProto m = addModel();
    m.mutable_graph()->mutable_node(0)->set_input(1, "ghost");
    corpus.error("dangling_node_input.onnx", m, "'ghost'", "add reads a value nothing produces");

    m = addModel();
    m.mutable_graph()->add_output()->set_name("nowhere");
    corpus.error("dangling_graph_output.onnx", m, "'nowhere'", "a graph output nothing produces");

    // A subgraph that reads an outer value that does not exist.
    m = addModel();
    auto* g = m.mutable_graph();
    auto* cond = g->add_initializer();
    cond->set_name("cond");
    cond->set_data_type(onnx::TensorProto::BOOL);
    cond->add_int32_data(1);
    auto* ifNode = addNode(g, "If", "branch", {"cond"}, {"z"});
    for (const char* branch : {"then_branch", "else_branch"}) {
        auto* a = ifNode->add_attribute();
        a->set_name(branch);
        a->set_type(onnx::AttributeProto::GRAPH);
        auto* body = a->mutable_g();
        body->set_name(branch);
        addNode(body, "Identity", "inner", {"phantom"}, {"out"});
        body->add_output()->set_name("out");
    }
    g->add_output()->set_name("z");
    corpus.error("dangling_subgraph_input.onnx", m, "'phantom'",
                 "an If branch reads an outer value that does not exist");

    // A name with a line break must not break the one-line error.
    m = addModel();
    m.mutable_graph()->mutable_node(0)->set_input(1, "two\nlines");
    corpus.error("dangling_name_with_newline.onnx", m, "two\\nlines", "the missing value's name holds a newline");
}

void addDuplicates(Corpus& corpus) {
    onnx::ModelProto m = addModel();
    *m.mutable_graph()->add_node() = m.graph().node(0);
    m.mutable_graph()->mutable_node(1)->set_name("add_again");
    corpus.error("duplicate_node_output.onnx", m, "'y' is produced twice", "two nodes write y");

    m = addModel();
    m.mutable_graph()->mutable_node(0)->add_output("y");
    corpus.error("duplicate_output_same_node.onnx", m, "'y' is produced twice", "one node lists y twice");

    m = addModel();
    *m.mutable_graph()->add_initializer() = m.graph().initializer(0);
    corpus.error("duplicate_initializer.onnx", m, "initializer 'w' is declared twice", "two initializers named w");

    m = addModel();
    *m.mutable_graph()->add_input() = m.graph().input(0);
    corpus.error("duplicate_graph_input.onnx", m, "graph input 'x' is declared twice", "two inputs named x");

    m = addModel();
    m.mutable_graph()->mutable_node(0)->set_output(0, "x");
    m.mutable_graph()->mutable_output(0)->set_name("x");
    corpus.error("node_overwrites_graph_input.onnx", m, "writes 'x'", "add writes the graph input x");

    m = addModel();
    m.mutable_graph()->mutable_node(0)->set_output(0, "w");
    m.mutable_graph()->mutable_output(0)->set_name("w");
    corpus.error("node_overwrites_initializer.onnx", m, "writes 'w'", "add writes the initializer w");
}

void addOps(Corpus& corpus) {
    onnx::ModelProto m = reluModel({2, 2});
    m.mutable_graph()->mutable_node(0)->set_op_type("FrobnicateTensor");
    corpus.inspect("op_unknown.onnx", m, "FrobnicateTensor", "an op no one defines");

    m = reluModel({2, 2});
    m.mutable_graph()->mutable_node(0)->set_domain("com.example.hostile");
    auto* opset = m.add_opset_import();
    opset->set_domain("com.example.hostile");
    opset->set_version(1);
    corpus.inspect("op_unknown_domain.onnx", m, "com.example.hostile", "Relu in a domain no one defines");

    m = reluModel({2, 2});
    m.mutable_graph()->mutable_node(0)->set_domain("com.example.undeclared");
    corpus.inspect("op_domain_not_imported.onnx", m, "com.example.undeclared", "a domain missing from opset_import");

    m = reluModel({2, 2});
    m.mutable_graph()->mutable_node(0)->set_op_type("");
    corpus.error("op_type_empty.onnx", m, "no op type", "a node with an empty op_type");

    m = addModel();
    m.mutable_graph()->mutable_node(0)->mutable_input()->RemoveLast();
    corpus.inspect("op_missing_input.onnx", m, "'add'", "Add with one input");

    // Attributes of the wrong type: Transpose's perm as a string, Softmax's
    // axis out of range.
    m = reluModel({2, 3});
    m.mutable_graph()->mutable_node(0)->set_op_type("Transpose");
    auto* perm = m.mutable_graph()->mutable_node(0)->add_attribute();
    perm->set_name("perm");
    perm->set_type(onnx::AttributeProto::STRING);
    perm->set_s("1,0");
    corpus.error("attr_wrong_type.onnx", m, "'perm'", "Transpose perm given as a STRING");

    m = reluModel({2, 3});
    m.mutable_graph()->mutable_node(0)->set_op_type("Softmax");
    auto* axis = m.mutable_graph()->mutable_node(0)->add_attribute();
    axis->set_name("axis");
    axis->set_type(onnx::AttributeProto::INT);
    axis->set_i(7);
    corpus.inspect("attr_axis_out_of_range.onnx", m, "axis", "Softmax axis 7 on a rank-2 tensor");

    // A Constant whose value attribute is an INT, not a TENSOR.
    m = reluModel({2, 2});
    auto* g = m.mutable_graph();
    auto* c = addNode(g, "Constant", "const", {}, {"k"});
    auto* value = c->add_attribute();
    value->set_name("value");
    value->set_type(onnx::AttributeProto::INT);
    value->set_i(3);
    g->mutable_node()->SwapElements(0, 1);
    g->mutable_node(1)->set_op_type("Add");
    g->mutable_node(1)->add_input("k");
    corpus.error("attr_constant_value_not_tensor.onnx", m, "'const'", "Constant value attribute of type INT");
}

void addOpsets(Corpus& corpus) {
    onnx::ModelProto m = reluModel({2, 2});
    m.mutable_opset_import(0)->set_version(10000);
    corpus.error("opset_from_the_future.onnx", m, "opset 10000", "default-domain opset 10000");

    m = reluModel({2, 2});
    m.mutable_opset_import(0)->set_version(0);
    corpus.error("opset_zero.onnx", m, "opset 0", "default-domain opset 0");

    m = reluModel({2, 2});
    m.mutable_opset_import(0)->set_version(-3);
    corpus.error("opset_negative.onnx", m, "opset -3", "default-domain opset -3");

    m = reluModel({2, 2});
    m.clear_opset_import();
    corpus.error("opset_import_missing.onnx", m, "no opset_import", "IR version 8 with no opset_import");

    m = reluModel({2, 2});
    m.set_ir_version(0);
    corpus.error("ir_version_zero.onnx", m, "ir_version", "ir_version 0");
}

void addEmptyGraphs(Corpus& corpus) {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    m.mutable_graph()->set_name("empty");
    corpus.error("graph_empty.onnx", m, "no outputs", "a graph with no nodes, inputs or outputs");

    onnx::ModelProto noOutputs = reluModel({2, 2});
    noOutputs.mutable_graph()->clear_output();
    corpus.error("graph_without_outputs.onnx", noOutputs, "no outputs", "nodes but no graph output");

    onnx::ModelProto noGraph;
    noGraph.set_ir_version(8);
    noGraph.add_opset_import()->set_version(13);
    corpus.error("model_without_graph.onnx", noGraph, "holds no graph", "a ModelProto with no graph");

    // A graph whose only output is its input: valid ONNX, nothing to run.
    onnx::ModelProto pass = reluModel({2, 3});
    pass.mutable_graph()->clear_node();
    pass.mutable_graph()->mutable_output(0)->set_name("x");
    corpus.runs("graph_input_is_output.onnx", pass, "x=2x3", "no nodes; the output is the input");
}

}  // namespace

void addGraphCases(Corpus& corpus) {
    addCycles(corpus);
    addDangling(corpus);
    addDuplicates(corpus);
    addOps(corpus);
    addOpsets(corpus);
    addEmptyGraphs(corpus);
}

}  // namespace hostile
