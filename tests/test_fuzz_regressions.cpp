// Every input the fuzzer (fuzz/fuzz_load_plan.cpp) ever crashed on is kept
// in tests/fuzz_regressions/ and replayed here through the public API:
// load, resolve shapes, create a session (passes, kernels, plan). Each must
// end in a model or in an error that says something, never in a crash.
// The same inputs also go through the fuzzer's own checks
// (fuzz/fuzz_checks.h).
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QtTest>
#include <csignal>
#include <thread>

#include "fuzz_checks.h"
#include "interstage/builder.h"
#include "interstage/model.h"
#include "interstage/model_info.h"
#include "interstage/session.h"
#include "model/crash_sandbox.h"
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

    // The fuzzer's invariants hold on every saved input.
    void everyCrashInputPassesTheFuzzChecks() {
        const QDir dir(QStringLiteral(INTERSTAGE_SOURCE_DIR "/tests/fuzz_regressions"));
        for (const QString& file : dir.entryList({"*.onnx"}, QDir::Files, QDir::Name)) {
            QFile in(dir.filePath(file));
            QVERIFY(in.open(QIODevice::ReadOnly));
            const QByteArray bytes = in.readAll();
            const fuzzing::Finding finding = fuzzing::checkModelBytes(bytes.toStdString());
            QVERIFY2(finding.broken.empty(), qPrintable(file + ": " + QString::fromStdString(finding.broken)));
        }
    }

    // An If without its condition input loads (the loader checks no
    // arity) and fails strict shapes, but the inspection path keeps going:
    // `info`'s body bounds read the missing input's value out of bounds
    // (ASan: heap-buffer-overflow in subgraphBounds). Now no bound.
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
