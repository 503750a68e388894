#include "widgets/chart_export.h"

#include <qcustomplot.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPixmap>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTextStream>

namespace widgets {

namespace {

bool fail(QString* error, const QString& message) {
    if (error) *error = message;
    return false;
}

// Quotes a CSV field when it holds a separator, a quote or a line break.
QString csvField(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

bool openForWriting(QSaveFile& file, QString* error) {
    if (!file.open(QIODevice::WriteOnly))
        return fail(
            error,
            QObject::tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(file.fileName()), file.errorString()));
    return true;
}

bool commit(QSaveFile& file, QString* error) {
    if (!file.commit())
        return fail(
            error,
            QObject::tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(file.fileName()), file.errorString()));
    return true;
}

bool savePixels(QCustomPlot* plot, const QString& path, const char* format, QString* error) {
    // Twice the on-screen resolution: crisp on slides and high-DPI screens.
    const QPixmap pixels = plot->toPixmap(0, 0, 2.0);
    QSaveFile file(path);
    if (!openForWriting(file, error)) return false;
    if (!pixels.save(&file, format)) {
        file.cancelWriting();
        return fail(
            error,
            QObject::tr("Cannot encode %1 as %2").arg(QDir::toNativeSeparators(path), QString::fromLatin1(format)));
    }
    return commit(file, error);
}

bool saveSvg(QCustomPlot* plot, const QString& path, QString* error) {
    QSaveFile file(path);
    if (!openForWriting(file, error)) return false;
    const int width = plot->width(), height = plot->height();
    QSvgGenerator generator;
    generator.setOutputDevice(&file);
    generator.setSize(QSize(width, height));
    generator.setViewBox(QRect(0, 0, width, height));
    generator.setTitle(QFileInfo(path).completeBaseName());
    generator.setDescription(QStringLiteral("Interstage chart"));
    QCPPainter painter;
    if (!painter.begin(&generator)) {
        file.cancelWriting();
        return fail(error, QObject::tr("Cannot draw the chart into %1").arg(QDir::toNativeSeparators(path)));
    }
    // Vector output: no pixel caches, no cosmetic-pen shortcuts.
    painter.setMode(QCPPainter::pmVectorized);
    painter.setMode(QCPPainter::pmNoCaching);
    plot->toPainter(&painter, width, height);
    painter.end();
    return commit(file, error);
}

bool savePdf(QCustomPlot* plot, const QString& path, QString* error) {
    // QCustomPlot writes the PDF by file name: write beside the target and
    // rename, so a failure never leaves a truncated file at `path`.
    const QString partial = path + QStringLiteral(".part");
    if (!plot->savePdf(partial, 0, 0, QCP::epNoCosmetic, QStringLiteral("Interstage"),
                       QFileInfo(path).completeBaseName())) {
        QFile::remove(partial);
        return fail(error, QObject::tr("Cannot write %1").arg(QDir::toNativeSeparators(path)));
    }
    QFile::remove(path);
    if (!QFile::rename(partial, path)) {
        QFile::remove(partial);
        return fail(error, QObject::tr("Cannot write %1").arg(QDir::toNativeSeparators(path)));
    }
    return true;
}

}  // namespace

bool exportChart(QCustomPlot* plot, const QString& path, QString* error) {
    if (!plot) return fail(error, QObject::tr("There is no chart to export"));
    if (plot->width() <= 0 || plot->height() <= 0)
        return fail(error, QObject::tr("The chart has no size yet; show it before exporting"));
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png")) return savePixels(plot, path, "PNG", error);
    if (suffix == QLatin1String("jpg") || suffix == QLatin1String("jpeg")) return savePixels(plot, path, "JPG", error);
    if (suffix == QLatin1String("svg")) return saveSvg(plot, path, error);
    if (suffix == QLatin1String("pdf")) return savePdf(plot, path, error);
    return fail(
        error,
        QObject::tr("Cannot export %1: use a .png, .jpg, .svg or .pdf name").arg(QDir::toNativeSeparators(path)));
}

bool exportTimingsCsv(const std::vector<appcore::RunSetResult>& sets, const QString& path, QString* error) {
    QSaveFile file(path);
    if (!openForWriting(file, error)) return false;
    QTextStream out(&file);
    out << "config,run,ms,peak_tracked_bytes,peak_rss_bytes,allocations,minor_page_faults\n";
    for (const auto& set : sets) {
        const QString config = csvField(set.config.label());
        for (const auto& run : set.runs) {
            out << config << ',' << run->run << ',' << QString::number(run->ms, 'f', 3) << ','
                << qulonglong(run->peakTrackedBytes) << ',' << qulonglong(run->peakRssBytes) << ',' << run->allocations
                << ',' << run->minorPageFaults << '\n';
        }
    }
    out.flush();
    return commit(file, error);
}

bool exportTimelineCsv(const appcore::RunSetResult& set, const QString& path, QString* error,
                       const QStringList& tensorNames) {
    if (set.runs.empty()) return fail(error, QObject::tr("The run set has no finished run to export"));
    const interstage::RunStats& run = *set.runs.back();
    QSaveFile file(path);
    if (!openForWriting(file, error)) return false;
    QTextStream out(&file);
    out << "time_ms,bytes,category,tensor,node,tracked_bytes\n";
    long long tracked = 0;
    for (std::size_t bytes : run.bytesAtStart) tracked += static_cast<long long>(bytes);
    for (const interstage::MemoryEvent& e : run.events) {
        tracked += e.bytes;
        QString tensor;
        if (e.tensor >= 0)
            tensor = e.tensor < tensorNames.size() ? csvField(tensorNames[e.tensor]) : QString::number(e.tensor);
        QString node;
        if (e.node >= 0)
            node = static_cast<std::size_t>(e.node) < set.executedNodeNames.size()
                       ? csvField(QString::fromStdString(set.executedNodeNames[static_cast<std::size_t>(e.node)]))
                       : QString::number(e.node);
        out << QString::number(static_cast<double>(e.timeNs) / 1e6, 'f', 6) << ',' << qlonglong(e.bytes) << ','
            << interstage::memoryCategoryName(e.category) << ',' << tensor << ',' << node << ',' << tracked << '\n';
    }
    out.flush();
    return commit(file, error);
}

}  // namespace widgets
