// Every input the fuzzer (fuzz/fuzz_load_plan.cpp) ever crashed on is kept
// in tests/fuzz_regressions/ and replayed here through the public API:
// load, resolve shapes, create a session (passes, kernels, plan). Each must
// end in a model or in an error that says something, never in a crash.
// The same inputs, and models with control-flow bodies, also go through
// the fuzzer's own checks (fuzz/fuzz_checks.h), nested plans included.
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QtTest>
#include <csignal>
#include <map>
#include <thread>

#include "fuzz_checks.h"
#include "interstage/builder.h"
#include "interstage/model.h"
#include "interstage/model_info.h"
#include "interstage/session.h"
#include "model/crash_sandbox.h"
#include "models/control_flow_models.h"
#include "test_support.h"

using namespace interstage;

namespace {

// x [1,4] -> y = Relu(x): a branch that reads its input from outside.
GraphBuilder reluBranch(const std::string& name) {
    GraphBuilder b(name);
    b.node("Relu", {"x"}, {}, 1, name + "_y");
    b.output(name + "_y", DataType::Float, {1, 4});
    return b;
}

// x [1,4] -> Relu -> Sigmoid -> Neg: a branch with two intermediates
// alive at once (at the Sigmoid), so that its plans have bytes to share.
GraphBuilder chainBranch(const std::string& name) {
    GraphBuilder b(name);
    b.node("Relu", {"x"}, {}, 1, name + "_relu");
    b.node("Sigmoid", {name + "_relu"}, {}, 1, name + "_sigmoid");
    b.node("Neg", {name + "_sigmoid"}, {}, 1, name + "_y");
    b.output(name + "_y", DataType::Float, {1, 4});
    return b;
}

// An If on input c whose then_branch holds an If of its own, on input d:
// four bodies to plan, two of them at depth 2.
GraphBuilder nestedIfModel() {
    GraphBuilder inner("inner_then");
    inner.node("If", {"d"}, {}, 1, "inner");
    inner.subgraph("inner", "then_branch", chainBranch("deep_then"));
    inner.subgraph("inner", "else_branch", chainBranch("deep_else"));
    inner.output("inner", DataType::Float, {1, 4});
    GraphBuilder g("nested_if");
    g.input("x", DataType::Float, {1, 4});
    g.input("c", DataType::Bool, {1});
    g.input("d", DataType::Bool, {1});
    g.node("If", {"c"}, {}, 1, "outer");
    g.subgraph("outer", "then_branch", inner);
    g.subgraph("outer", "else_branch", chainBranch("outer_else"));
    g.output("outer", DataType::Float, {1, 4});
    return g;
}

// A Loop whose trip count is a graph input: its scan output's shape is
// known only at run time, so strict shapes fail on the graph, but the
// body's shapes are static.
GraphBuilder loopWithRunTimeTrips() {
    GraphBuilder body("scan_body");
    body.input("i", DataType::Int64, {});
    body.input("go", DataType::Bool, {});
    body.input("s", DataType::Float, {1, 4});
    body.node("Identity", {"go"}, {}, 1, "go_on");
    body.node("Relu", {"s"}, {}, 1, "s_relu");
    body.node("Neg", {"s_relu"}, {}, 1, "s_next");
    body.node("Sigmoid", {"s_relu"}, {}, 1, "y");
    body.output("go_on", DataType::Bool, {});
    body.output("s_next", DataType::Float, {1, 4});
    body.output("y", DataType::Float, {1, 4});
    GraphBuilder g("run_time_trips");
    g.input("m", DataType::Int64, {});
    g.input("s0", DataType::Float, {1, 4});
    g.node("Loop", {"m", "", "s0"}, {}, 2, "loop");
    g.subgraph("loop", "body", body);
    g.output("loop_out0", DataType::Float, {1, 4});
    g.output("loop_out1");
    return g;
}

// A Loop body that slices xs at the iteration number: its shapes need the
// iteration's value, so it is planned from the first iteration's values.
GraphBuilder loopSlicingByIteration() {
    GraphBuilder body("slice_body");
    body.input("i", DataType::Int64, {});
    body.input("go", DataType::Bool, {});
    body.input("acc", DataType::Float, {1});
    body.node("Identity", {"go"}, {}, 1, "go_on");
    body.constant("zero_axis", TensorData::fromInt64({0}, {1}));
    body.node("Unsqueeze", {"i", "zero_axis"}, {}, 1, "start");
    body.constant("one", TensorData::fromInt64({1}, {1}));
    body.node("Add", {"start", "one"}, {}, 1, "end");
    body.node("Slice", {"xs", "start", "end"}, {}, 1, "x_i");
    body.node("Add", {"acc", "x_i"}, {}, 1, "acc_next");
    body.output("go_on", DataType::Bool, {});
    body.output("acc_next", DataType::Float, {1});
    GraphBuilder g("slice_by_iteration");
    g.input("xs", DataType::Float, {5});
    g.input("acc0", DataType::Float, {1});
    g.initializer("trips", TensorData::fromInt64({5}, {}));
    g.node("Loop", {"trips", "", "acc0"}, {}, 1, "sum");
    g.subgraph("sum", "body", body);
    g.output("sum", DataType::Float, {1});
    return g;
}

}  // namespace

class TestFuzzRegressions : public QObject {
    Q_OBJECT
private slots:
    // ONNX's inference runs in this sandbox: a crash or a hang in the child
    // costs the answer, never this process.
    void sandboxReturnsWhatTheChildWrote() {
        auto bytes = runInCrashSandbox([] { return std::string("shapes\0and more", 15); }, 5000);
        QVERIFY(bytes.has_value());
        QCOMPARE(bytes->size(), size_t(15));
    }
    void sandboxSurvivesACrash() {
        auto bytes = runInCrashSandbox(
            [] {
                std::raise(SIGSEGV);
                return std::string("unreachable");
            },
            5000);
        QVERIFY(!bytes.has_value());
    }
    void sandboxKillsAHang() {
        QElapsedTimer timer;
        timer.start();
        auto bytes = runInCrashSandbox(
            [] {
                std::this_thread::sleep_for(std::chrono::seconds(60));
                return std::string("late");
            },
            200);
        QVERIFY(!bytes.has_value());
        QVERIFY(timer.elapsed() < 30000);  // killed at the deadline, not after the minute
    }

    void everyCrashInputNowGivesAnAnswer() {
        const QDir dir(QStringLiteral(INTERSTAGE_SOURCE_DIR "/tests/fuzz_regressions"));
        const QStringList files = dir.entryList({"*.onnx"}, QDir::Files, QDir::Name);
        QVERIFY2(!files.isEmpty(), "no regression inputs found");
        for (const QString& file : files) {
            const std::string path = dir.filePath(file).toStdString();
            auto model = loadModel(path);
            if (!model.ok()) {
                QVERIFY2(!model.status().message().empty(), qPrintable(file));
                continue;
            }
            auto session = Session::create(std::move(model.value()));
            if (!session.ok()) {
                QVERIFY2(!session.status().message().empty(), qPrintable(file));
                continue;
            }
            // A session that builds must run (no kernel may trust the file).
            const Status run = session.value()->run({});
            QVERIFY2(run.isOk() || !run.message().empty(), qPrintable(file));
        }
    }

    // The fuzzer's invariants hold on every saved input, except those that
    // crashed libonnx's shape inference (*_onnx_inference.onnx): it still
    // reads out of bounds on them (valgrind: convPoolShapeInference) in its
    // sandboxed child, so whether the fallback answers depends on memory
    // layout outside ASan, and the inspection check compares two runs of
    // it. The fuzzer itself, under ASan, gets the same abort every time.
    void everyCrashInputPassesTheFuzzChecks() {
        const QDir dir(QStringLiteral(INTERSTAGE_SOURCE_DIR "/tests/fuzz_regressions"));
        for (const QString& file : dir.entryList({"*.onnx"}, QDir::Files, QDir::Name)) {
            if (file.endsWith("_onnx_inference.onnx")) continue;
            QFile in(dir.filePath(file));
            QVERIFY(in.open(QIODevice::ReadOnly));
            const QByteArray bytes = in.readAll();
            const fuzzing::Finding finding = fuzzing::checkModelBytes(bytes.toStdString());
            QVERIFY2(finding.broken.empty(), qPrintable(file + ": " + QString::fromStdString(finding.broken)));
        }
    }

    // The suites' control-flow models: every body the runtime would run is
    // resolved and its plans checked, in every memory mode.
    void controlFlowBodiesArePlanned_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("bodies");
        // vad: both branches of the If on the sample rate, and in the
        // 16 kHz branch the shape-only If's branch taken.
        const std::map<std::string, int> expected{{"vad_if", 3},
                                                  {"decoder_loop", 1},
                                                  {"running_sum_scan", 1},
                                                  {"running_sum_scan_reversed_axis1", 1},
                                                  {"rnn_scan", 1}};
        for (const auto& [name, model] : testmodels::controlFlowModels())
            QTest::newRow(name.c_str()) << QString::fromStdString(name)
                                        << (expected.count(name) ? expected.at(name) : -1);
    }
    void controlFlowBodiesArePlanned() {
        QFETCH(QString, name);
        QFETCH(int, bodies);
        for (const auto& [modelName, model] : testmodels::controlFlowModels()) {
            if (QString::fromStdString(modelName) != name) continue;
            const fuzzing::Finding finding = fuzzing::checkModelBytes(model.serialize());
            QVERIFY2(finding.broken.empty(), finding.broken.c_str());
            QCOMPARE(finding.bodiesPlanned, bodies);
        }
    }

    // Bodies inside bodies are planned too: both branches of an If inside
    // a branch.
    void nestedBodiesArePlanned() {
        const fuzzing::Finding finding = fuzzing::checkModelBytes(nestedIfModel().serialize());
        QVERIFY2(finding.broken.empty(), finding.broken.c_str());
        QCOMPARE(finding.bodiesPlanned, 4);
    }

    // Bodies are planned where a session would plan them: in a graph whose
    // shapes are partly known only at run time, and from the first
    // iteration's values where the shapes need them.
    void bodiesOfRunTimeShapesArePlanned() {
        for (const GraphBuilder& model : {loopWithRunTimeTrips(), loopSlicingByIteration()}) {
            const fuzzing::Finding finding = fuzzing::checkModelBytes(model.serialize());
            QVERIFY2(finding.broken.empty(), finding.broken.c_str());
            QCOMPARE(finding.bodiesPlanned, 1);
        }
    }

    // An If without its condition input loads (the loader checks no
    // arity) and fails strict shapes; the inspection path kept going and
    // `info`'s body bounds read the missing input's value out of bounds.
    void ifWithoutConditionIsSummarized() {
        GraphBuilder g("if_without_condition");
        g.input("x", DataType::Float, {1, 4});
        g.node("If", {}, {}, 1, "choose");
        g.subgraph("choose", "then_branch", reluBranch("then"));
        g.subgraph("choose", "else_branch", reluBranch("else"));
        g.output("choose", DataType::Float, {1, 4});
        const std::string bytes = g.serialize();
        const fuzzing::Finding finding = fuzzing::checkModelBytes(bytes);
        QVERIFY2(finding.broken.empty(), finding.broken.c_str());
        LoadOptions options;
        options.weightsOptional = true;
        auto model = loadModelFromBytes(bytes, ".", options);
        QVERIFY2(model.ok(), model.status().toString().c_str());
        ShapeOptions keepGoing;
        keepGoing.keepGoing = true;
        QVERIFY(resolveShapes(model->graph, {}, keepGoing).ok());
        QVERIFY(summarizeModel(model->graph).subgraphs.empty());
    }
};

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "test_fuzz_regressions.moc"
