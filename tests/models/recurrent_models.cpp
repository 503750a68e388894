#include "models/recurrent_models.h"

using namespace interstage;

namespace testmodels {

int64_t gatesOf(const std::string& op) { return op == "LSTM" ? 4 : op == "GRU" ? 3 : 1; }
int64_t directionsOf(const RecurrentCase& c) { return c.direction == "bidirectional" ? 2 : 1; }

TensorData randomTensor(const Shape& shape, uint64_t seed) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return TensorData::fromFloat(WeightGenerator(seed).uniform(n, 0.6f), shape);
}

Shape stateShape(const RecurrentCase& c) {
    const int64_t dirs = directionsOf(c);
    return c.layout == 0 ? Shape{dirs, c.batch, c.hidden} : Shape{c.batch, dirs, c.hidden};
}

Tensors makeInputs(const RecurrentCase& c) {
    const int64_t dirs = directionsOf(c), rows = gatesOf(c.op) * c.hidden;
    Tensors t;
    t["X"] = randomTensor(c.layout == 0 ? Shape{c.seq, c.batch, c.input} : Shape{c.batch, c.seq, c.input}, 1);
    t["W"] = randomTensor({dirs, rows, c.input}, 2);
    t["R"] = randomTensor({dirs, rows, c.hidden}, 3);
    if (c.bias) t["B"] = randomTensor({dirs, 2 * rows}, 4);
    if (!c.lengths.empty()) {
        TensorData lens = TensorData::zeros(DataType::Int32, {c.batch});
        std::copy(c.lengths.begin(), c.lengths.end(), lens.data<int32_t>());
        t["sequence_lens"] = lens;
    }
    if (c.initialState) {
        t["initial_h"] = randomTensor(stateShape(c), 5);
        if (c.op == "LSTM") t["initial_c"] = randomTensor(stateShape(c), 6);
    }
    if (c.peephole) t["P"] = randomTensor({dirs, 3 * c.hidden}, 7);
    return t;
}

GraphBuilder makeGraph(const RecurrentCase& c, const Tensors& inputs) {
    GraphBuilder g("recurrent", 14);
    const std::vector<std::string> order =
        c.op == "LSTM" ? std::vector<std::string>{"X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"}
                       : std::vector<std::string>{"X", "W", "R", "B", "sequence_lens", "initial_h"};
    std::vector<std::string> names;
    for (const std::string& name : order) {
        auto it = inputs.find(name);
        if (it == inputs.end())
            names.push_back("");
        else if (c.weightsAsInitializers && name != "X")
            names.push_back(g.initializer(name, it->second));
        else
            names.push_back(g.input(name, it->second.dtype, it->second.shape));
    }
    while (names.back().empty()) names.pop_back();
    std::vector<Attribute> attrs{intAttr("hidden_size", c.hidden), stringAttr("direction", c.direction),
                                 intAttr("layout", c.layout)};
    if (c.clip > 0) attrs.push_back(floatAttr("clip", c.clip));
    if (!c.activations.empty()) attrs.push_back(stringsAttr("activations", c.activations));
    if (!c.alphas.empty()) attrs.push_back(floatsAttr("activation_alpha", c.alphas));
    if (!c.betas.empty()) attrs.push_back(floatsAttr("activation_beta", c.betas));
    if (c.op == "GRU") attrs.push_back(intAttr("linear_before_reset", c.linearBeforeReset ? 1 : 0));
    if (c.op == "LSTM") attrs.push_back(intAttr("input_forget", c.inputForget ? 1 : 0));
    const int outputs = c.op == "LSTM" ? 3 : 2;
    for (const std::string& out : g.node(c.op, names, attrs, outputs, "cell")) g.output(out);
    return g;
}

std::vector<std::pair<std::string, RecurrentCase>> recurrentCases() {
    std::vector<std::pair<std::string, RecurrentCase>> cases;
    RecurrentCase c;
    cases.emplace_back("lstm forward", c);
    c.direction = "bidirectional";
    c.initialState = c.peephole = true;
    c.lengths = {5, 2, 0};
    cases.emplace_back("lstm bidirectional, lengths, peepholes", c);
    c = RecurrentCase{};
    c.direction = "reverse";
    c.layout = 1;
    c.lengths = {3, 5, 1};
    c.clip = 0.7f;
    c.inputForget = true;
    cases.emplace_back("lstm reverse batch-first, clip, input_forget", c);
    c = RecurrentCase{};
    c.activations = {"HardSigmoid", "Elu", "Softsign"};
    c.alphas = {0.3f, 0.8f};
    c.betas = {0.4f};
    c.bias = false;
    c.weightsAsInitializers = true;
    cases.emplace_back("lstm named activations, initializers", c);
    c = RecurrentCase{};
    c.op = "GRU";
    c.lengths = {4, 5, 2};
    cases.emplace_back("gru forward, reset first, lengths", c);
    c.direction = "bidirectional";
    c.layout = 1;
    c.linearBeforeReset = true;
    c.initialState = true;
    cases.emplace_back("gru bidirectional batch-first, linear before reset", c);
    c = RecurrentCase{};
    c.op = "GRU";
    c.direction = "reverse";
    c.activations = {"LeakyRelu", "ScaledTanh"};
    c.alphas = {0.2f, 1.5f};
    c.betas = {0.5f};
    c.clip = 1.2f;
    c.hidden = 17;
    c.input = 1;
    cases.emplace_back("gru reverse, named activations, clip", c);
    c = RecurrentCase{};
    c.op = "RNN";
    c.direction = "bidirectional";
    c.lengths = {1, 0, 5};
    cases.emplace_back("rnn bidirectional, lengths", c);
    c = RecurrentCase{};
    c.op = "RNN";
    c.direction = "reverse";
    c.layout = 1;
    c.activations = {"Relu"};
    c.initialState = true;
    c.weightsAsInitializers = true;
    c.batch = 1;
    cases.emplace_back("rnn reverse batch-first, Relu, initializers", c);
    return cases;
}

}  // namespace testmodels
