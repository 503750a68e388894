#include "report/figure.h"

#include <QFileInfo>
#include <QPainter>
#include <QRectF>
#include <QStringList>
#include <cmath>

#include "interstage/memory.h"
#include "interstage/shape.h"
#include "report/figure_kinds.h"
#include "report/figure_layout.h"

namespace report {

namespace {

constexpr double kMmPerInch = 25.4;
constexpr double kColumnWidthMm = 85.0;
constexpr double kColumnHeightMm = 60.0;

QString setName(const interstage::SavedSession& session, int index) {
    return QStringLiteral("set %1 (%2)")
        .arg(index)
        .arg(configurationLabel(session.runSets[static_cast<std::size_t>(index)]));
}

QString checkSetAndRun(const interstage::SavedSession& session, const FigureOptions& options) {
    const int count = static_cast<int>(session.runSets.size());
    if (count == 0) return QStringLiteral("the session has no run sets");
    const int set = resolvedSetIndex(session, options.set);
    if (set < 0 || set >= count)
        return QStringLiteral("set %1 is out of range: the session has %2 run set(s), 0..%3")
            .arg(options.set)
            .arg(count)
            .arg(count - 1);
    const interstage::SavedRunSet& chosen = session.runSets[static_cast<std::size_t>(set)];
    if (options.kind == ChartKind::MemoryMap) {
        if (chosen.memoryMap.empty())
            return QStringLiteral("%1 has no memory plan to draw%2")
                .arg(setName(session, set),
                     chosen.error.empty() ? QString() : QStringLiteral(": ") + QString::fromStdString(chosen.error));
        return {};
    }
    if (options.kind == ChartKind::Timings) return {};
    if (chosen.runs.empty())
        return QStringLiteral("%1 has no runs to draw%2")
            .arg(setName(session, set),
                 chosen.error.empty() ? QString() : QStringLiteral(": ") + QString::fromStdString(chosen.error));
    const int runs = static_cast<int>(chosen.runs.size());
    if (options.run != -1 && (options.run < 1 || options.run > runs))
        return QStringLiteral("run %1 is out of range: %2 has %3 run(s), 1..%3")
            .arg(options.run)
            .arg(setName(session, set))
            .arg(runs);
    return {};
}

void drawError(QPainter& painter, const QRectF& rect, const QString& error) {
    painter.save();
    painter.fillRect(rect, Qt::white);
    painter.setPen(Qt::black);
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setPixelSize(std::max(8, static_cast<int>(rect.height() / 30)));
    painter.setFont(font);
    painter.drawText(rect.adjusted(10, 10, -10, -10), Qt::AlignCenter | Qt::TextWordWrap,
                     QStringLiteral("No figure: ") + error);
    painter.restore();
}

}  // namespace

int resolvedSetIndex(const interstage::SavedSession& session, int set) {
    return set == -1 ? static_cast<int>(session.runSets.size()) - 1 : set;
}

int resolvedRunIndex(const interstage::SavedRunSet& set, int run) {
    return run == -1 ? static_cast<int>(set.runs.size()) - 1 : run - 1;
}

QString modelFileName(const interstage::SavedSession& session) {
    const QString name = QFileInfo(QString::fromStdString(session.model.path)).fileName();
    return name.isEmpty() ? QStringLiteral("(unnamed model)") : name;
}

QString configurationLabel(const interstage::SavedRunSet& set) {
    return QString::fromStdString(interstage::runSetLabel(set.options));
}

QSizeF figurePixelSize(const FigureOptions& options) {
    switch (options.target) {
        case Target::Slide:
            return QSizeF(1920, 1080);
        case Target::Column: {
            const double pxPerMm = options.dpi / kMmPerInch;
            return QSizeF(std::round(kColumnWidthMm * pxPerMm), std::round(kColumnHeightMm * pxPerMm));
        }
        case Target::Custom:
            break;
    }
    return QSizeF(std::round(options.size.width()), std::round(options.size.height()));
}

QString footnoteForRun(const interstage::SavedSession& session, int set, int runIndex) {
    QStringList parts;
    parts << QStringLiteral("Interstage " INTERSTAGE_VERSION);
    if (!session.savedAt.empty()) parts << QString::fromStdString(session.savedAt.substr(0, 10));
    const int index = resolvedSetIndex(session, set);
    if (index < 0 || index >= static_cast<int>(session.runSets.size())) return parts.join(QStringLiteral(" · "));
    const interstage::SavedRunSet& chosen = session.runSets[static_cast<std::size_t>(index)];
    QStringList options = configurationLabel(chosen).split(QStringLiteral(" · "));
    const auto& shapes = chosen.options.inputShapes.empty() ? session.inputShapes : chosen.options.inputShapes;
    for (const auto& [name, shape] : shapes)
        options << QStringLiteral("input %1 %2")
                       .arg(QString::fromStdString(name), QString::fromStdString(interstage::shapeToString(shape)));
    if (chosen.budget.bytes > 0) options << QStringLiteral("budget %1").arg(formatBytes(double(chosen.budget.bytes)));
    const int runs = static_cast<int>(chosen.runs.size());
    const int run = runIndex < 0 ? runs - 1 : runIndex;
    if (runs > 0 && run < runs) options << QStringLiteral("run %1 of %2").arg(run + 1).arg(runs);
    parts << options.join(QStringLiteral(", "));
    return parts.join(QStringLiteral(" · "));
}

QString footnoteFor(const interstage::SavedSession& session, int set) { return footnoteForRun(session, set, -1); }

QString figureInputError(const interstage::SavedSession& session, const FigureOptions& options) {
    if (options.target == Target::Custom && (options.size.width() < 50 || options.size.height() < 50))
        return QStringLiteral("a custom figure size must be at least 50x50 px, not %1x%2")
            .arg(options.size.width())
            .arg(options.size.height());
    if (options.target != Target::Slide && !(options.dpi >= 10 && options.dpi <= 2400))
        return QStringLiteral("dpi must be within 10..2400, not %1").arg(options.dpi);
    if (options.kind == ChartKind::Timings) {
        bool anyRuns = false;
        for (const auto& set : session.runSets) anyRuns = anyRuns || !set.runs.empty();
        if (!session.runSets.empty() && !anyRuns) return QStringLiteral("no run set has runs to time");
    }
    return checkSetAndRun(session, options);
}

FigureLayout drawFigureWithLayout(QPainter& painter, const QRectF& rect, const interstage::SavedSession& session,
                                  const FigureOptions& options) {
    FigureLayout layout;
    layout.error = figureInputError(session, options);
    if (!layout.error.isEmpty() || rect.width() < 1 || rect.height() < 1) {
        drawError(painter, rect, layout.error);
        return layout;
    }
    // Laid out at the target's pixel width, at the rect's aspect: the same
    // figure whether it lands in a PNG, an SVG, a PDF or a report's page.
    const QSizeF target = figurePixelSize(options);
    const QSizeF logical(target.width(), std::round(target.width() * rect.height() / rect.width()));
    FigureFrame frame(options, logical);
    switch (options.kind) {
        case ChartKind::Timeline:
            buildTimeline(frame, session, options);
            break;
        case ChartKind::MemoryMap:
            buildMemoryMap(frame, session, options);
            break;
        case ChartKind::Timings:
            buildTimings(frame, session, options);
            break;
    }
    return frame.paint(painter, rect);
}

void drawFigure(QPainter& painter, const QRectF& rect, const interstage::SavedSession& session,
                const FigureOptions& options) {
    drawFigureWithLayout(painter, rect, session, options);
}

bool chartKindFromName(const QString& name, ChartKind* kind) {
    if (name == QLatin1String("timeline"))
        *kind = ChartKind::Timeline;
    else if (name == QLatin1String("map") || name == QLatin1String("memorymap"))
        *kind = ChartKind::MemoryMap;
    else if (name == QLatin1String("timings"))
        *kind = ChartKind::Timings;
    else
        return false;
    return true;
}

}  // namespace report
