// Exports: charts as PNG / SVG / PDF, run data as CSV / JSON, the last run
// set as a Chrome trace, and a one-file PDF report.
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTabWidget>
#include <QTextStream>

#include "interstage/run_json.h"
#include "interstage/trace.h"
#include "main_window.h"
#include "widgets/chart_export.h"
#include "widgets/memory_map.h"
#include "widgets/memory_timeline.h"
#include "widgets/timing_chart.h"

bool MainWindow::exportChart(const QString& which, const QString& path) {
    // The plots themselves (QCustomPlot writes vector SVG / PDF).
    QCustomPlot* plot = which == "timeline"    ? timeline_->plot()
                        : which == "timings"   ? timingChart_->plot()
                        : which == "memorymap" ? memoryMap_->plot()
                                               : nullptr;
    if (!plot) {
        lastError_ = tr("unknown chart '%1'").arg(which);
        return false;
    }
    return widgets::exportChart(plot, path, &lastError_);
}

bool MainWindow::exportData(const QString& path) {
    if (results_.empty()) {
        lastError_ = tr("nothing to export yet: run the model first");
        return false;
    }
    if (QFileInfo(path).suffix().toLower() != "json") return widgets::exportTimingsCsv(results_, path, &lastError_);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        lastError_ = tr("cannot write '%1'").arg(path);
        return false;
    }
    QJsonArray sets;
    for (const auto& r : results_) {
        QJsonArray runs;
        // The engine's writer: the same keys as `interstage-cli run --json`.
        for (const auto& run : r.runs)
            runs.append(
                QJsonDocument::fromJson(QByteArray::fromStdString(interstage::runStatsJson(*run, false))).object());
        sets.append(QJsonObject{{"config", r.config.label()},
                                {"mode", QString::fromStdString(r.config.session.mode.name())},
                                {"lower_bound_bytes", double(r.lowerBoundBytes)},
                                {"executed_lower_bound_bytes", double(r.executedLowerBoundBytes)},
                                {"aliased_lower_bound_bytes", double(r.aliasedLowerBoundBytes)},
                                {"weight_bytes", double(r.weightBytes)},
                                {"first_ms", r.firstMs()},
                                {"steady_median_ms", r.steadyMedianMs()},
                                {"runs", runs}});
    }
    file.write(
        QJsonDocument(QJsonObject{{"model", document_ ? document_->path : QString()}, {"run_sets", sets}}).toJson());
    return true;
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

bool MainWindow::exportReport(const QString& path) {
    if (!document_) {
        lastError_ = tr("open a model first");
        return false;
    }
    QPdfWriter pdf(path);
    pdf.setPageSize(QPageSize(QPageSize::A4));
    pdf.setResolution(96);
    pdf.setTitle("Interstage report");
    QPainter p;
    if (!p.begin(&pdf)) {
        lastError_ = tr("cannot write '%1'").arg(path);
        return false;
    }
    const QRect page = p.viewport();
    const QLocale locale;
    auto size = [&](std::size_t bytes) {
        return locale.formattedDataSize(qint64(bytes), 1, QLocale::DataSizeTraditionalFormat);
    };
    int y = 40;
    QFont title = p.font();
    title.setPointSize(18);
    title.setBold(true);
    p.setFont(title);
    p.drawText(40, y, tr("Interstage memory report"));
    y += 36;
    QFont body = p.font();
    body.setPointSize(10);
    body.setBold(false);
    p.setFont(body);
    const auto& s = document_->summary;
    const QStringList lines = {tr("Model: %1").arg(document_->path),
                               tr("Opset %1, %2 nodes, weights %3").arg(s.opset).arg(s.nodes).arg(size(s.weightBytes)),
                               tr("Intermediates: %1 tensors, %2; largest %3 (%4)")
                                   .arg(s.intermediateCount)
                                   .arg(size(s.intermediateBytes))
                                   .arg(QString::fromStdString(s.largestTensor))
                                   .arg(size(s.largestTensorBytes)),
                               tr("Lower bound (as stored): %1").arg(size(s.lowerBound.bytes))};
    for (const QString& line : lines) {
        p.drawText(40, y, line);
        y += 20;
    }
    y += 14;
    QFont bold = body;
    bold.setBold(true);
    const QStringList header = {tr("configuration"), tr("first ms"), tr("steady ms"),
                                tr("peak tracked"),  tr("peak RSS"), tr("allocs/run")};
    const int columns[] = {40, 330, 410, 490, 590, 690};
    p.setFont(bold);
    for (int c = 0; c < header.size(); ++c) p.drawText(columns[c], y, header[c]);
    p.setFont(body);
    y += 20;
    for (const auto& r : results_) {
        const int steadyAllocations = r.runs.size() > 1 ? r.runs.back()->allocations : r.runs.front()->allocations;
        const QStringList row = {r.config.label(),
                                 QString::number(r.firstMs(), 'f', 1),
                                 QString::number(r.steadyMedianMs(), 'f', 1),
                                 size(r.peakTrackedBytes()),
                                 size(r.peakRssBytes()),
                                 QString::number(steadyAllocations)};
        for (int c = 0; c < row.size(); ++c) p.drawText(columns[c], y, row[c]);
        y += 18;
    }
    if (results_.empty()) p.drawText(40, y, tr("(no runs yet)"));
    y += 20;
    // The charts, scaled to the page width.
    for (QWidget* chart : {static_cast<QWidget*>(timeline_), static_cast<QWidget*>(timingChart_)}) {
        const QSize natural = chart->size().isEmpty() ? QSize(1000, 600) : chart->size();
        const double scale = double(page.width() - 80) / natural.width();
        const int height = int(natural.height() * scale);
        if (y + height > page.height() - 40) {
            pdf.newPage();
            y = 40;
        }
        p.save();
        p.translate(40, y);
        p.scale(scale, scale);
        chart->render(&p);
        p.restore();
        y += height + 20;
    }
    p.end();
    return true;
}
