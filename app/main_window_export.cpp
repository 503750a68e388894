// Exports: charts drawn afresh for the page (report/figure.h: PNG at a
// chosen DPI, SVG, PDF, with title, legend, named lines and a footnote),
// the report (PDF or one self-contained HTML file), the data as the one
// export document (JSON: the session format with the model's facts, plan
// roles and peaks) or as CSV tables, and the last run set as a Chrome
// trace. Every figure and table is drawn from exportDocument(), the same
// document `interstage-cli report|chart` renders, so the app and scripts
// make the same files.
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QStatusBar>

#include "export_dialog.h"
#include "interstage/export_csv.h"
#include "interstage/trace.h"
#include "main_window.h"
#include "report/figure.h"
#include "report/report.h"
#include "widgets/chart_export.h"
#include "widgets/memory_timeline.h"

report::FigureOptions MainWindow::chartOptionsAsShown(report::ChartKind kind) const {
    report::FigureOptions options;
    options.kind = kind;
    if (results_.empty()) return options;
    // The charts show the newest set that ran; find it among the document's
    // sets (every set of the session, plans and refused sets included).
    const int shownId = results_.back().setId;
    for (std::size_t i = 0; i < history_.size(); ++i)
        if (history_[i].setId == shownId) options.set = int(i);
    if (timeline_->displayedRun() > 0) options.run = timeline_->displayedRun();
    // Earlier sets go in as lines as the timeline shows them: those its
    // overlay list has unticked stay out.
    bool anyOverlay = false;
    for (int i = 0; i < timeline_->overlayCount(); ++i) {
        const bool visible = timeline_->overlayVisible(i);
        anyOverlay = anyOverlay || visible;
        if (visible) continue;
        for (std::size_t set = 0; set < history_.size(); ++set)
            if (history_[set].setId == timeline_->overlaySetId(i)) options.hiddenOverlays.push_back(int(set));
    }
    options.overlays = anyOverlay;
    return options;
}

bool MainWindow::exportChart(const QString& which, const QString& path) {
    report::ChartKind kind;
    if (!report::chartKindFromName(which, &kind)) {
        lastError_ = tr("unknown chart '%1'").arg(which);
        return false;
    }
    return exportFigure(chartOptionsAsShown(kind), path);
}

bool MainWindow::exportFigure(const report::FigureOptions& options, const QString& path) {
    if (history_.empty()) {
        lastError_ = tr("nothing to draw yet: run the model first");
        return false;
    }
    return report::saveFigure(path, exportDocument(), options, &lastError_);
}

void MainWindow::exportChartWithDialog(report::ChartKind kind) {
    if (history_.empty()) {
        showError(tr("Export failed"), tr("nothing to draw yet: run the model first"));
        return;
    }
    auto document = std::make_shared<const interstage::SavedSession>(exportDocument());
    ChartExportDialog dialog(document, chartOptionsAsShown(kind), this);
    if (dialog.exec() != QDialog::Accepted) return;
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export chart"), QString(), ChartExportDialog::fileFilter());
    if (path.isEmpty()) return;
    if (!report::saveFigure(path, *document, dialog.options(), &lastError_)) showError(tr("Export failed"), lastError_);
}

bool MainWindow::exportData(const QString& path) {
    if (history_.empty()) {
        lastError_ = tr("nothing to export yet: run the model first");
        return false;
    }
    if (QFileInfo(path).suffix().toLower() != "json") return widgets::exportTimingsCsv(results_, path, &lastError_);
    // The one export document: what Save Session writes, plus the model's
    // facts, the plan's roles and each set's peak (docs/session_format.md).
    const interstage::Status status = interstage::writeSessionFile(path.toStdString(), exportDocument());
    if (!status.isOk()) lastError_ = QString::fromStdString(status.message());
    return status.isOk();
}

bool MainWindow::exportCsvTables(const QString& dir) {
    if (history_.empty()) {
        lastError_ = tr("nothing to export yet: run the model first");
        return false;
    }
    const interstage::Status status = interstage::writeCsvExports(dir.toStdString(), exportDocument());
    if (!status.isOk()) lastError_ = QString::fromStdString(status.message());
    return status.isOk();
}

bool MainWindow::exportTrace(const QString& path) {
    if (results_.empty()) {
        lastError_ = tr("nothing to export yet: run the model first");
        return false;
    }
    std::vector<interstage::RunStats> runs;
    for (const auto& run : results_.back().runs) runs.push_back(*run);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        lastError_ = tr("cannot write '%1'").arg(path);
        return false;
    }
    file.write(QByteArray::fromStdString(interstage::chromeTrace(runs, results_.back().config.label().toStdString())));
    return true;
}

bool MainWindow::exportReport(const QString& path, report::Style style) {
    if (!document_ && !isChartsOnly()) {
        lastError_ = tr("open a model first");
        return false;
    }
    report::ReportOptions options;
    options.style = style;
    return report::writeReport(path, exportDocument(), options, &lastError_);
}

void MainWindow::buildExportMenu(QMenu* file) {
    QMenu* menu = file->addMenu(tr("&Export"));
    auto exportTo = [this](const QString& title, const QString& filter, auto&& action) {
        const QString path = QFileDialog::getSaveFileName(this, title, QString(), filter);
        if (!path.isEmpty() && !action(path)) showError(tr("Export failed"), lastError_);
    };
    menu->addAction(tr("Memory timeline..."), this, [this] { exportChartWithDialog(report::ChartKind::Timeline); });
    menu->addAction(tr("Memory map..."), this, [this] { exportChartWithDialog(report::ChartKind::MemoryMap); });
    menu->addAction(tr("Timings chart..."), this, [this] { exportChartWithDialog(report::ChartKind::Timings); });
    menu->addSeparator();
    // The report draws on the GUI thread (its figures are QCustomPlots):
    // a wait cursor and a status line while it does (seconds for a big
    // model), and where it went after.
    auto reportTo = [=, this](const QString& title, report::Style style) {
        exportTo(title, tr("PDF document (*.pdf);;Web page, one file (*.html)"), [this, style](const QString& p) {
            statusBar()->showMessage(tr("Writing the report to %1...").arg(p));
            QApplication::setOverrideCursor(Qt::WaitCursor);
            const bool written = exportReport(p, style);
            QApplication::restoreOverrideCursor();
            statusBar()->showMessage(written ? tr("Report written to %1").arg(p) : QString(), 5000);
            return written;
        });
    };
    menu->addAction(tr("Report (PDF or HTML)..."), this, [=] { reportTo(tr("Export report"), report::Style::Light); });
    menu->addAction(tr("Report for print (greyscale-safe)..."), this,
                    [=] { reportTo(tr("Export report for print"), report::Style::Print); });
    menu->addSeparator();
    menu->addAction(tr("Data as one JSON document..."), this, [=, this] {
        exportTo(tr("Export data"), tr("JSON document (*.json)"), [this](const QString& p) { return exportData(p); });
    });
    menu->addAction(tr("Data as CSV tables (a folder)..."), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Export CSV tables into"));
        if (!dir.isEmpty() && !exportCsvTables(dir)) showError(tr("Export failed"), lastError_);
    });
    menu->addAction(tr("Run summary (CSV)..."), this, [=, this] {
        exportTo(tr("Export run summary"), tr("CSV (*.csv)"), [this](const QString& p) { return exportData(p); });
    });
    menu->addAction(tr("Chrome trace (Perfetto)..."), this, [=, this] {
        exportTo(tr("Export trace"), tr("Chrome trace (*.json)"), [this](const QString& p) { return exportTrace(p); });
    });
}
