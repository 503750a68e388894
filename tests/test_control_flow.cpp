// If, Loop and Scan on hand-built models: each runs in every memory
// preset and matches values computed here (by hand, or by the same ops as
// a plain graph without control flow); bad bodies are clear errors. On
// Vulkan they run through the CPU fallback and match the CPU backend.
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "interstage/builder.h"
#include "interstage/model_info.h"
#include "interstage/session.h"
#include "interstage/vulkan.h"
#include "models/control_flow_models.h"
#include "test_support.h"

using namespace interstage;
using namespace testmodels;

namespace {

TensorData boolTensor(bool value) {
    TensorData t = TensorData::zeros(DataType::Bool, {1});
    t.data<uint8_t>()[0] = value ? 1 : 0;
    return t;
}

std::vector<float> floatsOf(const TensorData& t) {
    return std::vector<float>(t.data<float>(), t.data<float>() + t.elementCount());
}

void expectNear(const std::vector<float>& got, const std::vector<float>& expected, const std::string& what) {
    QVERIFY2(
        got.size() == expected.size(),
        (what + ": " + std::to_string(got.size()) + " values, expected " + std::to_string(expected.size())).c_str());
    for (size_t i = 0; i < got.size(); ++i)
        if (std::abs(got[i] - expected[i]) > 1e-5f * (1 + std::abs(expected[i])))
            QFAIL(qPrintable(QString::fromStdString(what) +
                             QString(": element %1 is %2, expected %3").arg(i).arg(got[i]).arg(expected[i])));
}

std::unique_ptr<Session> sessionIn(const GraphBuilder& builder, const MemoryMode& mode, std::size_t budget = 0) {
    SessionOptions options;
    options.mode = mode;
    options.maxMemoryBytes = budget;
    auto session = Session::create(testsupport::builtModel(builder), options);
    if (!session.ok()) qFatal("%s", session.status().toString().c_str());
    return session.take();
}

// Runs the model once per memory preset and hands each output to check.
void inEveryPreset(const GraphBuilder& builder, const std::map<std::string, TensorData>& inputs,
                   const std::string& output, const std::function<void(const TensorData&)>& check) {
    for (const MemoryPreset& preset : memoryPresets()) {
        auto session = sessionIn(builder, preset.mode);
        for (int run = 0; run < 2; ++run) {  // the second run reuses the prepared bodies
            Status status = session->run(inputs);
            QVERIFY2(status.isOk(), (std::string(preset.name) + ": " + status.toString()).c_str());
            auto out = session->output(output);
            QVERIFY2(out.ok(), out.status().toString().c_str());
            check(out.value());
        }
    }
}

std::string loadError(const GraphBuilder& builder) {
    auto model = loadModelFromBytes(builder.serialize(), ".");
    return model.ok() ? std::string() : model.status().message();
}

std::string createError(const GraphBuilder& builder) {
    auto model = loadModelFromBytes(builder.serialize(), ".");
    if (!model.ok()) return "load: " + model.status().message();
    auto session = Session::create(model.take());
    return session.ok() ? std::string() : session.status().message();
}

// ---- the voice-activity detector's structure (models/control_flow_models.h)

// The branch as a plain graph, run by the engine's ordinary path.
std::vector<float> plainBranch(bool sixteen, const TensorData& x) {
    GraphBuilder g("plain");
    g.input("x", DataType::Float, {1, 1, 4, 4});
    addVadWeights(g, VadWeights{});
    if (sixteen)
        addSixteenKilohertz(g, false);
    else
        addEightKilohertz(g);
    const std::string out = sixteen ? "lstm_out1" : "state8";
    g.output(out, DataType::Float, {1, 1, kHidden});
    auto session = Session::create(testsupport::builtModel(g));
    if (!session.ok()) qFatal("%s", session.status().toString().c_str());
    if (!session.value()->run({{"x", x}}).isOk()) qFatal("the plain branch does not run");
    return floatsOf(session.value()->output(out).value());
}

// ---- Loop: a greedy decoder's shape

constexpr int64_t kSteps = 5;

// A branch reading x, scaled: the bad-input cases vary its outputs.
GraphBuilder branch(const std::string& name, int outputs, DataType dtype = DataType::Float) {
    GraphBuilder b(name);
    for (int i = 0; i < outputs; ++i) {
        const std::string out = name + "_y" + std::to_string(i);
        if (dtype == DataType::Float)
            b.node("Relu", {"x"}, {}, 1, out);
        else
            b.node("Cast", {"x"}, {intAttr("to", static_cast<int64_t>(dtype))}, 1, out);
        b.output(out, dtype, {1, 4});
    }
    return b;
}

GraphBuilder ifOnInput(const GraphBuilder& then, const GraphBuilder& otherwise, int outputs = 1) {
    GraphBuilder g("if_model");
    g.input("x", DataType::Float, {1, 4});
    g.input("c", DataType::Bool, {1});
    g.node("If", {"c"}, {}, outputs, "choose");
    g.subgraph("choose", "then_branch", then);
    g.subgraph("choose", "else_branch", otherwise);
    g.output(outputs == 1 ? "choose" : "choose_out0");
    return g;
}

// A Loop of 2^50 iterations that adds one each time: only a stop request
// ends it.
GraphBuilder endlessLoop() {
    GraphBuilder g("endless");
    g.input("x", DataType::Float, {1});
    g.initializer("forever", TensorData::fromInt64({int64_t(1) << 50}, {}));
    g.node("Loop", {"forever", "", "x"}, {}, 1, "spin");
    GraphBuilder body("spin_body");
    body.input("i", DataType::Int64, {});
    body.input("go", DataType::Bool, {});
    body.input("v", DataType::Float, {1});
    body.constant("one", TensorData::fromFloat({1}, {1}));
    body.node("Add", {"v", "one"}, {}, 1, "v_next");
    body.node("Identity", {"go"}, {}, 1, "go_next");
    body.output("go_next", DataType::Bool, {});
    body.output("v_next", DataType::Float, {1});
    g.subgraph("spin", "body", body);
    g.output("spin", DataType::Float, {1});
    return g;
}

// A wake-word detector's decision: If 'reply' on whether x's mean is above
// zero; its branches double or lower `operand`, a value from outside them.
void addReplyOnScore(GraphBuilder& g, const std::string& operand) {
    g.node("ReduceMean", {"x"}, {intAttr("keepdims", 0)}, 1, "score");
    g.initializer("zero", TensorData::fromFloat({0}, {}));
    g.node("Greater", {"score", "zero"}, {}, 1, "heard");
    g.node("If", {"heard"}, {}, 1, "reply");
    GraphBuilder loud("loud"), quiet("quiet");
    loud.constant("two", TensorData::fromFloat({2}, {}));
    loud.node("Mul", {operand, "two"}, {}, 1, "doubled");
    loud.output("doubled", DataType::Float, {1, 4});
    quiet.constant("one", TensorData::fromFloat({1}, {}));
    quiet.node("Sub", {operand, "one"}, {}, 1, "lowered");
    quiet.output("lowered", DataType::Float, {1, 4});
    g.subgraph("reply", "then_branch", loud);
    g.subgraph("reply", "else_branch", quiet);
}

// ---- on Vulkan, through the CPU fallback

// An If whose branches read a tensor a shader made (Relu's output): on
// Vulkan that outer value lives on the device and must come down for the
// bodies; a shader reads the If's output after it.
GraphBuilder ifOnDeviceTensor() {
    GraphBuilder g("device_outer");
    g.input("x", DataType::Float, {1, 4});
    g.node("Relu", {"x"}, {}, 1, "positive");
    addReplyOnScore(g, "positive");
    g.node("Sigmoid", {"reply"}, {}, 1, "squashed");
    g.output("squashed", DataType::Float, {1, 4});
    return g;
}

std::unique_ptr<Session> sessionOn(const std::string& backend, const GraphBuilder& builder, const MemoryMode& mode,
                                   RunObserver* observer = nullptr) {
    SessionOptions options;
    options.backend = backend;
    options.mode = mode;
    options.observer = observer;
    auto session = Session::create(testsupport::builtModel(builder), options);
    if (!session.ok()) qFatal("%s", session.status().toString().c_str());
    return session.take();
}

// Same dtype and shape; floats within 1e-5 (relative above 1), others exact.
void expectSame(const TensorData& got, const TensorData& expected, const std::string& what) {
    QVERIFY2(got.dtype == expected.dtype && got.shape == expected.shape,
             (what + ": " + dataTypeName(got.dtype) + " " + shapeToString(got.shape) + ", expected " +
              dataTypeName(expected.dtype) + " " + shapeToString(expected.shape))
                 .c_str());
    if (got.dtype == DataType::Float)
        expectNear(floatsOf(got), floatsOf(expected), what);
    else
        QVERIFY2(got.bytes == expected.bytes, (what + ": the values differ").c_str());
}

struct VulkanCase {
    std::string what;
    GraphBuilder model;
    std::map<std::string, TensorData> inputs;
    std::vector<std::string> outputs;
    std::string node;  // as cpuFallbackNodes() names it
};

std::vector<VulkanCase> vulkanCases() {
    const TensorData frame = TensorData::fromFloat(WeightGenerator(3).uniform(16, 1.0f), {1, 1, 4, 4});
    std::vector<float> xs(10);
    for (size_t i = 0; i < xs.size(); ++i) xs[i] = float(i) * 0.5f - 1;
    std::vector<VulkanCase> cases;
    for (int64_t rate : {16000, 8000})
        cases.push_back({"vad at " + std::to_string(rate),
                         vadModel(),
                         {{"x", frame}, {"sr", TensorData::fromInt64({rate}, {1})}},
                         {"vad"},
                         "vad (If)"});
    for (const std::vector<float>& x : {std::vector<float>{1, 2, -0.5f, 0.25f}, {-1, 0.5f, -2, 0.25f}})
        cases.push_back({"if on a device tensor, mean " + std::to_string((x[0] + x[1] + x[2] + x[3]) / 4),
                         ifOnDeviceTensor(),
                         {{"x", TensorData::fromFloat(x, {1, 4})}},
                         {"squashed"},
                         "reply (If)"});
    // The branches differ in shape: the session prepares per run, from c.
    GraphBuilder wide("wide");
    wide.node("Concat", {"x", "x"}, {intAttr("axis", 1)}, 1, "twice");
    wide.output("twice", DataType::Float, {1, 8});
    for (bool c : {true, false})
        cases.push_back({std::string("if with branch shapes known per run, c ") + (c ? "true" : "false"),
                         ifOnInput(wide, branch("narrow", 1)),
                         {{"x", TensorData::fromFloat({1, -2, 3, -4}, {1, 4})}, {"c", boolTensor(c)}},
                         {"choose"},
                         "choose (If)"});
    cases.push_back({"greedy decoder",
                     decoderModel(kSteps),
                     {{"state0", TensorData::fromFloat({0.2f, -0.1f, 0.4f}, {1, 3})}},
                     {"decode_out0", "decode_out2"},
                     "decode (Loop)"});
    cases.push_back({"running sum",
                     runningSumModel(false),
                     {{"sum0", TensorData::fromFloat({0.5f, -1}, {2})}, {"xs", TensorData::fromFloat(xs, {5, 2})}},
                     {"scan_out0", "scan_out1"},
                     "scan (Scan)"});
    cases.push_back({"reversed running sum",
                     runningSumModel(true),
                     {{"sum0", TensorData::fromFloat({0, 0}, {2})}, {"xs", TensorData::fromFloat(xs, {2, 5})}},
                     {"scan_out0", "scan_out1"},
                     "scan (Scan)"});
    cases.push_back({"scan rnn",
                     scanRnnModel(),
                     {{"h0", TensorData::fromFloat({0.1f, -0.2f}, {1, 2})},
                      {"xs", TensorData::fromFloat(WeightGenerator(11).uniform(12, 1.0f), {4, 1, 3})}},
                     {"rnn_out1"},
                     "rnn (Scan)"});
    return cases;
}

class StopAfter : public RunObserver {
public:
    explicit StopAfter(int polls) : polls_(polls) {}
    bool cancelRequested() override { return --polls_ < 0; }

private:
    int polls_;
};

}  // namespace

class ControlFlowTest : public QObject {
    Q_OBJECT

private slots:
    void voiceActivityStructure() {
        const TensorData x = TensorData::fromFloat(WeightGenerator(3).uniform(16, 1.0f), {1, 1, 4, 4});
        const GraphBuilder model = vadModel();
        for (int64_t rate : {16000, 8000}) {
            const std::vector<float> expected = plainBranch(rate == 16000, x);
            inEveryPreset(model, {{"x", x}, {"sr", TensorData::fromInt64({rate}, {1})}}, "vad",
                          [&](const TensorData& got) {
                              expectNear(floatsOf(got), expected,
                                         "sample rate " + std::to_string(rate) + ", shape " + shapeToString(got.shape));
                          });
        }
        // The nested shape-only If resolves before running (its condition
        // folds from the Conv's shape), so the whole model has static shapes.
        Graph graph = testsupport::builtModel(model).graph;
        QVERIFY(resolveShapes(graph, {}).ok());
        QCOMPARE(graph.value(graph.find("vad")).shape, (Shape{1, 1, kHidden}));
        // `info`'s bound counts the larger branch (the condition is an
        // input): the LSTM branch, live at the If's step beside its output.
        const ModelSummary summary = summarizeModel(graph);
        QCOMPARE(summary.subgraphs.size(), size_t(1));
        const SubgraphBound& body = summary.subgraphs[0];
        QCOMPARE(graph.nodes[size_t(body.node)].name, std::string("vad"));
        QCOMPARE(body.body, std::string("then_branch"));
        QVERIFY(!body.taken);
        QVERIFY(body.bytes >= 16 * kHidden * sizeof(float));  // the LSTM's Y alone
        QVERIFY(summary.lowerBoundWithSubgraphs.bytes >= body.bytes + kHidden * sizeof(float));
        QVERIFY(summary.lowerBoundWithSubgraphs.bytes >= summary.lowerBound.bytes);
    }

    void ifOnDataDependentScore() {
        GraphBuilder g("wake_word");
        g.input("x", DataType::Float, {1, 4});
        addReplyOnScore(g, "x");
        g.output("reply", DataType::Float, {1, 4});
        for (const std::vector<float>& values : {std::vector<float>{1, 2, -0.5f, 0.25f}, {-1, 0.5f, -2, 0.25f}}) {
            float mean = 0;
            for (float v : values) mean += v / 4;
            std::vector<float> expected;
            for (float v : values) expected.push_back(mean > 0 ? v * 2 : v - 1);
            inEveryPreset(g, {{"x", TensorData::fromFloat(values, {1, 4})}}, "reply",
                          [&](const TensorData& got) { expectNear(floatsOf(got), expected, "reply"); });
        }
    }

    void ifWithBranchShapesKnownPerRun() {
        // The branches differ in shape: unresolved for inspection, and
        // resolved per run from the condition's value.
        GraphBuilder wide("wide");
        wide.node("Concat", {"x", "x"}, {intAttr("axis", 1)}, 1, "twice");
        wide.output("twice", DataType::Float, {1, 8});
        const GraphBuilder g = ifOnInput(wide, branch("narrow", 1));
        Graph graph = testsupport::builtModel(g).graph;
        ShapeOptions inspect;
        inspect.keepGoing = true;
        auto report = resolveShapes(graph, {}, inspect);
        QVERIFY(report.ok());
        QCOMPARE(report->unresolved.size(), size_t(1));
        QVERIFY(report->unresolved[0].reason.find("the branches differ; known at run time") != std::string::npos);
        const TensorData x = TensorData::fromFloat({1, -2, 3, -4}, {1, 4});
        for (const MemoryPreset& preset : memoryPresets()) {
            auto session = sessionIn(g, preset.mode);
            QVERIFY(session->run({{"x", x}, {"c", boolTensor(true)}}).isOk());
            expectNear(floatsOf(session->output("choose").value()), {1, -2, 3, -4, 1, -2, 3, -4}, preset.name);
            QVERIFY(session->run({{"x", x}, {"c", boolTensor(false)}}).isOk());
            expectNear(floatsOf(session->output("choose").value()), {1, 0, 3, 0}, preset.name);
        }
    }

    void ifWithABranchThatCannotTakeTheShapes() {
        // else_branch reshapes 1x4 to 3x3: it cannot run with this x. The
        // condition is an input, so the static view takes then_branch's
        // shapes and says why; a run that takes else_branch fails cleanly.
        GraphBuilder square("square");
        square.initializer("dims", TensorData::fromInt64({3, 3}, {2}));
        square.node("Reshape", {"x", "dims"}, {}, 1, "squared");
        square.output("squared", DataType::Float, {});
        const GraphBuilder g = ifOnInput(branch("fits", 1), square);
        Graph graph = testsupport::builtModel(g).graph;
        ShapeOptions inspect;
        inspect.keepGoing = true;
        auto report = resolveShapes(graph, {}, inspect);
        QVERIFY2(report.ok(), report.status().toString().c_str());
        QVERIFY(report->unresolved.empty());
        QCOMPARE(graph.value(graph.find("choose")).shape, (Shape{1, 4}));
        QCOMPARE(report->notes.size(), size_t(1));
        QVERIFY2(report->notes[0].find("shapes from then_branch") != std::string::npos &&
                     report->notes[0].find("else_branch") != std::string::npos,
                 report->notes[0].c_str());
        // The bound counts the branch a run can take.
        const ModelSummary summary = summarizeModel(graph);
        QCOMPARE(summary.subgraphs.size(), size_t(1));
        QCOMPARE(summary.subgraphs[0].body, std::string("then_branch"));
        QVERIFY(summary.subgraphs[0].onlyOneFits && !summary.subgraphs[0].taken);

        const TensorData x = TensorData::fromFloat({1, -2, 3, -4}, {1, 4});
        auto session = sessionIn(g, MemoryMode{});
        QVERIFY(session->run({{"x", x}, {"c", boolTensor(true)}}).isOk());
        expectNear(floatsOf(session->output("choose").value()), {1, 0, 3, 0}, "then_branch");
        const Status taken = session->run({{"x", x}, {"c", boolTensor(false)}});
        QVERIFY(!taken.isOk());
        QVERIFY2(taken.message().find("else_branch") != std::string::npos, taken.toString().c_str());
        QVERIFY(session->run({{"x", x}, {"c", boolTensor(true)}}).isOk());  // the session stays usable
    }

    void loopGreedyDecoder() {
        const std::vector<float> start{0.2f, -0.1f, 0.4f};
        const float embedding[3][3] = {{0.5f, -1, 0.25f}, {-0.75f, 1, 0.5f}, {0.1f, 0.2f, -1.5f}};
        std::vector<float> state = start;
        std::vector<int64_t> tokens;
        int64_t token = 2;
        for (int64_t step = 0; step < kSteps; ++step) {
            for (int j = 0; j < 3; ++j) state[size_t(j)] = state[size_t(j)] * 0.5f + embedding[token][j];
            token = std::max_element(state.begin(), state.end()) - state.begin();
            tokens.push_back(token);
        }
        inEveryPreset(decoderModel(kSteps), {{"state0", TensorData::fromFloat(start, {1, 3})}}, "decode_out0",
                      [&](const TensorData& got) { expectNear(floatsOf(got), state, "final state"); });
        inEveryPreset(decoderModel(kSteps), {{"state0", TensorData::fromFloat(start, {1, 3})}}, "decode_out2",
                      [&](const TensorData& got) {
                          QCOMPARE(got.shape, (Shape{kSteps, 1}));
                          QCOMPARE(std::vector<int64_t>(got.data<int64_t>(), got.data<int64_t>() + kSteps), tokens);
                      });
    }

    void loopBodyMemoryPerIteration() {
        // Reduce allocates the body's six tensors (embedded, decayed,
        // next_state, next_token, go_on, token_seen) every iteration and
        // frees them; default allocates them once and keeps them.
        auto allocationsOf = [](const MemoryMode& mode, int64_t steps) {
            auto session = sessionIn(decoderModel(steps), mode);
            RunStats first, second;
            const TensorData start = TensorData::fromFloat({0.2f, -0.1f, 0.4f}, {1, 3});
            if (!session->run({{"state0", start}}, &first).isOk() || !session->run({{"state0", start}}, &second).isOk())
                qFatal("the decoder does not run");
            return second.allocations;
        };
        MemoryMode reduce, plain;
        reduce.planner = PlannerKind::Reduce;
        const int four = allocationsOf(reduce, 4), eight = allocationsOf(reduce, 8), twelve = allocationsOf(reduce, 12);
        QCOMPARE(eight - four, 4 * 6);
        QCOMPARE(twelve - eight, 4 * 6);
        QCOMPARE(allocationsOf(plain, 8), 0);
    }

    void loopBodyEventsNameValueAndIteration() {
        // Reduce: every iteration allocates the body's six tensors and frees
        // them; each event names the body, the value and the iteration, and
        // is reported under the Loop's step with no tensor of the run's graph.
        MemoryMode reduce;
        reduce.planner = PlannerKind::Reduce;
        auto session = sessionIn(decoderModel(kSteps), reduce);
        RunStats first, second;
        const TensorData start = TensorData::fromFloat({0.2f, -0.1f, 0.4f}, {1, 3});
        QVERIFY(session->run({{"state0", start}}, &first).isOk());
        QVERIFY(session->run({{"state0", start}}, &second).isOk());
        NodeId loop = kNoNode;
        const Graph& executed = session->executedGraph();
        for (size_t n = 0; n < executed.nodes.size(); ++n)
            if (executed.nodes[n].opType == "Loop") loop = static_cast<NodeId>(n);
        QVERIFY(loop != kNoNode);
        QCOMPARE(first.bodyValues.size(), second.bodyValues.size());  // numbered once, not per run

        std::map<int, std::multiset<std::string>> allocatedIn, freedIn;
        int bodyAllocations = 0;
        for (const MemoryEvent& e : second.events) {
            if (e.bodyValue < 0) {
                QCOMPARE(e.iteration, -1);
                continue;
            }
            QVERIFY(static_cast<size_t>(e.bodyValue) < second.bodyValues.size());
            const BodyValue& value = second.bodyValues[static_cast<size_t>(e.bodyValue)];
            QCOMPARE(value.body, std::string("decode › body"));
            QCOMPARE(value.node, loop);
            QCOMPARE(e.node, loop);
            QCOMPARE(e.tensor, kNoValue);
            (e.bytes > 0 ? allocatedIn : freedIn)[e.iteration].insert(value.name);
            if (e.bytes > 0) ++bodyAllocations;
        }
        const std::multiset<std::string> plan{"decayed", "embedded", "go_on", "next_state", "next_token", "token_seen"};
        QCOMPARE(static_cast<int64_t>(allocatedIn.size()), kSteps);
        int expected = 0;
        for (const auto& [iteration, names] : allocatedIn) {
            QCOMPARE(iteration, expected++);  // 0..n-1, none skipped
            QCOMPARE(names, plan);
            QCOMPARE(freedIn[iteration], plan);  // reduce frees inside the body, same iteration
        }
        // The run's allocation count is unchanged: the body's are among them.
        int graphAllocations = 0;
        for (const MemoryEvent& e : second.events)
            if (e.bytes > 0 && e.bodyValue < 0) ++graphAllocations;
        QCOMPARE(bodyAllocations + graphAllocations, second.allocations);
    }

    void loopStopsWhenAsked() {
        const GraphBuilder g = endlessLoop();
        StopAfter observer(1000);
        SessionOptions options;
        options.observer = &observer;
        auto session = Session::create(testsupport::builtModel(g), options);
        QVERIFY2(session.ok(), session.status().toString().c_str());
        Status status = session.value()->run({{"x", TensorData::fromFloat({0}, {1})}});
        QCOMPARE(status.code(), StatusCode::Cancelled);
    }

    void loopUntilConditionFails() {
        // No trip count: runs while the carried sum stays below 10.
        GraphBuilder g("until");
        g.input("x", DataType::Float, {1});
        g.initializer("yes", boolTensor(true));
        g.node("Loop", {"", "yes", "x"}, {}, 1, "count");
        GraphBuilder body("count_body");
        body.input("i", DataType::Int64, {});
        body.input("go", DataType::Bool, {});
        body.input("v", DataType::Float, {1});
        body.constant("three", TensorData::fromFloat({3}, {1}));
        body.constant("ten", TensorData::fromFloat({10}, {1}));
        body.node("Add", {"v", "three"}, {}, 1, "v_next");
        body.node("Less", {"v_next", "ten"}, {}, 1, "below");
        body.constant("scalar", TensorData::fromInt64({}, {0}));
        body.node("Reshape", {"below", "scalar"}, {}, 1, "go_next");
        body.output("go_next", DataType::Bool, {});
        body.output("v_next", DataType::Float, {1});
        g.subgraph("count", "body", body);
        g.output("count", DataType::Float, {1});
        float v = 0.5f;
        do v += 3;
        while (v < 10);
        inEveryPreset(g, {{"x", TensorData::fromFloat({0.5f}, {1})}}, "count",
                      [&](const TensorData& got) { expectNear(floatsOf(got), {v}, "count"); });
    }

    void scanRunningSum() {
        const std::vector<float> xs{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};  // [5,2]
        std::vector<float> sums, sum{0.5f, -1};
        for (int t = 0; t < 5; ++t) {
            sum[0] += xs[size_t(2 * t)];
            sum[1] += xs[size_t(2 * t + 1)];
            sums.insert(sums.end(), sum.begin(), sum.end());
        }
        const std::map<std::string, TensorData> inputs{{"sum0", TensorData::fromFloat({0.5f, -1}, {2})},
                                                       {"xs", TensorData::fromFloat(xs, {5, 2})}};
        inEveryPreset(runningSumModel(false), inputs, "scan_out1",
                      [&](const TensorData& got) { expectNear(floatsOf(got), sums, "running sums"); });
        inEveryPreset(runningSumModel(false), inputs, "scan_out0",
                      [&](const TensorData& got) { expectNear(floatsOf(got), sum, "final sum"); });
    }

    void scanReversedAlongAxis1() {
        // xs [2,5] scanned along axis 1 from the end; the sums stacked
        // along axis 1 in the order computed.
        std::vector<float> xs(10);
        for (size_t i = 0; i < xs.size(); ++i) xs[i] = float(i) * 0.5f - 1;
        std::vector<float> out(10), sum{0, 0};
        for (int t = 0; t < 5; ++t) {
            const int position = 4 - t;
            for (int row = 0; row < 2; ++row) {
                sum[size_t(row)] += xs[size_t(row * 5 + position)];
                out[size_t(row * 5 + t)] = sum[size_t(row)];
            }
        }
        inEveryPreset(runningSumModel(true),
                      {{"sum0", TensorData::fromFloat({0, 0}, {2})}, {"xs", TensorData::fromFloat(xs, {2, 5})}},
                      "scan_out1", [&](const TensorData& got) { expectNear(floatsOf(got), out, "reversed sums"); });
    }

    void scanRnn() {
        const float w[3][2] = {{0.3f, -0.2f}, {0.5f, 0.1f}, {0.4f, -0.6f}};
        const float r[2][2] = {{0.7f, -0.3f}, {0.2f, 0.9f}};
        const std::vector<float> xs = WeightGenerator(11).uniform(12, 1.0f);
        std::vector<float> h{0.1f, -0.2f}, expected;
        for (int t = 0; t < 4; ++t) {
            std::vector<float> next(2);
            for (int j = 0; j < 2; ++j) {
                float pre = 0;
                for (int k = 0; k < 3; ++k) pre += xs[size_t(t * 3 + k)] * w[k][j];
                for (int k = 0; k < 2; ++k) pre += h[size_t(k)] * r[k][j];
                next[size_t(j)] = std::tanh(pre);
            }
            h = next;
            expected.insert(expected.end(), h.begin(), h.end());
        }
        inEveryPreset(
            scanRnnModel(),
            {{"h0", TensorData::fromFloat({0.1f, -0.2f}, {1, 2})}, {"xs", TensorData::fromFloat(xs, {4, 1, 3})}},
            "rnn_out1", [&](const TensorData& got) { expectNear(floatsOf(got), expected, "hidden states"); });
    }

    // Control-flow nodes have no shader: a Vulkan session runs them, bodies
    // and all, through the CPU fallback, names them as fallback nodes and
    // gives the CPU's outputs in every preset (twice: the second run
    // reuses the prepared bodies).
    void vulkanRunsControlFlowThroughTheCpuFallback() {
        auto devices = listVulkanDevices();
        if (!devices.ok() || devices->empty()) QSKIP("no Vulkan device on this machine");
        for (const VulkanCase& c : vulkanCases())
            for (const MemoryPreset& preset : memoryPresets()) {
                const std::string where = c.what + ", " + preset.name;
                auto cpu = sessionOn("cpu", c.model, preset.mode);
                auto gpu = sessionOn("vulkan", c.model, preset.mode);
                Status status = cpu->run(c.inputs);
                QVERIFY2(status.isOk(), (where + " on the CPU: " + status.toString()).c_str());
                for (int run = 0; run < 2; ++run) {
                    status = gpu->run(c.inputs);
                    QVERIFY2(status.isOk(), (where + " on Vulkan: " + status.toString()).c_str());
                    // After the run: shapes known per run are prepared by it.
                    const std::vector<std::string> onCpu = gpu->cpuFallbackNodes();
                    QVERIFY2(std::find(onCpu.begin(), onCpu.end(), c.node) != onCpu.end(),
                             (where + ": " + c.node + " is not a fallback node").c_str());
                    for (const std::string& output : c.outputs) {
                        auto got = gpu->output(output);
                        auto expected = cpu->output(output);
                        QVERIFY2(got.ok() && expected.ok(), (where + ": no output " + output).c_str());
                        expectSame(got.value(), expected.value(), where + ", " + output);
                    }
                }
            }
    }

    // The bodies allocate through the run's tracker on Vulkan too: in
    // reduce, each iteration's six body tensors are allocated and freed
    // (host memory, under the Loop node), as on the CPU.
    void vulkanCountsBodyMemoryUnderTheNode() {
        auto devices = listVulkanDevices();
        if (!devices.ok() || devices->empty()) QSKIP("no Vulkan device on this machine");
        MemoryMode reduce;
        reduce.planner = PlannerKind::Reduce;
        auto secondRun = [&](int64_t steps) {
            auto session = sessionOn("vulkan", decoderModel(steps), reduce);
            RunStats first, second;
            const TensorData start = TensorData::fromFloat({0.2f, -0.1f, 0.4f}, {1, 3});
            if (!session->run({{"state0", start}}, &first).isOk() || !session->run({{"state0", start}}, &second).isOk())
                qFatal("the decoder does not run on Vulkan");
            return second;
        };
        const RunStats four = secondRun(4), eight = secondRun(8);
        QCOMPARE(eight.allocations - four.allocations, 4 * 6);
        int bodyAllocations = 0;
        for (const MemoryEvent& e : eight.events)
            if (e.bytes > 0 && e.device == MemoryDevice::Host && e.node == 0 && e.category != MemoryCategory::Staging)
                ++bodyAllocations;
        QCOMPARE(bodyAllocations, 8 * 6);
    }

    void vulkanLoopStopsWhenAsked() {
        auto devices = listVulkanDevices();
        if (!devices.ok() || devices->empty()) QSKIP("no Vulkan device on this machine");
        const GraphBuilder g = endlessLoop();
        StopAfter observer(1000);
        auto session = sessionOn("vulkan", g, MemoryMode{}, &observer);
        Status status = session->run({{"x", TensorData::fromFloat({0}, {1})}});
        QCOMPARE(status.code(), StatusCode::Cancelled);
    }

    void badBodiesAreClearErrors() {
        QVERIFY(createError(ifOnInput(branch("a", 2), branch("b", 1), 2)).find("different numbers of outputs") !=
                std::string::npos);
        const std::string types = createError(ifOnInput(branch("a", 1), branch("b", 1, DataType::Int64)));
        QVERIFY2(types.find("in then_branch but int64 in else_branch") != std::string::npos, types.c_str());

        GraphBuilder loop("bad_loop");
        loop.input("x", DataType::Float, {1, 4});
        loop.initializer("n", TensorData::fromInt64({2}, {}));
        loop.node("Loop", {"n", "", "x"}, {}, 1, "loop");
        GraphBuilder body("short_body");
        body.input("i", DataType::Int64, {});
        body.input("v", DataType::Float, {1, 4});
        body.output("v", DataType::Float, {1, 4});
        loop.subgraph("loop", "body", body);
        loop.output("loop");
        const std::string loopError = createError(loop);
        QVERIFY2(loopError.find("this Loop needs 3 inputs") != std::string::npos, loopError.c_str());

        GraphBuilder scanBody("one_output");
        scanBody.input("s", DataType::Float, {2});
        scanBody.input("x", DataType::Float, {2});
        scanBody.output("s", DataType::Float, {2});
        GraphBuilder badScan("bad_scan");
        badScan.input("sum0", DataType::Float, {2});
        badScan.input("xs", DataType::Float, {5, 2});
        badScan.node("Scan", {"sum0", "xs"}, {intAttr("num_scan_inputs", 1)}, 2, "scan");
        badScan.subgraph("scan", "body", scanBody);
        badScan.output("scan_out1");
        const std::string scanError = createError(badScan);
        QVERIFY2(scanError.find("this Scan needs 2 inputs and 2 outputs") != std::string::npos, scanError.c_str());
    }

    void missingOuterValueInNestedBody() {
        // An If inside a Loop body reads a name no graph defines.
        GraphBuilder inner("inner");
        inner.node("Identity", {"phantom"}, {}, 1, "ghostly");
        inner.output("ghostly", DataType::Float, {1, 4});
        GraphBuilder body("loop_body");
        body.input("i", DataType::Int64, {});
        body.input("go", DataType::Bool, {});
        body.input("v", DataType::Float, {1, 4});
        body.node("If", {"go"}, {}, 1, "pick");
        body.subgraph("pick", "then_branch", inner);
        body.subgraph("pick", "else_branch", inner);
        body.output("go", DataType::Bool, {});
        body.output("pick", DataType::Float, {1, 4});
        GraphBuilder g("outer");
        g.input("x", DataType::Float, {1, 4});
        g.initializer("n", TensorData::fromInt64({2}, {}));
        g.node("Loop", {"n", "", "x"}, {}, 1, "loop");
        g.subgraph("loop", "body", body);
        g.output("loop");
        const std::string error = loadError(g);
        QVERIFY2(error.find("'phantom'") != std::string::npos, error.c_str());
    }

    void nestingBeyondTheLimit() {
        // Ifs nested 20 deep, each branch an If again; the innermost reads x.
        GraphBuilder level("level_20");
        level.node("Identity", {"x"}, {}, 1, "leaf");
        level.output("leaf", DataType::Float, {1, 4});
        for (int depth = 19; depth >= 0; --depth) {
            GraphBuilder outer(depth == 0 ? "main" : "level_" + std::to_string(depth));
            if (depth == 0) {
                outer.input("x", DataType::Float, {1, 4});
                outer.input("c", DataType::Bool, {1});
            }
            const std::string name = "if_" + std::to_string(depth);
            outer.node("If", {"c"}, {}, 1, name);
            outer.subgraph(name, "then_branch", level);
            outer.subgraph(name, "else_branch", level);
            outer.output(name, DataType::Float, {1, 4});
            level = std::move(outer);
        }
        const std::string error = loadError(level);
        QVERIFY2(error.find("nest more than 16 levels") != std::string::npos, error.c_str());
    }

    void budgetAppliesInsideBodies() {
        // The outer plan is tiny; the branch makes a 4 MB tensor.
        GraphBuilder big("big");
        big.constant("reps", TensorData::fromInt64({1, 262144}, {2}));
        big.node("Tile", {"x", "reps"}, {}, 1, "tiled");
        big.node("ReduceSum", {"tiled"}, {intAttr("keepdims", 1)}, 1, "total");
        big.output("total", DataType::Float, {1, 1});
        GraphBuilder small("small");
        small.node("ReduceMax", {"x"}, {intAttr("keepdims", 1)}, 1, "most");
        small.output("most", DataType::Float, {1, 1});
        const GraphBuilder g = ifOnInput(big, small);
        auto session = sessionIn(g, MemoryMode{}, std::size_t(1) << 20);
        const TensorData x = TensorData::fromFloat({1, 2, 3, 4}, {1, 4});
        QVERIFY(session->run({{"x", x}, {"c", boolTensor(false)}}).isOk());
        Status status = session->run({{"x", x}, {"c", boolTensor(true)}});
        QCOMPARE(status.code(), StatusCode::OutOfMemory);
        QVERIFY2(status.message().find("memory budget") != std::string::npos, status.message().c_str());
    }
};

QTEST_GUILESS_MAIN(ControlFlowTest)
#include "test_control_flow.moc"
