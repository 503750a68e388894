// The app's File > Export: charts drawn afresh from the export document
// (not grabbed from the widgets), the report as PDF and HTML, the data as
// the one JSON document and as CSV tables, the export dialog's choices
// and preview, and errors that keep what the window had.
#include <QComboBox>
#include <QElapsedTimer>
#include <QImage>
#include <QLabel>
#include <QPainter>
#include <QProcess>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest>

#include "app_wait.h"
#include "export_dialog.h"
#include "interstage/zoo.h"
#include "main_window.h"
#include "report/figure_layout.h"
#include "schema_check.h"
#include "test_support.h"
#include "widgets/memory_timeline.h"
#include "widgets/run_panel.h"

using testsupport::waitIdle;

namespace {

QString readText(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

QString pdfText(const QString& path) {
    QProcess p;
    p.start("pdftotext", {path, "-"});
    p.waitForFinished(60000);
    return QString::fromUtf8(p.readAllStandardOutput());
}

}  // namespace

class AppExportsTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        auto bytes = interstage::buildZooModel("u2netp-64");
        QVERIFY(bytes.ok());
        modelPath_ = QString::fromStdString(testsupport::writeFile(dir_, "u2netp-64.onnx", bytes.value()));
        window_ = std::make_unique<MainWindow>();
        window_->setQuiet(true);
        window_->resize(1400, 900);
        window_->show();
        // Before any run there is nothing to draw: an error, not an empty file.
        window_->openModel(modelPath_);
        QVERIFY(waitIdle(*window_));
        QVERIFY(!window_->exportChart("timeline", dir_.filePath("early.png")));
        QVERIFY2(window_->lastError().contains("run the model first"), qPrintable(window_->lastError()));
        QVERIFY(!QFile::exists(dir_.filePath("early.png")));
        for (const char* preset : {"default", "reduce", "arena"}) {
            window_->runPanel()->setRunCount(2);
            window_->runPanel()->applyPreset(preset);
            window_->runOnce();
            QVERIFY(waitIdle(*window_));
            QVERIFY(!window_->results().empty());
            QVERIFY2(window_->results().back().error.isEmpty(), qPrintable(window_->results().back().error));
        }
        QCOMPARE(int(window_->results().size()), 3);
    }

    // The chart the window shows, exported: the newest set, its run and
    // the earlier set as a line; the SVG's text names the set and model.
    void chartsAreDrawnForThePage() {
        const report::FigureOptions shown = window_->chartOptionsAsShown(report::ChartKind::Timeline);
        QCOMPARE(shown.set, 2);
        QCOMPARE(shown.run, 2);
        QVERIFY(shown.overlays);
        const QString label = window_->results().back().config.label();
        for (const char* chart : {"timeline", "memorymap", "timings"}) {
            const QString png = dir_.filePath(QString(chart) + ".png"), svg = dir_.filePath(QString(chart) + ".svg"),
                          pdf = dir_.filePath(QString(chart) + ".pdf");
            QVERIFY2(window_->exportChart(chart, png), qPrintable(window_->lastError()));
            // A slide, whatever size the widget has on screen.
            QCOMPARE(QImage(png).size(), QSize(1920, 1080));
            QVERIFY2(window_->exportChart(chart, svg), qPrintable(window_->lastError()));
            QVERIFY(QSvgRenderer(svg).isValid());
            const QString svgText = readText(svg);
            QVERIFY2(svgText.contains("u2netp-64.onnx"), chart);
            QVERIFY2(svgText.contains("Interstage"), chart);  // the footnote
            QVERIFY2(window_->exportChart(chart, pdf), qPrintable(window_->lastError()));
            QVERIFY(readText(pdf).startsWith("%PDF"));
        }
        // The timeline's title names the set the window shows.
        const QString timeline = readText(dir_.filePath("timeline.svg"));
        QVERIFY2(timeline.contains(label.section(QChar(0xb7), 0, 0).trimmed()), qPrintable(label));
        QVERIFY(!window_->exportChart("pie", dir_.filePath("pie.png")));
        QVERIFY(window_->lastError().contains("pie"));
    }

    // An overlay unticked in the timeline's list stays out of the export;
    // the other earlier set is still drawn, named.
    void overlaysExportedAsShown() {
        auto* timeline = window_->memoryTimeline();
        QCOMPARE(timeline->overlayCount(), 2);
        int defaultOverlay = -1;
        for (int i = 0; i < timeline->overlayCount(); ++i)
            if (timeline->overlaySetId(i) == window_->results().front().setId) defaultOverlay = i;
        QVERIFY(defaultOverlay >= 0);
        timeline->setOverlayVisible(defaultOverlay, false);
        const report::FigureOptions options = window_->chartOptionsAsShown(report::ChartKind::Timeline);
        QVERIFY(options.overlays);
        QCOMPARE(options.hiddenOverlays, std::vector<int>{0});
        QImage image(QSize(1920, 1080), QImage::Format_ARGB32_Premultiplied);
        QPainter painter(&image);
        const report::FigureLayout layout =
            report::drawFigureWithLayout(painter, QRectF(0, 0, 1920, 1080), window_->exportDocument(), options);
        const QString names = layout.legendNames.join('|');
        QVERIFY2(names.contains("reduce") && names.contains("total tracked"), qPrintable(names));
        QVERIFY2(!names.contains("default"), qPrintable(names));
        // The export dialog keeps them.
        auto document = std::make_shared<const interstage::SavedSession>(window_->exportDocument());
        QCOMPARE(ChartExportDialog(document, options).options().hiddenOverlays, std::vector<int>{0});
        timeline->setOverlayVisible(defaultOverlay, true);
    }

    // A column-wide print PNG at 300 dpi: 85 mm is 1004 px.
    void aFigureAtColumnSize() {
        report::FigureOptions options = window_->chartOptionsAsShown(report::ChartKind::MemoryMap);
        options.target = report::Target::Column;
        options.style = report::Style::Print;
        options.dpi = 300;
        const QString png = dir_.filePath("column.png");
        QVERIFY2(window_->exportFigure(options, png), qPrintable(window_->lastError()));
        const QImage image(png);
        QCOMPARE(image.width(), 1004);
        QCOMPARE(qRound(image.dotsPerMeterX() * 0.0254), 300);
    }

    void theReportInBothFormats() {
        const QString pdf = dir_.filePath("report.pdf"), html = dir_.filePath("report.html");
        QVERIFY2(window_->exportReport(pdf), qPrintable(window_->lastError()));
        const QString text = pdfText(pdf);
        for (const auto& set : window_->results())
            QVERIFY2(text.contains(set.config.label().section(QChar(0xb7), 0, 0).trimmed()),
                     qPrintable(set.config.label()));
        QVERIFY(text.contains("Contents"));
        QVERIFY2(window_->exportReport(html, report::Style::Print), qPrintable(window_->lastError()));
        const QString page = readText(html);
        QVERIFY(page.contains("<svg"));
        QVERIFY(!page.contains("http://") && !page.contains("https://"));
        // A folder that does not exist: a clear error, and the window keeps its sets.
        QVERIFY(!window_->exportReport(dir_.filePath("missing/report.pdf")));
        QVERIFY(!window_->lastError().isEmpty());
        QCOMPARE(int(window_->results().size()), 3);
    }

    // The JSON is the export document (schema-valid, with the facts); the
    // CSV tables hold the plan, node times, events and RSS samples.
    void dataAsOneDocumentAndAsTables() {
        const QString json = dir_.filePath("data.json");
        QVERIFY2(window_->exportData(json), qPrintable(window_->lastError()));
        auto read = interstage::readSessionFile(json.toStdString());
        QVERIFY2(read.ok(), read.ok() ? "" : read.status().message().c_str());
        QVERIFY(read.value().facts.present);
        QCOMPARE(read.value().runSets.size(), std::size_t(3));
        if (!testsupport::schemaValidatorAvailable())
            QFAIL("python3-jsonschema is missing (scripts/setup.sh installs it)");
        const testsupport::SchemaCheck check = testsupport::validateSessionDocument(json);
        QVERIFY2(check.code == 0, qPrintable(check.errors));
        const QString tables = dir_.filePath("tables");
        QVERIFY2(window_->exportCsvTables(tables), qPrintable(window_->lastError()));
        for (const char* name : {"plan.csv", "node_times.csv", "events.csv", "rss.csv"}) {
            const QString text = readText(tables + "/" + name);
            QVERIFY2(text.count('\n') > 2, name);
        }
    }

    // The dialog's choices become the options; the preview is drawn by the
    // figure code and the size line follows the target.
    void theExportDialog() {
        auto document = std::make_shared<const interstage::SavedSession>(window_->exportDocument());
        ChartExportDialog dialog(document, window_->chartOptionsAsShown(report::ChartKind::Timings));
        QCOMPARE(dialog.options().kind, report::ChartKind::Timings);
        QCOMPARE(dialog.options().set, 2);
        auto* target = dialog.findChild<QComboBox*>("target");
        QVERIFY(target);
        target->setCurrentIndex(target->findData(int(report::Target::Column)));
        QCOMPARE(dialog.options().target, report::Target::Column);
        auto* size = dialog.findChild<QLabel*>("outputSize");
        auto* preview = dialog.findChild<QLabel*>("preview");
        QVERIFY(size && preview);
        QCOMPARE(size->text(), QString("1004 x 709 px"));
        QVERIFY(!preview->pixmap().isNull());
        QVERIFY(preview->pixmap().width() > 100);
    }

    void cleanupTestCase() { window_.reset(); }

private:
    QTemporaryDir dir_;
    QString modelPath_;
    std::unique_ptr<MainWindow> window_;
};

QTEST_MAIN(AppExportsTest)
#include "test_app_exports.moc"
