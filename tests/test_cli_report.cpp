// `interstage-cli chart` and `report` end to end, with no display: the
// sets run as `run`/`compare --session` runs them, interstage-render
// draws them. A chart names its configuration, a report is a PDF of
// several pages or an HTML file, and the command line's mistakes are
// caught before anything runs (exit 2; a missing renderer exit 1).
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QtTest>

#include "cli_process.h"
#include "interstage/session_file.h"
#include "interstage/zoo.h"
#include "test_support.h"

using testsupport::CliResult;
using testsupport::runCli;

namespace {

CliResult runCliWith(const QStringList& args, const QString& name, const QString& value) {
    return runCli(args, {{name, value}});
}

QString runTool(const QString& program, const QStringList& args) {
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(120000) || p.exitCode() != 0) return {};
    return QString::fromUtf8(p.readAllStandardOutput());
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The label the CLI gives a set of this mode, as interstage-render titles it.
QString labelOf(const char* mode) {
    interstage::SessionOptions options;
    options.mode = interstage::MemoryMode::parse(mode).value();
    options.threads = 1;
    return QString::fromStdString(interstage::runSetLabel(options));
}

}  // namespace

class TestCliReport : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString model_;

private slots:
    void initTestCase() {
        auto bytes = interstage::buildZooModel("u2netp-64");
        QVERIFY(bytes.ok());
        model_ = QString::fromStdString(testsupport::writeFile(dir_, "u2netp-64.onnx", bytes.value()));
    }

    void chartSvgNamesItsConfiguration() {
        const QString out = dir_.filePath("map.svg");
        const CliResult r =
            runCli({"chart", model_, "--mode", "reduce", "--threads", "1", "--chart", "map", "-o", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QString svg = QString::fromUtf8(readAll(out));
        QVERIFY(svg.startsWith("<?xml") || svg.contains("<svg"));
        QVERIFY2(svg.contains(labelOf("reduce")), qPrintable(labelOf("reduce")));
        QVERIFY(svg.contains("u2netp-64.onnx"));
        QVERIFY(!svg.contains(labelOf("default")));  // the one set it ran
    }

    void chartOfASessionFileAtTheSlideSize() {
        const QString session = dir_.filePath("run.interstage");
        CliResult r = runCli({"run", model_, "--mode", "arena", "--threads", "1", "--runs", "2", "--session", session});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QString out = dir_.filePath("timings.png");
        r = runCli({"chart", session, "--chart", "timings", "-o", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(!r.out.contains("session written"));  // drawn as it is, nothing ran
        const QImage image(out);
        QCOMPARE(image.size(), QSize(1920, 1080));
    }

    // A session of two sets: the last set's timeline carries the first
    // set's line, named, unless --no-overlays leaves it out.
    void chartOverlaysOfEarlierSets() {
        const QString session = dir_.filePath("two.interstage");
        CliResult r = runCli(
            {"compare", model_, "--presets", "default,reduce", "--threads", "1", "--runs", "2", "--session", session});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QString with = dir_.filePath("with.svg"), without = dir_.filePath("without.svg");
        r = runCli({"chart", session, "--chart", "timeline", "-o", with});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = runCli({"chart", session, "--chart", "timeline", "--no-overlays", "-o", without});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QString overlayName = "total tracked";
        QVERIFY(QString::fromUtf8(readAll(with)).contains(overlayName));
        QVERIFY(!QString::fromUtf8(readAll(without)).contains(overlayName));
    }

    void reportPdfHasPagesAndEveryPreset() {
        const QString out = dir_.filePath("report.pdf");
        const CliResult r = runCli({"report", model_, "--threads", "1", "--runs", "2", "-o", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QString info = runTool("pdfinfo", {out});
        if (info.isEmpty()) QFAIL("pdfinfo could not read the report (poppler-utils: scripts/setup.sh)");
        const QRegularExpressionMatch pages = QRegularExpression("Pages:\\s+(\\d+)").match(info);
        QVERIFY(pages.hasMatch());
        QVERIFY2(pages.captured(1).toInt() >= 3, qPrintable(info));
        const QString text = runTool("pdftotext", {out, "-"});
        for (const char* preset : {"default", "reduce", "reuse", "arena"})
            QVERIFY2(text.contains(QString(preset) + " ("), preset);
        QVERIFY(!text.contains("reduce+reuse ("));  // not asked for
    }

    void reportHtmlOfASessionFile() {
        const QString session = dir_.filePath("run.interstage");
        QVERIFY(QFile::exists(session));
        const QString out = dir_.filePath("report.html");
        const CliResult r = runCli({"report", session, "--style", "print", "-o", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QByteArray html = readAll(out);
        QVERIFY(html.contains("<html"));
        QVERIFY(html.contains("arena"));
    }

    void missingRendererIsExit1NamingIt() {
        const QString out = dir_.filePath("never.svg");
        const CliResult r = runCliWith({"chart", model_, "--chart", "timeline", "-o", out}, "INTERSTAGE_RENDER",
                                       "/nonexistent/interstage-render");
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("/nonexistent/interstage-render"), qPrintable(r.err));
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY(!r.out.contains("session written"));  // refused before running
        QVERIFY(!QFile::exists(out));
    }

    void badCommandLinesAreExit2_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("named");
        QTest::newRow("--chart pie") << QStringList{"chart", "M", "--chart", "pie", "-o", "x.svg"} << "pie";
        QTest::newRow("no --chart") << QStringList{"chart", "M", "-o", "x.svg"} << "--chart";
        QTest::newRow("chart .txt") << QStringList{"chart", "M", "--chart", "map", "-o", "x.txt"} << "x.txt";
        QTest::newRow("--style neon") << QStringList{"report", "M", "--style", "neon", "-o", "r.pdf"} << "neon";
        QTest::newRow("--target poster") << QStringList{"chart",    "M",      "--chart", "map",
                                                        "--target", "poster", "-o",      "x.svg"}
                                         << "poster";
        QTest::newRow("report .png") << QStringList{"report", "M", "-o", "r.png"} << "r.png";
        QTest::newRow("no -o") << QStringList{"report", "M"} << "-o";
        QTest::newRow("report --mode") << QStringList{"report", "M", "--mode", "reduce", "-o", "r.pdf"} << "--mode";
    }
    void badCommandLinesAreExit2() {
        QFETCH(QStringList, args);
        QFETCH(QString, named);
        args.replaceInStrings(QRegularExpression("^M$"), model_);
        const CliResult r = runCli(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(named), qPrintable(r.err));
    }

    void comparePresetsRunsOnlyThose() {
        const QString session = dir_.filePath("two.interstage");
        CliResult r = runCli(
            {"compare", model_, "--runs", "1", "--threads", "1", "--presets", "reduce,arena", "--session", session});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        auto read = interstage::readSessionFile(session.toStdString());
        QVERIFY(read.ok());
        QCOMPARE(read.value().runSets.size(), std::size_t(2));
        r = runCli({"compare", model_, "--presets", "reduce,fastest"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("fastest"));
    }
};

QTEST_GUILESS_MAIN(TestCliReport)
#include "test_cli_report.moc"
