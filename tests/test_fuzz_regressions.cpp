// Every input the fuzzer (fuzz/fuzz_load_plan.cpp) ever crashed on is kept
// in tests/fuzz_regressions/ and replayed here through the public API:
// load, resolve shapes, create a session (passes, kernels, plan). Each must
// end in a model or in an error that says something, never in a crash.
#include <QDir>
#include <QtTest>

#include "interstage/model.h"
#include "interstage/session.h"
#include "test_support.h"

using namespace interstage;

class TestFuzzRegressions : public QObject {
    Q_OBJECT
private slots:
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
