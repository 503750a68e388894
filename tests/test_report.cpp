// The report (report/report.h) on a session the CLI made: the PDF's pages
// and sections, no table cell wider than its column, the PDF's text naming
// every configuration and its plan peak, and the HTML self-contained and
// opened by a real headless browser without errors or a blank page.
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include "cli_process.h"
#include "interstage/session_file.h"
#include "report/report.h"
#include "report/report_document.h"
#include "report/report_graph.h"
#include "report/report_sections.h"
#include "report/report_tables.h"

namespace {

struct Tool {
    int code = -1;
    QString out, err;
};

Tool runTool(const QString& program, const QStringList& args, int timeoutMs = 120000) {
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs)) p.kill();
    p.waitForFinished();
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

QString squeezed(QString text) { return text.replace(QRegularExpression(R"(\s+)"), " "); }

}  // namespace

class TestReport : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    interstage::SavedSession session_;

    QString path(const QString& name) const { return dir_.filePath(name); }

    // The plan peak as the cover's table prints it, per set.
    QStringList planPeaks() const {
        QStringList peaks;
        for (const auto& set : session_.runSets) peaks << report::bytesText(double(report::planPeakOf(set)));
        return peaks;
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        const QString model = path("mobilenetv2.onnx");
        auto zoo = testsupport::runCli({"zoo", "mobilenetv2", "-o", model});
        QVERIFY2(zoo.code == 0, qPrintable(zoo.err));
        auto compare =
            testsupport::runCli({"compare", model, "--runs", "2", "--threads", "1", "--session", path("m.interstage")});
        QVERIFY2(compare.code == 0, qPrintable(compare.err));
        auto read = interstage::readSessionFile(path("m.interstage").toStdString());
        QVERIFY2(read.ok(), read.status().message().c_str());
        session_ = std::move(read).value();
        QVERIFY(session_.runSets.size() >= 4);
    }

    // Wrapping keeps every character and never makes a line wider than
    // asked, also for a name without separators.
    void wrapKeepsEveryCharacter() {
        QFont font("DejaVu Sans");
        font.setPixelSize(12);
        const QFontMetricsF fm(font);
        const QString names[] = {"stage1/rebnconvin/conv_s1/Conv_output_0", QString(120, 'x'),
                                 "reduce · 1 thread · cpu", "a"};
        for (const QString& name : names) {
            const QStringList lines = report::wrapText(name, fm, 60);
            QCOMPARE(QString(lines.join("")).remove(' '), QString(name).remove(' '));
            for (const QString& l : lines) QVERIFY2(fm.horizontalAdvance(l) <= 60, qPrintable(l));
            if (fm.horizontalAdvance(name) > 60) QVERIFY(lines.size() > 1);
        }
    }

    void pdfPagesSectionsCells() {
        report::ReportLayout layout;
        QString error;
        const QString pdf = path("r.pdf");
        QVERIFY2(report::writeReport(pdf, session_, {}, &error, &layout), qPrintable(error));
        const Tool info = runTool("pdfinfo", {pdf});
        QCOMPARE(info.code, 0);
        const auto pages = QRegularExpression(R"(Pages:\s+(\d+))").match(info.out);
        QVERIFY(pages.hasMatch());
        QCOMPARE(pages.captured(1).toInt(), layout.pages);
        QVERIFY(layout.pages >= 4);

        QStringList titles;
        int lastPage = 0;
        for (const auto& s : layout.sections) {
            titles << s.title;
            QVERIFY2(s.page >= lastPage && s.page <= layout.pages, qPrintable(s.title));
            lastPage = s.page;
        }
        auto has = [&](const QString& part) {
            return std::any_of(titles.begin(), titles.end(), [&](const QString& t) { return t.contains(part); });
        };
        for (const char* part : {"Cover", "Contents", "Timings", "Per-node times", "plan of every", "The graph"})
            QVERIFY2(has(part), part);
        for (size_t i = 0; i < session_.runSets.size(); ++i)
            QVERIFY(has(QString::fromStdString(session_.runSets[i].label)));

        QVERIFY(layout.cells.size() > 100);
        int wrapped = 0;
        for (const auto& c : layout.cells) {
            QVERIFY2(c.textWidth <= c.cellWidth + 1e-6,
                     qPrintable(QString("'%1' is %2 wide in %3").arg(c.text).arg(c.textWidth).arg(c.cellWidth)));
            QVERIFY(c.lines >= 1);
            wrapped += c.lines > 1;
        }
        qInfo("%d pages, %zu cells, %d wrapped", layout.pages, layout.cells.size(), wrapped);

        const Tool text = runTool("pdftotext", {"-layout", pdf, "-"});
        QCOMPARE(text.code, 0);
        const QString plain = squeezed(text.out);
        const QStringList peaks = planPeaks();
        for (size_t i = 0; i < session_.runSets.size(); ++i) {
            QVERIFY2(plain.contains(QString::fromStdString(session_.runSets[i].label)),
                     session_.runSets[i].label.c_str());
            QVERIFY2(plain.contains(peaks[int(i)]), qPrintable(peaks[int(i)]));
        }
        QVERIFY(plain.contains(QString("page 2 of %1").arg(layout.pages)));
    }

    void htmlSelfContainedAndOpens() {
        report::ReportLayout layout;
        QString error;
        const QString html = path("r.html");
        QVERIFY2(report::writeReport(html, session_, {}, &error, &layout), qPrintable(error));
        QFile f(html);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        for (const char* bad : {"http:", "https:", "src=\"file", "<script"}) QVERIFY2(!text.contains(bad), bad);
        QVERIFY(text.count("<svg") >= int(session_.runSets.size()));
        QVERIFY(layout.cells.size() > 100);
        for (const auto& c : layout.cells) QVERIFY2(c.textWidth <= c.cellWidth + 1e-6, qPrintable(c.text));
        for (const QString& peak : planPeaks()) QVERIFY2(text.contains(peak), qPrintable(peak));

        const QString shot = path("shot.png");
        const Tool chromium =
            runTool("chromium", {"--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                                 "--screenshot=" + shot, "--window-size=1200,1600", "file://" + html});
        QCOMPARE(chromium.code, 0);
        for (const QString& line : chromium.err.split('\n'))
            QVERIFY2(!line.contains("Uncaught") && !line.contains("CONSOLE"), qPrintable(line));
        QImage image(shot);
        QVERIFY2(!image.isNull(), "no screenshot");
        QSet<QRgb> colours;
        int nonWhite = 0;
        for (int y = 0; y < image.height(); y += 4)
            for (int x = 0; x < image.width(); x += 4) {
                colours.insert(image.pixel(x, y));
                nonWhite += image.pixel(x, y) != qRgb(255, 255, 255);
            }
        qInfo("screenshot: %lld colours, %d non-white samples", qlonglong(colours.size()), nonWhite);
        QVERIFY(colours.size() > 20);
        QVERIFY(nonWhite > 500);
    }

    // U^2-Net-P, the seed's model: its table beside ours, and the graph
    // around the peak (673 nodes: too many to draw whole) with the peak's
    // node found and marked.
    void u2netpSeedTableAndGraph() {
        const QString model = path("u2netp.onnx");
        QCOMPARE(testsupport::runCli({"zoo", "u2netp", "-o", model}).code, 0);
        const QString file = path("u2.interstage");
        auto compare = testsupport::runCli({"compare", model, "--presets", "default,reduce,reuse,arena", "--runs", "2",
                                            "--threads", "1", "--session", file});
        QVERIFY2(compare.code == 0, qPrintable(compare.err));
        auto read = interstage::readSessionFile(file.toStdString());
        QVERIFY(read.ok());
        const interstage::SavedSession u2 = std::move(read).value();
        QCOMPARE(QString::fromStdString(u2.facts.architecture), QString("u2netp"));
        QCOMPARE(int(u2.runSets.size()), 4);

        const std::string peakNode = u2.runSets.front().peak.peakNode;
        const report::GraphFigure graph = report::graphFigure(u2.facts, peakNode);
        QVERIFY2(graph.error.isEmpty(), qPrintable(graph.error));
        QCOMPARE(graph.total, int(u2.facts.graph.size()));
        QVERIFY(graph.total > report::kWholeGraphNodes);
        QCOMPARE(graph.shown, 2 * report::kNodesAroundPeak + 1);
        QVERIFY(graph.peakIndex >= 0);
        QCOMPARE(u2.facts.graph[size_t(graph.peakIndex)].name, peakNode);
        QVERIFY(graph.svg.contains("the peak"));
        // The PDF draws the layout itself: every label inside its box.
        QVERIFY(graph.drawing);
        QCOMPARE(int(graph.drawing->boxes.size()), graph.shown);
        QImage points(1, 1, QImage::Format_RGB32);
        points.setDotsPerMeterX(2835);
        points.setDotsPerMeterY(2835);
        const QFontMetricsF fm(report::graphFont(), &points);
        int peaks = 0;
        for (const auto& box : graph.drawing->boxes) {
            peaks += box.peak;
            for (const QString& line : {box.op, box.name})
                QVERIFY2(fm.horizontalAdvance(line) < box.rect.width(), qPrintable(line));
        }
        QCOMPARE(peaks, 1);
        QVERIFY(graph.drawing->edges.size() >= size_t(graph.shown - 1));

        report::ReportLayout layout;
        QString error;
        const QString pdf = path("u2.pdf");
        QVERIFY2(report::writeReport(pdf, u2, {report::Style::Print, {}}, &error, &layout), qPrintable(error));
        auto page = [&](const QString& part) {
            for (const auto& s : layout.sections)
                if (s.title.contains(part)) return s.page;
            return 0;
        };
        QVERIFY(page("seed tutorial") > 0);
        for (int i = 1; i <= 4; ++i) QVERIFY(page(QString("Configuration %1:").arg(i)) > 0);
        QCOMPARE(page("Configuration 5:"), 0);
        QVERIFY(page("The graph") > page("plan of every"));
        for (const auto& c : layout.cells) QVERIFY2(c.textWidth <= c.cellWidth + 1e-6, qPrintable(c.text));
        const Tool text = runTool("pdftotext", {pdf, "-"});
        const QString plain = squeezed(text.out);
        QVERIFY(plain.contains("557.2"));  // the seed's default row, as printed
        QVERIFY(plain.contains(QString("%1 of the graph's %2 nodes").arg(graph.shown).arg(graph.total)));
        // The plans run over many pages, each with the table's header.
        for (int p = page("plan of every"); p < page("The graph"); ++p) {
            const Tool one = runTool("pdftotext", {"-f", QString::number(p), "-l", QString::number(p), pdf, "-"});
            QVERIFY2(one.out.contains("offset") && one.out.contains("role"), qPrintable(QString("page %1").arg(p)));
        }
        QVERIFY(page("The graph") - page("plan of every") >= 10);
        // The graph's text is text (searchable), and the file stays small:
        // drawn through QSvgRenderer the labels became outlines, 6 MB.
        const Tool graphText = runTool("pdftotext", {"-f", QString::number(page("The graph")), pdf, "-"});
        QVERIFY(graphText.out.contains(QString::fromStdString(peakNode)));
        QVERIFY(graphText.out.contains("the peak"));
        QVERIFY2(QFileInfo(pdf).size() < 2'000'000, qPrintable(QString::number(QFileInfo(pdf).size())));
        qInfo("U^2-Net-P: %d pages, %zu cells", layout.pages, layout.cells.size());
    }

    // interstage-render --report: 0 and a file, 1 with one line for a bad
    // session, 2 for a bad command line.
    void renderToolReport() {
        const QString out = path("tool.html");
        Tool ok = runTool(INTERSTAGE_RENDER, {path("m.interstage"), "--report", "--style", "print", "-o", out});
        QVERIFY2(ok.code == 0, qPrintable(ok.err));
        QVERIFY(QFileInfo(out).size() > 10000);
        QFile junk(path("junk.interstage"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not a session");
        junk.close();
        const Tool bad = runTool(INTERSTAGE_RENDER, {path("junk.interstage"), "--report", "-o", path("x.pdf")});
        QCOMPARE(bad.code, 1);
        QCOMPARE(bad.err.trimmed().count('\n'), 0);
        QVERIFY2(bad.err.contains("junk.interstage"), qPrintable(bad.err));
        QCOMPARE(runTool(INTERSTAGE_RENDER, {path("m.interstage"), "--report"}).code, 2);
        QCOMPARE(runTool(INTERSTAGE_RENDER, {path("m.interstage"), "--report", "--style", "neon", "-o", out}).code, 2);
        QCOMPARE(runTool(INTERSTAGE_RENDER, {path("m.interstage"), "--report", "-o", path("r.txt")}).code, 1);
    }

    // A document with no run sets still makes a report (cover, contents).
    void emptySession() {
        interstage::SavedSession empty;
        empty.model.path = "/nowhere/empty.onnx";
        report::ReportLayout layout;
        QString error;
        QVERIFY2(report::writeReport(path("empty.pdf"), empty, {}, &error, &layout), qPrintable(error));
        QVERIFY(layout.pages >= 2);
        QVERIFY2(report::writeReport(path("empty.html"), empty, {}, &error, &layout), qPrintable(error));
    }

    void badPathsAreClearErrors() {
        QString error;
        QVERIFY(!report::writeReport(path("r.docx"), session_, {}, &error));
        QVERIFY2(error.contains(".pdf or .html"), qPrintable(error));
        error.clear();
        QVERIFY(!report::writeReport(path("no/such/dir/r.html"), session_, {}, &error));
        QVERIFY2(error.contains("cannot write"), qPrintable(error));
        error.clear();
        QVERIFY(!report::writeReport(path("no/such/dir/r.pdf"), session_, {}, &error));
        QVERIFY2(error.contains("cannot write"), qPrintable(error));
    }
};

QTEST_MAIN(TestReport)
#include "test_report.moc"
