// The memory guard in the app (issue #21): the Budget field defaults to
// automatic and says what is in use; a run set whose plan cannot fit is
// refused within seconds with both numbers, and the sets that ran before
// stay in the results and in the charts. INTERSTAGE_AVAILABLE_MEMORY
// simulates a 300 MiB machine (a 225 MiB budget).
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QTemporaryDir>
#include <QtTest>

#include "app_wait.h"
#include "interstage/builder.h"
#include "interstage/format.h"
#include "main_window.h"
#include "test_support.h"
#include "widgets/memory_timeline.h"
#include "widgets/run_panel.h"
#include "widgets/timing_chart.h"

using testsupport::waitIdle;

namespace {

// x[1, n] -> Relu -> Sigmoid -> Neg: n sets how much every plan needs.
std::string dynamicChain(const QTemporaryDir& dir) {
    using namespace interstage;
    GraphBuilder b("dynamic_chain");
    b.input("x", DataType::Float, {1, -1});
    auto a = b.op("Relu", {"x"}, {}, "a");
    auto s = b.op("Sigmoid", {a}, {}, "b");
    auto n = b.op("Neg", {s}, {}, "n");
    b.output(n, DataType::Float);
    return testsupport::writeFile(dir, "dynamic_chain.onnx", b.serialize());
}

}  // namespace

class AppMemoryGuardTest : public QObject {
    Q_OBJECT
private slots:
    void init() { qputenv("INTERSTAGE_AVAILABLE_MEMORY", "300M"); }
    void cleanup() { qunsetenv("INTERSTAGE_AVAILABLE_MEMORY"); }

    void budgetFieldDefaultsToAutomaticAndSaysWhatIsInUse() {
        widgets::RunPanel panel;
        auto* kind = panel.findChild<QComboBox*>("budgetKind");
        QVERIFY(kind);
        QCOMPARE(kind->currentIndex(), 0);
        const interstage::SessionOptions automatic = panel.config().session;
        QVERIFY(automatic.automaticBudget);
        QCOMPARE(automatic.maxMemoryBytes, std::size_t(0));
        const QString expected = QString::fromStdString(interstage::formatBytes(double(std::size_t(225) << 20)));
        QVERIFY2(panel.budgetInUse().startsWith("auto: " + expected), qPrintable(panel.budgetInUse()));
        QVERIFY2(panel.budgetInUse().contains("INTERSTAGE_AVAILABLE_MEMORY"), qPrintable(panel.budgetInUse()));

        panel.setBudgetMiB(2000);
        QCOMPARE(panel.config().session.maxMemoryBytes, std::size_t(2000) << 20);
        QVERIFY2(panel.budgetInUse().startsWith("limit: "), qPrintable(panel.budgetInUse()));
        panel.setBudgetMiB(0);
        QVERIFY(!panel.config().session.automaticBudget);
        QCOMPARE(panel.config().session.maxMemoryBytes, std::size_t(0));
        QVERIFY2(panel.budgetInUse().startsWith("none"), qPrintable(panel.budgetInUse()));
        panel.setBudgetAutomatic();
        QVERIFY(panel.config().session.automaticBudget);
    }

    // 1x1000 fits; 1x67108864 needs 1 GiB in the default plan (the input
    // and three 256 MiB tensors) against 225 MiB: refused, the first set
    // kept and still drawn.
    void refusedSetKeepsTheEarlierOnes() {
        QTemporaryDir dir;
        MainWindow w;
        w.setQuiet(true);
        w.show();
        w.openModel(QString::fromStdString(dynamicChain(dir)));
        QVERIFY(waitIdle(w));
        QVERIFY(w.document());
        w.runPanel()->setRunCount(1);
        w.runPanel()->applyPreset("default");
        QVERIFY(w.runPanel()->setInputShape("x", "1x1000"));
        w.runOnce();
        QVERIFY(waitIdle(w));
        QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
        QCOMPARE(int(w.results().size()), 1);
        QCOMPARE(w.timingChart()->runSetCount(), 1);
        const int pointsBefore = w.memoryTimeline()->pointCount(interstage::MemoryCategory::Interstage);
        QVERIFY(pointsBefore > 0);

        QVERIFY(w.runPanel()->setInputShape("x", "1x67108864"));
        QElapsedTimer timer;
        timer.start();
        w.runOnce();
        QVERIFY(waitIdle(w, 10000));
        QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
        const QString error = w.lastError();
        const auto bytes = [](std::size_t n) { return QString::fromStdString(interstage::formatBytes(double(n))); };
        QVERIFY2(error.contains("the default plan needs " + bytes(std::size_t(1) << 30)), qPrintable(error));
        QVERIFY2(error.contains("the memory budget of " + bytes(std::size_t(225) << 20)), qPrintable(error));
        QVERIFY2(error.contains("Budget field"), qPrintable(error));

        QCOMPARE(int(w.results().size()), 1);  // nothing lost
        QCOMPARE(w.timingChart()->runSetCount(), 1);
        // The first set is drawn again as the current one, not as a line.
        QCOMPARE(w.memoryTimeline()->pointCount(interstage::MemoryCategory::Interstage), pointsBefore);
        QCOMPARE(w.memoryTimeline()->overlayCount(), 0);

        // The small input runs again: the app is usable.
        QVERIFY(w.runPanel()->setInputShape("x", "1x1000"));
        w.runOnce();
        QVERIFY(waitIdle(w));
        QCOMPARE(int(w.results().size()), 2);
    }

    // Compare presets under an 800 MiB limit with the big input: default
    // (the input and three 256 MiB tensors: 1 GiB) is refused, reduce (the
    // input and two tensors: 768 MiB) runs after it; a refusal does not
    // stop the presets after it.
    void compareRunsThePresetsThatFit() {
        QTemporaryDir dir;
        MainWindow w;
        w.setQuiet(true);
        w.openModel(QString::fromStdString(dynamicChain(dir)));
        QVERIFY(waitIdle(w));
        w.runPanel()->setRunCount(1);
        w.runPanel()->setBudgetMiB(800);
        QVERIFY(w.runPanel()->setInputShape("x", "1x67108864"));
        QStringList errors;
        connect(&w, &MainWindow::errorShown, this, [&errors](const QString&, const QString& m) { errors << m; });
        w.comparePresets();
        QVERIFY(waitIdle(w));
        QStringList ran;
        for (const auto& set : w.results())
            if (const interstage::MemoryPreset* preset = interstage::presetOf(set.config.session.mode))
                ran << preset->name;
        QVERIFY2(ran.contains("reduce"), qPrintable(ran.join(", ") + " | " + errors.join(" | ")));
        QVERIFY2(!ran.contains("default"), qPrintable(ran.join(", ")));
        QVERIFY2(!errors.isEmpty() && errors.first().contains("the default plan needs"),
                 qPrintable(errors.join(" | ")));
        for (const QString& e : errors) QVERIFY2(e.contains("(set by the caller)"), qPrintable(e));
    }
};

QTEST_MAIN(AppMemoryGuardTest)
#include "test_app_memory_guard.moc"
