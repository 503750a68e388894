// The desktop app's command line, as a script or a server meets it: text
// options with no display, and scripted screenshots that fail fast.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "models/control_flow_models.h"
#include "test_support.h"

namespace {

struct Outcome {
    bool finished = false;
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    QString out, err;
};

// Runs the app with `arguments` in `environment`; 60 s is far beyond what
// any of these needs, so a hang fails the test instead of stalling CTest.
Outcome runApp(const QStringList& arguments, const QProcessEnvironment& environment) {
    QProcess app;
    app.setProcessEnvironment(environment);
    app.start(INTERSTAGE_APP, arguments);
    Outcome outcome;
    outcome.finished = app.waitForFinished(60000);
    if (!outcome.finished) {
        app.kill();
        app.waitForFinished();
    }
    outcome.exitCode = app.exitCode();
    outcome.exitStatus = app.exitStatus();
    outcome.out = QString::fromLocal8Bit(app.readAllStandardOutput());
    outcome.err = QString::fromLocal8Bit(app.readAllStandardError());
    return outcome;
}

QProcessEnvironment withoutDisplay() {
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) environment.remove(name);
    return environment;
}

}  // namespace

class AppCommandLineTest : public QObject {
    Q_OBJECT
private slots:
    void helpAndVersionNeedNoDisplay() {
        const Outcome help = runApp({"--help"}, withoutDisplay());
        QVERIFY(help.finished);
        QCOMPARE(help.exitStatus, QProcess::NormalExit);
        QCOMPARE(help.exitCode, 0);
        QVERIFY2(help.out.contains("--screenshot"), qPrintable(help.out));

        const Outcome version = runApp({"--version"}, withoutDisplay());
        QCOMPARE(version.exitStatus, QProcess::NormalExit);
        QCOMPARE(version.exitCode, 0);
        QCOMPARE(version.out.trimmed(), QStringLiteral("Interstage " INTERSTAGE_VERSION));
    }

    void noDisplayIsAClearErrorNotAnAbort() {
        const Outcome outcome = runApp({}, withoutDisplay());
        QVERIFY(outcome.finished);
        QCOMPARE(outcome.exitStatus, QProcess::NormalExit);
        QCOMPARE(outcome.exitCode, 1);
        QVERIFY2(outcome.err.contains("no display"), qPrintable(outcome.err));
    }

    void screenshotOfAModelThatCannotOpenExitsWithTheError() {
        QTemporaryDir dir;
        const QString shot = dir.filePath("shot.png");
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert("QT_QPA_PLATFORM", "offscreen");
        const QString broken = QStringLiteral(INTERSTAGE_SOURCE_DIR) + "/tests/hostile/opset_import_missing.onnx";
        const Outcome outcome = runApp({broken, "--screenshot", shot}, environment);
        QVERIFY2(outcome.finished, "the app waited at the error instead of exiting");
        QCOMPARE(outcome.exitCode, 1);
        QVERIFY2(outcome.err.contains("no opset_import"), qPrintable(outcome.err));
        QVERIFY2(QFileInfo(shot).size() > 0, "the window as it was is still saved");
    }

    // --input and --value fill the run panel as a user would (the CLI's
    // options, for a scripted screenshot of a model such as silero-vad);
    // a name the model lacks or a value that does not parse exits 1 with
    // the reason.
    void inputValuesFromTheCommandLine() {
        QTemporaryDir dir;
        const QString model =
            QString::fromStdString(testsupport::writeFile(dir, "sr.onnx", testmodels::sampleRateModel().serialize()));
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert("QT_QPA_PLATFORM", "offscreen");
        const QString shot = dir.filePath("shot.png");
        const Outcome ran =
            runApp({model, "--input", "sr=scalar", "--value", "sr=16000", "--preset", "default", "--screenshot", shot},
                   environment);
        QVERIFY(ran.finished);
        QVERIFY2(ran.exitCode == 0, qPrintable(ran.err));
        QVERIFY(QFileInfo(shot).size() > 0);

        const Outcome unknown =
            runApp({model, "--value", "rate=1", "--preset", "default", "--screenshot", shot}, environment);
        QVERIFY(unknown.finished);
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY2(unknown.err.contains("--value 'rate=1' must name an input of the model"), qPrintable(unknown.err));

        const Outcome notANumber =
            runApp({model, "--value", "sr=16k", "--preset", "default", "--screenshot", shot}, environment);
        QVERIFY(notANumber.finished);
        QCOMPARE(notANumber.exitCode, 1);
        QVERIFY2(notANumber.err.contains("input 'sr' (int64): '16k' is not a whole number"),
                 qPrintable(notANumber.err));
    }
};

QTEST_GUILESS_MAIN(AppCommandLineTest)
#include "test_app_command_line.moc"
