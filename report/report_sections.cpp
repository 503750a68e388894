#include "report_sections.h"

#include <algorithm>
#include <map>
#include <utility>

#include "interstage/live_peak.h"
#include "interstage/memory.h"
#include "interstage/run_summary.h"

namespace report {

using interstage::SavedRunSet;
using interstage::SavedSession;

namespace {

Block chart(ChartKind kind, int set, Style style, double heightMm, const QString& caption) {
    Block b;
    b.kind = Block::Kind::Figure;
    b.figure.chart.kind = kind;
    b.figure.chart.style = style;
    b.figure.chart.target = Target::Custom;
    b.figure.chart.set = set;
    // Each configuration's own timeline: another set's line (the default
    // plan's 430 MiB beside reduce's 73 MiB) would flatten this set's
    // data, and the sets are compared in the cover's table and the timings.
    b.figure.chart.overlays = false;
    b.figure.heightMm = heightMm;
    b.figure.caption = caption;
    return b;
}

QString onOff(bool on) { return on ? "on" : "off"; }

QString optionsText(const SavedRunSet& set) {
    const auto& o = set.options;
    QString text = QString(
                       "Mode %1 on %2 with %3; fusion %4, in-place Concat %5, in-place ops %6, "
                       "blocked layout %7, memory-aware order %8. %9 of %10 runs finished.")
                       .arg(QString::fromStdString(interstage::modeLabel(o.mode)), QString::fromStdString(o.backend))
                       .arg(o.threads <= 0   ? QString("all cores")
                            : o.threads == 1 ? QString("1 thread")
                                             : QString("%1 threads").arg(o.threads))
                       .arg(onOff(o.fusion), onOff(o.inPlaceConcat), onOff(o.inPlaceOps), onOff(o.blockedLayout),
                            onOff(o.memoryAwareOrder))
                       .arg(set.runs.size())
                       .arg(set.runsRequested);
    text += QString(" Budget: %1.").arg(QString::fromStdString(set.budget.source));
    if (!set.error.empty()) text += " Error: " + QString::fromStdString(set.error);
    return text;
}

QString stepName(const SavedRunSet& set, int step) {
    if (step < 0 || step >= int(set.executedNodeNames.size())) return "-";
    return QString::fromStdString(set.executedNodeNames[size_t(step)]);
}

// The live tensors at the plan's peak, largest first.
TableSpec peakTable(const SavedRunSet& set, int step) {
    TableSpec t;
    t.caption = "Alive at the peak, largest first";
    t.header = {"tensor", "bytes", "producer", "last reader", "why alive"};
    t.numeric = {false, true, false, false, false};
    std::vector<interstage::LiveTensor> live = interstage::liveTensorsAtStep(set.memoryMap, step);
    std::stable_sort(live.begin(), live.end(),
                     [](const auto& a, const auto& b) { return a.countedBytes > b.countedBytes; });
    for (const auto& l : live) {
        const auto& p = set.memoryMap[l.index];
        const QString why = l.inside ? "inside another live tensor"
                            : p.kept ? "kept (output or pinned)"
                                     : "read at or after this step";
        t.rows.push_back({QString::fromStdString(p.name), bytesText(double(l.countedBytes)), stepName(set, p.first),
                          stepName(set, p.last), why});
    }
    return t;
}

// The engine's explanation, saved with the set (live tensors, reasons).
TableSpec explainedPeakTable(const interstage::PeakExplanation& peak) {
    TableSpec t;
    t.caption = "Alive at the peak, largest first (bytes: what each adds; in-place members count in their host)";
    t.header = {"tensor", "bytes", "producer", "last reader", "why alive"};
    t.numeric = {false, true, false, false, false};
    for (const auto& l : peak.liveAtPeak)
        t.rows.push_back({QString::fromStdString(l.name), bytesText(double(l.bytes)),
                          l.producer.empty() ? "-" : QString::fromStdString(l.producer),
                          l.lastReader.empty() ? "-" : QString::fromStdString(l.lastReader),
                          QString::fromStdString(l.reason)});
    return t;
}

QString explainedPeakText(const interstage::PeakExplanation& p) {
    QString text = QString(
                       "The plan peaks at step %1, node %2 (%3), with %4 alive, in-place members counted once. "
                       "Lower bounds: %5 for the file's graph as written, %6 for the executed graph, %7 under "
                       "this configuration's in-place rules.")
                       .arg(p.peakStep)
                       .arg(QString::fromStdString(p.peakNode), QString::fromStdString(p.peakOp),
                            bytesText(double(p.planPeakBytes)), bytesText(double(p.lowerBoundBytes)),
                            bytesText(double(p.executedLowerBoundBytes)), bytesText(double(p.aliasedLowerBoundBytes)));
    if (p.bufferPeakBytes)
        text += QString(" Its buffers hold %1 at their worst step: %2 lost to fragmentation.")
                    .arg(bytesText(double(p.bufferPeakBytes)), bytesText(double(p.fragmentationBytes)));
    return text;
}

void addPeakBlocks(Section& s, const SavedRunSet& set) {
    s.blocks.push_back(heading("The peak explained"));
    if (set.peak.peakStep >= 0) {
        s.blocks.push_back(paragraph(explainedPeakText(set.peak)));
        s.blocks.push_back(tableBlock(explainedPeakTable(set.peak)));
        return;
    }
    const interstage::LivePeak peak = interstage::peakOfLiveTensors(set.memoryMap);
    if (peak.step < 0) {
        s.blocks.push_back(paragraph("Nothing was planned: no peak to explain."));
        return;
    }
    s.blocks.push_back(paragraph(QString("The plan peaks at step %1 (%2) with %3 alive, in-place members counted "
                                         "once; the lower bound of the executed graph is %4.")
                                     .arg(peak.step)
                                     .arg(stepName(set, peak.step), bytesText(double(peak.bytes)),
                                          bytesText(double(set.executedLowerBoundBytes)))));
    s.blocks.push_back(tableBlock(peakTable(set, peak.step)));
}

// The median of a node's times over the set's steady runs.
std::map<std::string, double> steadyNodeMs(const SavedRunSet& set) {
    std::map<std::string, std::vector<double>> all;
    const size_t from = set.runs.size() > 1 ? 1 : 0;
    for (size_t r = from; r < set.runs.size(); ++r)
        for (const auto& n : set.runs[r].nodes) all[n.name].push_back(n.ms);
    std::map<std::string, double> median;
    for (auto& [name, values] : all) median[name] = interstage::medianOf(values);
    return median;
}

QString setKey(const SavedSession& session) {
    QStringList key;
    for (size_t i = 0; i < session.runSets.size(); ++i)
        key << QString("S%1: %2").arg(i + 1).arg(QString::fromStdString(session.runSets[i].label));
    return key.join("; ") + ".";
}

QString roleOf(const SavedRunSet& set, size_t index) {
    const interstage::TensorPlacement& p = set.memoryMap[index];
    QStringList r;
    if (index < set.planTensors.size() && !set.planTensors[index].role.empty()) {
        const auto& facts = set.planTensors[index];
        r << QString::fromStdString(facts.role);
        if (!facts.host.empty()) r.back() += " in " + QString::fromStdString(facts.host);
    }
    if (p.kept && !r.contains("kept")) r << "kept";
    if (p.movedAt >= 0) r << QString("pages moved at %1").arg(p.movedAt);
    if (p.perRunBuffer) r << "per-run buffer";
    return r.isEmpty() ? "own" : r.join(", ");
}

}  // namespace

void addFileFactRows(TableSpec& t, const interstage::ModelFacts& f) {
    t.rows.push_back({"opset", QString::number(f.opset)});
    t.rows.push_back({"nodes", QString::number(f.nodes)});
    t.rows.push_back({"weights in the file", bytesText(double(f.weightBytes))});
    t.rows.push_back({"intermediate tensors",
                      QString("%1, %2 in all").arg(f.intermediateCount).arg(bytesText(double(f.intermediateBytes)))});
    if (!f.largestTensor.empty())
        t.rows.push_back({"largest tensor", QString("%1 (%2)").arg(QString::fromStdString(f.largestTensor),
                                                                   bytesText(double(f.largestTensorBytes)))});
}

void addModelFactRows(TableSpec& t, const SavedSession& session) {
    if (session.facts.present) addFileFactRows(t, session.facts);
    if (session.runSets.empty()) return;
    const SavedRunSet& first = session.runSets.front();
    t.rows.push_back({"weights", bytesText(double(first.weightBytes)) + " held by the first configuration"});
    const std::size_t written = session.facts.present ? session.facts.lowerBoundBytes : first.lowerBoundBytes;
    t.rows.push_back({"lower bound as written", bytesText(double(written))});
    t.rows.push_back({"lower bound, executed graph", bytesText(double(first.executedLowerBoundBytes))});
    QStringList aliased;
    for (const auto& set : session.runSets)
        if (set.aliasedLowerBoundBytes)
            aliased << QString("%1 %2").arg(QString::fromStdString(set.label),
                                            bytesText(double(set.aliasedLowerBoundBytes)));
    if (!aliased.isEmpty()) t.rows.push_back({"lower bound with in-place writes", aliased.join("; ")});
}

TableSpec opsHistogramTable(const SavedSession& session) {
    std::map<std::string, int> ops = session.facts.ops;
    TableSpec t;
    t.caption = "Ops in the file (node count)";
    if (ops.empty()) {
        // A document without the model's facts: the executed graph's ops.
        t.caption = "Ops of the executed graph (node count)";
        for (const auto& set : session.runSets)
            if (!set.runs.empty()) {
                for (const auto& n : set.runs.back().nodes) ++ops[n.op];
                break;
            }
    }
    constexpr int kPairs = 4;  // four op/count pairs a row keep the histogram compact
    for (int i = 0; i < kPairs; ++i) {
        t.header << "op"
                 << "nodes";
        t.numeric.push_back(false);
        t.numeric.push_back(true);
    }
    QStringList row;
    for (const auto& [op, count] : ops) {
        row << QString::fromStdString(op) << QString::number(count);
        if (row.size() == 2 * kPairs) t.rows.push_back(std::exchange(row, {}));
    }
    if (!row.isEmpty()) {
        while (row.size() < 2 * kPairs) row << "";
        t.rows.push_back(row);
    }
    return t;
}

Section configurationSection(const SavedSession& session, int set, Style style) {
    const SavedRunSet& s = session.runSets[size_t(set)];
    Section sec{QString("set-%1").arg(set + 1), setTitle(session, set), {}};
    sec.blocks.push_back(paragraph(optionsText(s)));
    if (!s.runs.empty())
        sec.blocks.push_back(chart(ChartKind::Timeline, set, style, 95, "Tracked bytes over the last run's time"));
    sec.blocks.push_back(chart(ChartKind::MemoryMap, set, style, 105, "Where each tensor lives, step by step"));
    addPeakBlocks(sec, s);
    return sec;
}

Section timingsSection(const SavedSession& session, Style style) {
    Section sec{"timings", "Timings of every configuration", {}};
    sec.blocks.push_back(
        paragraph("The wall time of every run of each configuration: run 1 pays first-touch costs "
                  "(page faults, packing), the later runs are the steady ones the cover's table "
                  "takes the median of. Per-node times follow in their own table."));
    sec.blocks.push_back(chart(ChartKind::Timings, int(session.runSets.size()) - 1, style, 110,
                               "Wall time per run, every configuration"));
    return sec;
}

bool isSeedModel(const SavedSession& session) { return session.facts.architecture == "u2netp"; }

Section nodeTimesSection(const SavedSession& session) {
    Section sec{"node-times", "Per-node times of every configuration", {}};
    TableSpec t;
    t.caption = "Steady median ms per node (- : not executed by that configuration)";
    t.header = {"node", "op"};
    t.numeric = {false, false};
    std::vector<std::map<std::string, double>> perSet;
    std::vector<std::pair<std::string, std::string>> order;
    std::map<std::string, bool> seen;
    for (size_t i = 0; i < session.runSets.size(); ++i) {
        t.header << QString("S%1 ms").arg(i + 1);
        t.numeric.push_back(true);
        perSet.push_back(steadyNodeMs(session.runSets[i]));
        if (session.runSets[i].runs.empty()) continue;
        for (const auto& n : session.runSets[i].runs.back().nodes)
            if (!std::exchange(seen[n.name], true)) order.emplace_back(n.name, n.op);
    }
    t.key = setKey(session);
    sec.blocks.push_back(paragraph("Columns S1, S2, ...: the configurations in order. " + t.key));
    for (const auto& [name, op] : order) {
        QStringList row{QString::fromStdString(name), QString::fromStdString(op)};
        for (const auto& m : perSet) row << (m.count(name) ? msText(m.at(name)) : "-");
        t.rows.push_back(row);
    }
    sec.blocks.push_back(tableBlock(std::move(t)));
    return sec;
}

Section plansSection(const SavedSession& session) {
    Section sec{"plans", "The plan of every configuration", {}};
    sec.blocks.push_back(paragraph("Every placed tensor: its bytes, buffer and offset, its first and last step."));
    for (size_t i = 0; i < session.runSets.size(); ++i) {
        const SavedRunSet& set = session.runSets[i];
        TableSpec t;
        t.caption = setTitle(session, int(i));
        t.header = {"tensor", "bytes", "buffer", "offset", "first", "last", "role"};
        t.numeric = {false, true, true, true, true, true, false};
        for (size_t k = 0; k < set.memoryMap.size(); ++k) {
            const auto& p = set.memoryMap[k];
            t.rows.push_back({QString::fromStdString(p.name), QString::number(p.bytes), QString::number(p.buffer),
                              QString::number(p.offset), QString::number(p.first), QString::number(p.last),
                              roleOf(set, k)});
        }
        sec.blocks.push_back(heading(t.caption));
        t.caption.clear();
        sec.blocks.push_back(tableBlock(std::move(t)));
    }
    return sec;
}

}  // namespace report
