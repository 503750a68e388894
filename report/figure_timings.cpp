// The timings figure: every run's wall time as grouped bars, one bar per
// set in each run's group (a colour or a hatching per set, each named in
// the legend with its steady median: the median of runs 2..N, as compare's
// table reports it).
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

#include "interstage/shape.h"
#include "report/figure_kinds.h"

namespace report {

namespace {

// Median of runs 2..N (the first run pays for first touches); the only
// run when there is one.
double steadyMedian(const interstage::SavedRunSet& set) {
    std::vector<double> ms;
    // A time the file holds as null (NaN) has no place in an order.
    for (std::size_t i = set.runs.size() > 1 ? 1 : 0; i < set.runs.size(); ++i)
        if (std::isfinite(set.runs[i].ms)) ms.push_back(set.runs[i].ms);
    if (ms.empty()) return 0;
    std::sort(ms.begin(), ms.end());
    const std::size_t mid = ms.size() / 2;
    return ms.size() % 2 ? ms[mid] : (ms[mid - 1] + ms[mid]) / 2;
}

// The footnote of all sets: what they share (threads, backend, inputs,
// budget), the tool and the date; each set's mode is in the legend.
QString timingsFootnote(const interstage::SavedSession& session, const interstage::SavedRunSet& first, int runs) {
    QStringList parts = footnoteForRun(session, -1, -1).split(QStringLiteral(" · "));
    QStringList options = configurationLabel(first).split(QStringLiteral(" · "));
    options.removeFirst();  // the mode
    for (const auto& [name, shape] :
         first.options.inputShapes.empty() ? session.inputShapes : first.options.inputShapes)
        options << QStringLiteral("input %1 %2")
                       .arg(QString::fromStdString(name), QString::fromStdString(interstage::shapeToString(shape)));
    if (first.budget.bytes > 0) options << QStringLiteral("budget %1").arg(formatBytes(double(first.budget.bytes)));
    options << QStringLiteral("up to %1 runs per set").arg(runs);
    return QStringList{parts.value(0), parts.value(1), options.join(QStringLiteral(", "))}.join(QStringLiteral(" · "));
}

}  // namespace

void buildTimings(FigureFrame& frame, const interstage::SavedSession& session, const FigureOptions& options) {
    QCustomPlot& plot = frame.plot();
    auto* group = new QCPBarsGroup(&plot);
    group->setSpacingType(QCPBarsGroup::stPlotCoords);
    group->setSpacing(0.02);
    std::vector<const interstage::SavedRunSet*> drawn;
    QStringList refused;
    int maxRuns = 0;
    double maxMs = 0;
    for (const auto& set : session.runSets) {
        if (set.runs.empty()) {
            refused
                << QStringLiteral("%1: no runs").arg(QString::fromStdString(interstage::modeLabel(set.options.mode)));
            continue;
        }
        drawn.push_back(&set);
        maxRuns = std::max(maxRuns, static_cast<int>(set.runs.size()));
    }
    const double width = 0.8 / std::max<std::size_t>(1, drawn.size());
    for (std::size_t s = 0; s < drawn.size(); ++s) {
        const interstage::SavedRunSet& set = *drawn[s];
        auto* bars = new QCPBars(plot.xAxis, plot.yAxis);
        bars->setName(QStringLiteral("%1 · steady %2").arg(configurationLabel(set), formatMs(steadyMedian(set))));
        bars->setWidth(width);
        bars->setBrush(seriesBrush(frame.style(), static_cast<int>(s)));
        bars->setPen(frame.style() == Style::Print
                         ? QPen(Qt::black, frame.lineWidth() * 0.5)
                         : QPen(seriesBrush(frame.style(), int(s)).color().darker(130), frame.lineWidth() * 0.5));
        bars->setBarsGroup(group);
        for (std::size_t r = 0; r < set.runs.size(); ++r) {
            if (!std::isfinite(set.runs[r].ms)) continue;  // unknown: no bar
            bars->addData(static_cast<double>(r + 1), set.runs[r].ms);
            maxMs = std::max(maxMs, set.runs[r].ms);
        }
    }
    auto ticker = QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText);
    for (int r = 1; r <= maxRuns; ++r) ticker->addTick(r, QString::number(r));
    plot.xAxis->setTicker(ticker);
    plot.xAxis->setSubTicks(false);
    plot.xAxis->grid()->setVisible(false);  // bars need no vertical grid
    plot.xAxis->setLabel(QStringLiteral("run (run 1 includes first-touch costs)"));
    plot.yAxis->setLabel(QStringLiteral("wall time (ms)"));
    plot.xAxis->setRange(0.5, maxRuns + 0.5);
    plot.yAxis->setRange(0, std::max(maxMs, 1e-3) * 1.08);

    QString subtitle =
        drawn.size() == 1 ? configurationLabel(*drawn.front()) : QStringLiteral("%1 configurations").arg(drawn.size());
    subtitle += maxRuns == 1 ? QStringLiteral(" · 1 run each") : QStringLiteral(" · %1 runs each").arg(maxRuns);
    if (!refused.isEmpty()) subtitle += QStringLiteral(" · ") + refused.join(QStringLiteral(" · "));
    frame.setTitle(QStringLiteral("Wall time per run of %1").arg(modelFileName(session)), subtitle);
    frame.setFootnote(options.footnote.isEmpty() ? timingsFootnote(session, *drawn.front(), maxRuns)
                                                 : options.footnote);
}

}  // namespace report
