// Every input the fuzzer (fuzz/fuzz_load_plan.cpp) ever crashed on is kept
// in tests/fuzz_regressions/ and replayed here through the public API:
// load, resolve shapes, create a session (passes, kernels, plan). Each must
// end in a model or in an error that says something, never in a crash.
#include <QDir>
#include <QElapsedTimer>
#include <QtTest>
#include <csignal>
#include <thread>

#include "interstage/model.h"
#include "interstage/session.h"
#include "model/crash_sandbox.h"
#include "test_support.h"

using namespace interstage;

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
};

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "test_fuzz_regressions.moc"
