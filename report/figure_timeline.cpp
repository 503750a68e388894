// The timeline figure: tracked bytes over one run, stacked by category,
// with resident memory, earlier sets as named lines, the activation lower
// bounds drawn where they sit (on the weights and inputs held from the
// start, and labelled with both parts) and the peak marked.
#include <qcustomplot.h>

#include <QFontMetricsF>
#include <algorithm>
#include <array>

#include "report/figure_kinds.h"

namespace report {

namespace {

using interstage::MemoryCategory;

// Bottom to top: the steady floor (weights, inputs), then activations, so
// their peaks meet the bound lines; transient workspace on top.
constexpr std::array<MemoryCategory, interstage::kMemoryCategoryCount> kStackOrder = {
    MemoryCategory::Weights, MemoryCategory::Input,      MemoryCategory::Staging,
    MemoryCategory::Output,  MemoryCategory::Interstage, MemoryCategory::Workspace,
};

std::size_t slot(MemoryCategory c) { return static_cast<std::size_t>(c); }
double nsToMs(std::int64_t ns) { return std::max(0.0, static_cast<double>(ns) / 1e6); }
bool isActivation(MemoryCategory c) { return c == MemoryCategory::Interstage || c == MemoryCategory::Output; }

// Each category's cumulative top (MiB) at every event, in stack order.
struct Stack {
    std::array<QVector<double>, interstage::kMemoryCategoryCount> tops;
    QVector<double> keys;  // ms
    std::array<bool, interstage::kMemoryCategoryCount> seen{};
    double peakBytes = 0, peakMs = 0, endMs = 0;
    double floorBytes = 0;  // non-activation bytes held at the start
    QStringList floorParts;
};

void appendLevel(Stack& stack, double ms, const std::array<long long, interstage::kMemoryCategoryCount>& held) {
    double cumulative = 0;
    for (MemoryCategory c : kStackOrder) {
        cumulative += static_cast<double>(std::max(0LL, held[slot(c)]));
        stack.tops[slot(c)].push_back(toMiB(cumulative));
        if (held[slot(c)] > 0) stack.seen[slot(c)] = true;
    }
    stack.keys.push_back(ms);
    if (cumulative > stack.peakBytes) {
        stack.peakBytes = cumulative;
        stack.peakMs = ms;
    }
}

Stack stackOf(const interstage::RunStats& stats) {
    Stack stack;
    std::array<long long, interstage::kMemoryCategoryCount> held{};
    for (std::size_t c = 0; c < held.size() && c < stats.bytesAtStart.size(); ++c)
        held[c] = static_cast<long long>(stats.bytesAtStart[c]);
    for (MemoryCategory c : kStackOrder) {
        if (isActivation(c)) break;
        if (held[slot(c)] <= 0) continue;
        stack.floorBytes += static_cast<double>(held[slot(c)]);
        stack.floorParts << categoryLabel(c).toLower() +
                                (c == MemoryCategory::Weights ? QString() : QStringLiteral("s"));
    }
    appendLevel(stack, 0, held);
    for (const interstage::MemoryEvent& e : stats.events) {
        held[slot(e.category)] += e.bytes;
        stack.endMs = std::max(stack.endMs, nsToMs(e.timeNs));
        appendLevel(stack, nsToMs(e.timeNs), held);
    }
    // Hold the last level to the end of the run so the area spans it.
    stack.endMs = std::max(stack.endMs, stats.ms);
    appendLevel(stack, stack.endMs, held);
    return stack;
}

void addStack(FigureFrame& frame, const Stack& stack) {
    QCustomPlot& plot = frame.plot();
    // Created top first so the legend reads like the chart, each band filled
    // down to the band below it.
    std::array<QCPGraph*, interstage::kMemoryCategoryCount> graphs{};
    for (auto it = kStackOrder.rbegin(); it != kStackOrder.rend(); ++it) {
        if (!stack.seen[slot(*it)]) continue;
        QCPGraph* graph = plot.addGraph();
        graph->setName(categoryLabel(*it));
        graph->setLineStyle(QCPGraph::lsStepLeft);
        graph->setPen(categoryPen(frame.style(), *it, frame.lineWidth()));
        graph->setBrush(categoryBrush(frame.style(), *it));
        graph->setData(stack.keys, stack.tops[slot(*it)], true);
        graphs[slot(*it)] = graph;
    }
    QCPGraph* below = nullptr;
    for (MemoryCategory c : kStackOrder) {
        if (!graphs[slot(c)]) continue;
        if (below) graphs[slot(c)]->setChannelFillGraph(below);
        below = graphs[slot(c)];
    }
}

// Resident memory in its own panel above the tracked bytes, on the same
// time axis: it includes the process's code and libraries, often several
// times the tracked bytes, and on one scale it would flatten them.
void addRssPanel(FigureFrame& frame, const interstage::RunStats& stats, double endMs) {
    if (stats.rss.empty()) return;
    QCustomPlot& plot = frame.plot();
    auto* panel = new QCPAxisRect(&plot);
    applyAxisRectTheme(*panel, frame.style(), frame.fonts());
    // Above the main panel (row 3 of title, subtitle, legend, data, footnote).
    plot.plotLayout()->insertRow(3);
    plot.plotLayout()->addElement(3, 0, panel);
    plot.plotLayout()->setRowStretchFactor(3, 0.22);
    auto* margins = new QCPMarginGroup(&plot);
    panel->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    frame.mainRect().setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    QCPAxis* x = panel->axis(QCPAxis::atBottom);
    QCPAxis* y = panel->axis(QCPAxis::atLeft);
    QCPGraph* rss = plot.addGraph(x, y);
    rss->setName(QStringLiteral("resident memory (RSS)"));
    rss->setPen(QPen(textColor(frame.style()), frame.lineWidth() * 1.2));
    double most = 0;
    for (const interstage::RssSample& s : stats.rss) {
        rss->addData(nsToMs(s.timeNs), toMiB(static_cast<double>(s.bytes)));
        most = std::max(most, static_cast<double>(s.bytes));
    }
    x->setRange(0, std::max(endMs, 1e-3) * 1.01);
    x->setTickLabels(false);
    y->setLabel(QStringLiteral("MiB"));
    y->setRange(0, std::max(toMiB(most), 1e-3) * 1.15);
    y->ticker()->setTickCount(2);
}

// An earlier set by what differs from the drawn one: its mode alone when
// threads and backend are the same (the subtitle names those).
QString overlayName(const interstage::SavedRunSet& set, const interstage::SavedRunSet& chosen) {
    interstage::SessionOptions same = set.options;
    same.mode = chosen.options.mode;
    if (interstage::runSetLabel(same) == interstage::runSetLabel(chosen.options))
        return QString::fromStdString(interstage::modeLabel(set.options.mode));
    return configurationLabel(set);
}

// Earlier sets' tracked totals (their last run) as named step lines.
double addOverlays(FigureFrame& frame, const interstage::SavedSession& session, int setIndex,
                   const std::vector<int>& hidden) {
    const interstage::SavedRunSet& chosen = session.runSets[static_cast<std::size_t>(setIndex)];
    double most = 0;
    int colour = 0;
    for (int i = 0; i < setIndex; ++i) {
        const interstage::SavedRunSet& set = session.runSets[static_cast<std::size_t>(i)];
        if (set.runs.empty() || std::find(hidden.begin(), hidden.end(), i) != hidden.end()) continue;
        const interstage::RunStats& stats = set.runs.back();
        double total = 0;
        for (std::size_t bytes : stats.bytesAtStart) total += static_cast<double>(bytes);
        QVector<double> keys{0}, values{toMiB(total)};
        for (const interstage::MemoryEvent& e : stats.events) {
            total += static_cast<double>(e.bytes);
            keys.push_back(nsToMs(e.timeNs));
            values.push_back(toMiB(total));
            most = std::max(most, total);
        }
        keys.push_back(std::max(stats.ms, keys.back()));
        values.push_back(values.back());
        most = std::max(most, total);
        QCPGraph* line = frame.plot().addGraph();
        line->setName(QStringLiteral("%1: total tracked").arg(overlayName(set, chosen)));
        line->setLineStyle(QCPGraph::lsStepLeft);
        // Print: the solid pen is the RSS line's; overlays start at the dashes.
        const int pattern = colour++ + (frame.style() == Style::Print ? 1 : 0);
        line->setPen(seriesPen(frame.style(), pattern, frame.lineWidth() * 1.3));
        line->setData(keys, values, true);
        frame.addObstacleSteps(keys, values);
    }
    return most;
}

struct Bounds {
    double written = 0, inPlace = 0;  // activation bytes
};

Bounds boundsOf(const interstage::SavedRunSet& set) {
    Bounds b;
    b.written =
        static_cast<double>(set.executedLowerBoundBytes > 0 ? set.executedLowerBoundBytes : set.lowerBoundBytes);
    const double aliased = static_cast<double>(set.aliasedLowerBoundBytes);
    if (aliased > 0 && aliased < b.written) b.inPlace = aliased;
    return b;
}

// A bound counts activations only, so its line stands on the bytes held
// from the start. Where that band is tall enough for a name, its line is
// named ("held from the start: ...") and each bound's says "held +";
// where it is too thin, the bounds' names carry both parts themselves.
QString boundLabel(const QString& what, double bound, const Stack& stack, bool heldNamed) {
    if (stack.floorBytes <= 0) return QStringLiteral("%1: %2 of activations").arg(what, formatBytes(bound));
    if (heldNamed) return QStringLiteral("%1: held + %2").arg(what, formatBytes(bound));
    return QStringLiteral("%1: %2 of activations on %3 of %4")
        .arg(what, formatBytes(bound), formatBytes(stack.floorBytes), stack.floorParts.join(QStringLiteral(" and ")));
}

// Whether the held band (bottom of the data panel) is tall enough for its
// two-line name: estimated from the figure's height before layout.
bool heldBandFitsName(FigureFrame& frame, const Stack& stack) {
    const QCPRange range = frame.plot().yAxis->range();
    const double panelPx = frame.size().height() * 0.5;  // the data panel's share, at least
    const double bandPx = toMiB(stack.floorBytes) / std::max(1e-9, range.upper) * panelPx;
    return bandPx >= QFontMetricsF(frame.fonts().reference).height() * 2.6;
}

void addReferences(FigureFrame& frame, const interstage::SavedRunSet& set, const Stack& stack, bool budgetShown) {
    const Bounds bounds = boundsOf(set);
    const double width = frame.lineWidth();
    const bool heldNamed = stack.floorBytes > 0 && bounds.written > 0 && heldBandFitsName(frame, stack);
    if (heldNamed)
        frame.addHorizontalReference(
            toMiB(stack.floorBytes),
            QStringLiteral("held from the start: %1 of %2 (the lower bounds count activations above this line)")
                .arg(formatBytes(stack.floorBytes), stack.floorParts.join(QStringLiteral(" and "))),
            referencePen(frame.style(), Reference::Held, width), Qt::AlignLeft, true, true);
    if (bounds.written > 0)
        frame.addHorizontalReference(
            toMiB(stack.floorBytes + bounds.written),
            boundLabel(QStringLiteral("lower bound as written"), bounds.written, stack, heldNamed),
            referencePen(frame.style(), Reference::LowerBound, width), Qt::AlignRight);
    if (bounds.inPlace > 0)
        frame.addHorizontalReference(
            toMiB(stack.floorBytes + bounds.inPlace),
            boundLabel(QStringLiteral("lower bound with in-place writes"), bounds.inPlace, stack, heldNamed),
            referencePen(frame.style(), Reference::AliasedBound, width), Qt::AlignLeft, true);
    if (budgetShown)
        frame.addHorizontalReference(
            toMiB(static_cast<double>(set.budget.bytes)),
            // Short: where it came from is in the footnote's options.
            QStringLiteral("%1 budget %2")
                .arg(set.budget.automatic ? QStringLiteral("automatic") : QStringLiteral("memory"),
                     formatBytes(static_cast<double>(set.budget.bytes))),
            referencePen(frame.style(), Reference::Budget, width), Qt::AlignLeft);
    frame.addPointMarker(stack.peakMs, toMiB(stack.peakBytes),
                         QStringLiteral("peak %1 at %2").arg(formatBytes(stack.peakBytes), formatMs(stack.peakMs)),
                         referencePen(frame.style(), Reference::Peak, width));
}

}  // namespace

void buildTimeline(FigureFrame& frame, const interstage::SavedSession& session, const FigureOptions& options) {
    const int setIndex = resolvedSetIndex(session, options.set);
    const interstage::SavedRunSet& set = session.runSets[static_cast<std::size_t>(setIndex)];
    const int runIndex = resolvedRunIndex(set, options.run);
    const interstage::RunStats& stats = set.runs[static_cast<std::size_t>(runIndex)];
    const Stack stack = stackOf(stats);
    addStack(frame, stack);
    // A column figure is 60 mm tall: the RSS panel would leave the tracked
    // bytes too little height, so it is named in the subtitle instead.
    const bool rssPanel = options.target != Target::Column;
    if (rssPanel) addRssPanel(frame, stats, stack.endMs);
    double most = stack.peakBytes;
    if (options.overlays) most = std::max(most, addOverlays(frame, session, setIndex, options.hiddenOverlays));
    const Bounds bounds = boundsOf(set);
    most = std::max(most, stack.floorBytes + bounds.written);
    // A budget far above the data would flatten it: named in the subtitle instead.
    const double budget = static_cast<double>(set.budget.bytes);
    const bool budgetShown = budget > 0 && budget <= most * 1.6;
    if (budgetShown) most = std::max(most, budget);

    QCustomPlot& plot = frame.plot();
    plot.xAxis->setLabel(QStringLiteral("time since the run started (ms)"));
    plot.yAxis->setLabel(QStringLiteral("tracked (MiB)"));
    plot.xAxis->setRange(0, std::max(stack.endMs, 1e-3) * 1.01);
    // Room for the names above the lines; more in a column, where they are
    // tall against the panel.
    const double headroom = options.target == Target::Column ? 1.5 : 1.3;
    plot.yAxis->setRange(0, std::max(toMiB(most), 1e-3) * headroom);
    frame.setDataEnvelope(stack.keys, stack.tops[slot(kStackOrder.back())]);
    addReferences(frame, set, stack, budgetShown);

    // The peaks are marked in the chart and named in the RSS panel.
    QString subtitle =
        QStringLiteral("%1 · run %2 of %3").arg(configurationLabel(set)).arg(runIndex + 1).arg(set.runs.size());
    if (!rssPanel && stats.peakRssBytes > 0)
        subtitle += QStringLiteral(" · peak RSS %1").arg(formatBytes(double(stats.peakRssBytes)));
    if (budget > 0 && !budgetShown)
        subtitle += QStringLiteral(" · budget %1, above the scale").arg(formatBytes(budget));
    frame.setTitle(QStringLiteral("Memory over one run of %1").arg(modelFileName(session)), subtitle);
    frame.setFootnote(options.footnote.isEmpty() ? footnoteForRun(session, setIndex, runIndex) : options.footnote);
}

}  // namespace report
