// A machine without any Vulkan driver, made by pointing the loader at a
// driver list that does not exist: the engine, the CLI and the app say so
// clearly, refuse the Vulkan backend with one line, and run on the CPU.
#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "app_wait.h"
#include "interstage/session.h"
#include "interstage/vulkan.h"
#include "main_window.h"
#include "test_support.h"
#include "widgets/run_panel.h"

using testsupport::waitIdle;

using namespace interstage;

namespace {

constexpr const char* kNoDriver = "/nonexistent/interstage-no-vulkan-driver.json";

struct CliResult {
    int exitCode = -1;
    QString out, err;
};

CliResult runCli(const QStringList& args) {
    QProcess p;  // inherits the environment, so the child sees no driver either
    p.start(INTERSTAGE_CLI, args);
    p.waitForFinished(300000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

}  // namespace

class NoVulkanTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        // Before any Vulkan call in this process: the loader reads these when
        // it looks for drivers (VK_DRIVER_FILES since loader 1.3.207, the
        // older VK_ICD_FILENAMES before).
        qputenv("VK_DRIVER_FILES", kNoDriver);
        qputenv("VK_ICD_FILENAMES", kNoDriver);
    }

    void theEngineSaysThereIsNoDevice() {
        auto devices = listVulkanDevices();
        QVERIFY(!devices.ok());
        QCOMPARE(int(devices.status().code()), int(StatusCode::NotFound));
        QVERIFY2(devices.status().message().find("Vulkan") != std::string::npos, devices.status().message().c_str());

        SessionOptions options;
        options.backend = "vulkan";
        auto refused = Session::create(loadModelFromBytes(testsupport::tinyChain().serialize(), ".").take(), options);
        QCOMPARE(int(refused.status().code()), int(StatusCode::NotFound));
        const std::string line = refused.status().toString();
        QVERIFY2(line.find("Vulkan") != std::string::npos && line.find('\n') == std::string::npos, line.c_str());

        options.backend = "cpu";
        auto cpu = Session::create(loadModelFromBytes(testsupport::tinyChain().serialize(), ".").take(), options);
        QVERIFY2(cpu.ok(), cpu.status().toString().c_str());
        QVERIFY(cpu.value()->run({}).isOk());
    }

    void theCliSaysSoAndRunsOnTheCpu() {
        auto devices = runCli({"devices"});
        QCOMPARE(devices.exitCode, 0);  // no Vulkan is a fact about the machine, not an error
        QVERIFY2(devices.out.contains(QRegularExpression("^cpu ")) &&
                     devices.out.contains(QRegularExpression("\nvulkan +none: .*Vulkan")),
                 qPrintable(devices.out));

        QTemporaryDir dir;
        const QString model =
            QString::fromStdString(testsupport::writeFile(dir, "tiny.onnx", testsupport::tinyChain().serialize()));
        auto vulkan = runCli({"run", model, "--backend", "vulkan", "--runs", "1"});
        QCOMPARE(vulkan.exitCode, 1);
        QCOMPARE(vulkan.err.trimmed().count('\n'), 0);  // one line
        QVERIFY2(vulkan.err.contains("Vulkan"), qPrintable(vulkan.err));
        auto cpu = runCli({"run", model, "--backend", "cpu", "--runs", "1", "--threads", "1"});
        QCOMPARE(cpu.exitCode, 0);
        QVERIFY2(cpu.out.contains("processing time"), qPrintable(cpu.out + cpu.err));
    }

    void theAppOffersOnlyTheCpuAndRuns() {
        QTemporaryDir dir;
        MainWindow w;
        w.setQuiet(true);
        QCOMPARE(w.runPanel()->backendIds(), QStringList{"cpu"});
        w.openModel(
            QString::fromStdString(testsupport::writeFile(dir, "tiny.onnx", testsupport::tinyChain().serialize())));
        QVERIFY(waitIdle(w));
        w.runPanel()->setRunCount(2);
        w.runOnce();
        QVERIFY(waitIdle(w));
        QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
        QCOMPARE(int(w.results().size()), 1);
        QCOMPARE(int(w.results().front().runs.size()), 2);
    }
};

QTEST_MAIN(NoVulkanTest)
#include "test_no_vulkan.moc"
