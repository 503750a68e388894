#include "report_document.h"

#include <QFileInfo>

#include "interstage/format.h"
#include "interstage/live_peak.h"
#include "interstage/memory.h"
#include "interstage/run_summary.h"
#include "report_sections.h"

namespace report {

using interstage::SavedRunSet;
using interstage::SavedSession;

QString bytesText(double bytes) { return QString::fromStdString(interstage::formatBytes(bytes)); }
// Three significant-ish digits: a 0.004 ms node does not print as 0.00.
QString msText(double ms) { return QString::number(ms, 'f', ms < 0.1 ? 3 : ms < 10 ? 2 : 1); }

QString setTitle(const SavedSession& session, int set) {
    return QString("Configuration %1: %2").arg(set + 1).arg(QString::fromStdString(session.runSets[size_t(set)].label));
}

std::size_t planPeakOf(const SavedRunSet& set) { return interstage::peakOfLiveTensors(set.memoryMap).bytes; }

Block heading(const QString& text) {
    Block b;
    b.kind = Block::Kind::Heading;
    b.text = text;
    return b;
}

Block paragraph(const QString& text) {
    Block b;
    b.kind = Block::Kind::Paragraph;
    b.text = text;
    return b;
}

Block tableBlock(TableSpec table) {
    Block b;
    b.kind = Block::Kind::Table;
    b.table = std::move(table);
    return b;
}

namespace {

QString shapesText(const interstage::InputShapes& shapes) {
    QStringList parts;
    for (const auto& [name, dims] : shapes) {
        QStringList d;
        for (auto v : dims) d << QString::number(v);
        parts << QString::fromStdString(name) + " " + d.join("x");
    }
    return parts.isEmpty() ? "as declared" : parts.join(", ");
}

TableSpec modelFactsTable(const SavedSession& session) {
    TableSpec t;
    t.caption = "The model";
    t.header = {"fact", "value"};
    t.numeric = {false, false};
    const auto& m = session.model;
    t.rows.push_back({"file", QString::fromStdString(m.path)});
    t.rows.push_back({"size", bytesText(double(m.bytes)) + QString(" (%1 bytes)").arg(m.bytes)});
    t.rows.push_back({"SHA-256", m.sha256.empty() ? "not recorded" : QString::fromStdString(m.sha256)});
    t.rows.push_back({"inputs", shapesText(session.inputShapes)});
    addModelFactRows(t, session);
    return t;
}

// One row per run set, the numbers the issue asks the cover to compare.
TableSpec configurationsTable(const SavedSession& session) {
    TableSpec t;
    t.caption = "The configurations compared";
    t.header = {"#",        "configuration", "SDK flags",      "first ms",    "steady ms", "peak tracked",
                "peak RSS", "plan peak",     "activ. / bound", "allocs / run"};
    t.numeric = {true, false, false, true, true, true, true, true, true, true};
    t.key =
        "steady ms: median of runs 2..N (run 1 when alone); plan peak: bytes alive at the plan's worst step, "
        "in-place members once; activ. / bound: peak activation bytes over the lower bound under the set's "
        "in-place rules; allocs / run: tensor allocations of a steady run.";
    for (size_t i = 0; i < session.runSets.size(); ++i) {
        const SavedRunSet& set = session.runSets[i];
        std::vector<const interstage::RunStats*> runs;
        for (const auto& r : set.runs) runs.push_back(&r);
        const interstage::RunSetSummary s = interstage::summarizeRuns(runs);
        const QString flags = QString::fromStdString(interstage::sdkFlags(set.options.mode));
        const std::size_t bound = set.aliasedLowerBoundBytes;
        const QString ratio = bound ? QString::number(double(s.peakActivationBytes) / double(bound), 'f', 2) : "-";
        if (runs.empty()) {
            t.rows.push_back({QString::number(i + 1), QString::fromStdString(set.label), flags, "-", "-", "-", "-",
                              bytesText(double(planPeakOf(set))), "-", "-"});
            continue;
        }
        t.rows.push_back({QString::number(i + 1), QString::fromStdString(set.label), flags, msText(s.firstMs),
                          msText(s.steadyMedianMs), bytesText(double(s.peakTrackedBytes)),
                          bytesText(double(s.peakRssBytes)), bytesText(double(planPeakOf(set))), ratio,
                          QString::number(s.steadyAllocations, 'f', 0)});
    }
    return t;
}

Section coverSection(const SavedSession& session) {
    Section s{"cover", "Cover: the model and the configurations", {}};
    s.blocks.push_back(
        paragraph(QString("Saved by %1 at %2. Every figure and table below is drawn from this one "
                          "session document; sizes are binary (KiB, MiB).")
                      .arg(QString::fromStdString(session.writer), QString::fromStdString(session.savedAt))));
    s.blocks.push_back(tableBlock(modelFactsTable(session)));
    if (auto ops = opsHistogramTable(session); !ops.rows.empty()) s.blocks.push_back(tableBlock(std::move(ops)));
    s.blocks.push_back(tableBlock(configurationsTable(session)));
    return s;
}

// The figures' footnote names one set's options; the report's names the
// tool, the date and what the report covers.
QString reportFootnote(const SavedSession& session) {
    const QStringList figure = footnoteFor(session, -1).split(" \u00b7 ");
    const QString toolAndDate = figure.mid(0, 2).join(" \u00b7 ");
    return QString("%1 \u00b7 %2 configuration(s) of %3, input %4")
        .arg(toolAndDate)
        .arg(session.runSets.size())
        .arg(QFileInfo(QString::fromStdString(session.model.path)).fileName(), shapesText(session.inputShapes));
}

}  // namespace

ReportDocument buildReportDocument(const SavedSession& session, const ReportOptions& options) {
    ReportDocument doc;
    doc.style = options.style;
    doc.title = "Interstage memory report";
    doc.subtitle = QFileInfo(QString::fromStdString(session.model.path)).fileName();
    doc.header = doc.subtitle + " · " + QString::fromStdString(session.savedAt).left(10);
    doc.footnote = options.footnote.isEmpty() ? reportFootnote(session) : options.footnote;
    doc.sections.push_back(coverSection(session));
    doc.sections.push_back(Section{"contents", "Contents", {}});
    for (int i = 0; i < int(session.runSets.size()); ++i)
        doc.sections.push_back(configurationSection(session, i, options.style));
    if (!session.runSets.empty()) doc.sections.push_back(timingsSection(session, options.style));
    if (isSeedModel(session)) doc.sections.push_back(seedSection(session));
    doc.sections.push_back(nodeTimesSection(session));
    doc.sections.push_back(plansSection(session));
    if (auto graph = graphSection(session, options.style); !graph.blocks.empty())
        doc.sections.push_back(std::move(graph));
    return doc;
}

}  // namespace report
