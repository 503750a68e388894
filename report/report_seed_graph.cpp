// The seed tutorial's table beside ours, and the graph figure.

#include <algorithm>

#include "interstage/memory.h"
#include "interstage/seed_table.h"
#include "report_graph.h"
#include "report_sections.h"

namespace report {

namespace {

// The tutorial prints MB (10^6 bytes): ours the same way, digit for digit.
QString megabytes(std::size_t bytes) { return QString::number(double(bytes) / 1e6, 'f', 1); }

QString msList(const std::vector<double>& ms) {
    QStringList parts;
    for (double v : ms) parts << QString::number(v, 'f', 0);
    return parts.join(" ");
}

const interstage::SavedRunSet* setOfPreset(const interstage::SavedSession& session, const std::string& preset) {
    for (const auto& set : session.runSets) {
        const interstage::MemoryPreset* p = interstage::presetOf(set.options.mode);
        if (p && preset == p->name && !set.runs.empty()) return &set;
    }
    return nullptr;
}

QString flagsOf(const std::string& preset) {
    for (const auto& p : interstage::memoryPresets())
        if (preset == p.name) return QString::fromStdString(interstage::sdkFlags(p.mode));
    return "?";
}

}  // namespace

Section seedSection(const interstage::SavedSession& session) {
    Section sec{"seed", "The seed tutorial's table beside ours", {}};
    Block intro;
    intro.text = QString("The tutorial's figures (%1) beside this session's runs of the same presets. %2")
                     .arg(QString::fromStdString(interstage::seedSource()),
                          QString::fromStdString(interstage::seedMethodNote()));
    sec.blocks.push_back(intro);
    TableSpec t;
    t.header = {"preset",
                "SDK flags",
                "seed MB",
                "ours RSS MB",
                "ours tracked MB",
                "seed CPU ms, run by run",
                "ours ms, run by run"};
    t.numeric = {false, false, true, true, true, false, false};
    for (const interstage::SeedRow& row : interstage::seedTable()) {
        const interstage::SavedRunSet* set = setOfPreset(session, row.preset);
        QStringList r{row.preset, flagsOf(row.preset), QString::number(row.peakMB, 'f', 1)};
        if (set) {
            std::size_t rss = 0, tracked = 0;
            std::vector<double> ms;
            for (const auto& run : set->runs) {
                rss = std::max(rss, run.peakRssBytes);
                tracked = std::max(tracked, run.peakTrackedBytes);
                ms.push_back(run.ms);
            }
            r << megabytes(rss) << megabytes(tracked) << msList(row.cpuMs) << msList(ms);
        } else {
            r << "-"
              << "-" << msList(row.cpuMs) << "not run in this session";
        }
        t.rows.push_back(r);
    }
    Block table;
    table.kind = Block::Kind::Table;
    table.table = std::move(t);
    sec.blocks.push_back(table);
    return sec;
}

// The peak node of the first set that knows it (every set runs the same file).
std::string peakNodeOf(const interstage::SavedSession& session) {
    for (const auto& set : session.runSets)
        if (set.peak.peakStep >= 0) return set.peak.peakNode;
    return {};
}

Section graphSection(const interstage::SavedSession& session, Style style) {
    Section sec{"graph", "The graph", {}};
    if (!session.facts.present || session.facts.graph.empty()) return sec;
    const GraphFigure g = graphFigure(session.facts, peakNodeOf(session), style == Style::Print);
    Block text;
    if (g.svg.isEmpty()) {
        text.text = "The graph could not be drawn: " + g.error;
        sec.blocks.push_back(text);
        return sec;
    }
    text.text = g.shown == g.total
                    ? QString("The whole graph, %1 nodes in the file's order (dot layout).").arg(g.total)
                    : QString(
                          "%1 of the graph's %2 nodes: up to %3 before and after the peak's node in the file's "
                          "order (dot layout); edges from nodes outside are not drawn.")
                          .arg(g.shown)
                          .arg(g.total)
                          .arg(kNodesAroundPeak);
    if (g.peakIndex >= 0)
        text.text += QString(" The peak's node, %1, is framed thick and marked \u25c6.")
                         .arg(QString::fromStdString(session.facts.graph[size_t(g.peakIndex)].name));
    sec.blocks.push_back(text);
    Block figure;
    figure.kind = Block::Kind::Figure;
    figure.figure.graph = true;
    figure.figure.svg = g.svg;
    figure.figure.svgSize = g.size;
    figure.figure.drawing = g.drawing;
    figure.figure.caption = "The model's graph: op and node name per box";
    sec.blocks.push_back(figure);
    return sec;
}

}  // namespace report
