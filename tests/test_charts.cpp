// The chart widgets fed with synthetic run sets: bars and tables hold what
// was given, the live timeline grows by the events it receives, and every
// export writes a file its format's reader accepts.
#include <qcustomplot.h>

#include <QImage>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>

#include "widgets/chart_export.h"
#include "widgets/memory_map.h"
#include "widgets/memory_timeline.h"
#include "widgets/timing_chart.h"

using interstage::MemoryCategory;

namespace {

constexpr std::size_t kMiB = 1024 * 1024;

interstage::MemoryEvent memEvent(double ms, long long bytes, MemoryCategory category, int tensor, int node, int run) {
    interstage::MemoryEvent e;
    e.timeNs = static_cast<int64_t>(ms * 1e6);
    e.bytes = bytes;
    e.category = category;
    e.tensor = tensor;
    e.node = node;
    e.run = run;
    return e;
}

// A run of four nodes: each allocates its output, frees its input.
std::shared_ptr<const interstage::RunStats> makeRun(int run, double ms, std::size_t tensorBytes) {
    auto stats = std::make_shared<interstage::RunStats>();
    stats->run = run;
    stats->ms = ms;
    stats->allocations = 4;
    stats->bytesAtStart[static_cast<size_t>(MemoryCategory::Weights)] = 10 * kMiB;
    for (int n = 0; n < 4; ++n) {
        const double start = ms * n / 4;
        stats->nodes.push_back({QString("node%1").arg(n).toStdString(), n % 2 ? "Relu" : "Conv", ms / 4, start});
        stats->events.push_back(
            memEvent(start, static_cast<long long>(tensorBytes), MemoryCategory::Interstage, n, n, run));
        if (n > 0)
            stats->events.push_back(
                memEvent(start + 0.1, -static_cast<long long>(tensorBytes), MemoryCategory::Interstage, n - 1, n, run));
        stats->rss.push_back({static_cast<int64_t>(start * 1e6), 40 * kMiB + n * kMiB, run});
    }
    stats->peakTrackedBytes = 10 * kMiB + 2 * tensorBytes;
    stats->peakRssBytes = 43 * kMiB;
    return stats;
}

appcore::RunSetResult makeSet(int setId, const char* mode, double ms) {
    appcore::RunSetResult set;
    set.setId = setId;
    set.config.session.mode = interstage::MemoryMode::parse(mode).value();
    for (int r = 1; r <= 3; ++r) set.runs.push_back(makeRun(r, r == 1 ? ms * 2 : ms, 4 * kMiB));
    set.lowerBoundBytes = set.executedLowerBoundBytes = 8 * kMiB;
    set.executedNodeNames = {"node0", "node1", "node2", "node3"};
    return set;
}

}  // namespace

class TestCharts : public QObject {
    Q_OBJECT

private slots:
    void timingChartHoldsBarsAndRows() {
        widgets::TimingChart chart;
        chart.addRunSet(makeSet(1, "default", 10));
        chart.addRunSet(makeSet(2, "reduce", 14));
        QCOMPARE(chart.runSetCount(), 2);
        QCOMPARE(chart.barCount(0), 3);
        QCOMPARE(chart.barCount(1), 3);
        QCOMPARE(chart.barCount(), 6);
        QCOMPARE(chart.summaryTable()->rowCount(), 2);
        QCOMPARE(chart.summaryTable()->item(1, 2)->text(), QString("14.0"));  // steady median
        // The newest configuration is selected; its last run's nodes are listed.
        QCOMPARE(chart.selectedSet(), 2);
        QCOMPARE(chart.nodeTable()->rowCount(), 4);
        // A refreshed set replaces its bars and row instead of adding new ones.
        chart.addRunSet(makeSet(2, "reduce", 12));
        QCOMPARE(chart.runSetCount(), 2);
        QCOMPARE(chart.summaryTable()->rowCount(), 2);
        chart.clear();
        QCOMPARE(chart.runSetCount(), 0);
        QCOMPARE(chart.summaryTable()->rowCount(), 0);
    }

    // Vulkan runs: nodes that ran on the CPU for want of a shader are marked
    // in the per-node table, the others are not.
    void timingChartMarksCpuFallbackNodes() {
        appcore::RunSetResult set = makeSet(1, "default", 10);
        auto run = std::make_shared<interstage::RunStats>(*set.runs.back());
        run->nodes[1].cpuFallback = true;
        run->fallbackTransfers = 2;
        run->fallbackBytes = 8 * kMiB;
        set.runs.back() = run;
        widgets::TimingChart chart;
        chart.addRunSet(set);
        int marked = 0;
        for (int row = 0; row < chart.nodeTable()->rowCount(); ++row) {
            const bool cpu = chart.nodeTable()->item(row, 1)->text().endsWith("· CPU");
            QCOMPARE(cpu, chart.nodeTable()->item(row, 0)->text() == "node1");
            marked += cpu;
        }
        QCOMPARE(marked, 1);
    }

    void timingChartGrowsLive() {
        widgets::TimingChart chart;
        chart.addRun(5, "arena", 9.5);
        chart.addRun(5, "arena", 8.0);
        QCOMPARE(chart.runSetCount(), 1);
        QCOMPARE(chart.barCount(0), 2);
        QCOMPARE(chart.summaryTable()->rowCount(), 0);  // a row once the set finished
    }

    void timelineGrowsWithBatches() {
        widgets::MemoryTimeline timeline;
        timeline.beginSet(1, "reduce");
        timeline.setLowerBound(8 * kMiB);
        appcore::RunProgress first;
        first.setId = 1;
        first.run = 1;
        // Set-up (run 0) is the baseline, not a point on the curve.
        first.events = {memEvent(0, 10 * kMiB, MemoryCategory::Weights, -1, -1, 0),
                        memEvent(0.5, 4 * kMiB, MemoryCategory::Interstage, 0, 0, 1),
                        memEvent(1.0, 4 * kMiB, MemoryCategory::Interstage, 1, 1, 1)};
        first.nodes = {{"node0", "Conv", 0.5, 0.2}};
        first.rss = {{1000, 40 * kMiB, 1}};
        timeline.addProgress(first);
        QCOMPARE(timeline.displayedRun(), 1);
        for (int c = 0; c < interstage::kMemoryCategoryCount; ++c)
            QCOMPARE(timeline.pointCount(static_cast<MemoryCategory>(c)), 1 + 2);
        appcore::RunProgress second = first;
        second.events = {memEvent(1.5, -4 * static_cast<long long>(kMiB), MemoryCategory::Interstage, 0, 1, 1)};
        second.nodes = {{"node1", "Relu", 0.4, 0.8}};
        timeline.addProgress(second);
        QCOMPARE(timeline.pointCount(MemoryCategory::Interstage), 1 + 3);
        QCOMPARE(timeline.pointCount(MemoryCategory::Weights), 1 + 3);
        QCOMPARE(timeline.rssPointCount(), 2);
        QCOMPARE(timeline.nodeTickCount(), 2);
        // The stack's top at the end: weights 10 + one 4 MiB tensor.
        const auto data = timeline.plot()->graph(0)->data();
        QCOMPARE((data->constEnd() - 1)->value, 14.0);
        // A batch with nodes but no events holds the level to the newest
        // node's end (one tail point); the next event takes that point over.
        appcore::RunProgress quiet;
        quiet.setId = 1;
        quiet.run = 1;
        quiet.nodes = {{"node2", "Conv", 1.0, 2.0}};
        timeline.addProgress(quiet);
        QCOMPARE(timeline.pointCount(MemoryCategory::Interstage), 1 + 3 + 1);
        QCOMPARE((data->constEnd() - 1)->key, 3.0);
        appcore::RunProgress late = quiet;
        late.nodes.clear();
        late.events = {memEvent(3.5, 4 * kMiB, MemoryCategory::Interstage, 2, 2, 1)};
        timeline.addProgress(late);
        QCOMPARE(timeline.pointCount(MemoryCategory::Interstage), 1 + 4);
        QCOMPARE((data->constEnd() - 1)->value, 18.0);

        // The finished run replaces the live points with its exact events.
        timeline.finishRun({1, makeRun(1, 4, 4 * kMiB)});
        QCOMPARE(timeline.pointCount(MemoryCategory::Interstage), 1 + 7 + 1);
        appcore::RunSetResult done = makeSet(1, "reduce", 4);
        timeline.finishSet(done);
        QCOMPARE(timeline.displayedRun(), 3);
        timeline.showRun(1);
        QCOMPARE(timeline.displayedRun(), 1);

        // The next set turns this one into a toggleable overlay.
        timeline.beginSet(2, "arena");
        QCOMPARE(timeline.overlayCount(), 1);
        QVERIFY(timeline.overlayVisible(0));
        timeline.setOverlayVisible(0, false);
        QVERIFY(!timeline.overlayVisible(0));
        QCOMPARE(timeline.displayedRun(), 0);
        // Batches of another set are not drawn.
        timeline.addProgress(first);
        QCOMPARE(timeline.displayedRun(), 0);
        timeline.clear();
        QCOMPARE(timeline.overlayCount(), 0);
    }

    void bodyMemoryIsNamedPerIteration() {
        // Node 1 is a Loop whose body allocates two values in each of three
        // iterations and frees them: the events carry the body value's
        // index in the run's table and the iteration, no graph tensor.
        auto stats = std::make_shared<interstage::RunStats>(*makeRun(1, 4, kMiB));
        stats->bodyValues = {{1, "loop › body", "embedded"}, {1, "loop › body", "decayed"}};
        for (int iteration = 0; iteration < 3; ++iteration)
            for (int value = 0; value < 2; ++value) {
                const double at = 1.2 + 0.2 * iteration + 0.05 * value;
                const long long bytes = static_cast<long long>((value + 1) * kMiB / 2);
                for (long long signedBytes : {bytes, -bytes}) {
                    auto e = memEvent(at + (signedBytes < 0 ? 0.02 : 0), signedBytes, MemoryCategory::Interstage,
                                      interstage::kNoValue, 1, 1);
                    e.bodyValue = value;
                    e.iteration = iteration;
                    stats->events.push_back(e);
                }
            }
        std::stable_sort(stats->events.begin(), stats->events.end(),
                         [](const auto& a, const auto& b) { return a.timeNs < b.timeNs; });

        widgets::MemoryTimeline timeline;
        timeline.beginSet(1, "reduce");
        timeline.finishRun({1, stats});
        const QString atSecond = timeline.tooltipAt(1.4, 0.005);  // iteration 1's first allocation
        QVERIFY2(atSecond.contains("embedded in loop › body, iteration 1"), qPrintable(atSecond));
        QVERIFY(!atSecond.contains("iteration 0"));
        QVERIFY(timeline.tooltipAt(1.65, 0.005).contains("decayed in loop › body, iteration 2"));

        // The map: one block per value and iteration inside node 1's step,
        // the step split in three; the plan's tensors stay as they were.
        const std::vector<appcore::BodyBlock> blocks = appcore::bodyBlocks(*stats);
        QCOMPARE(blocks.size(), size_t(6));
        for (const auto& b : blocks) {
            QCOMPARE(b.step, 1);
            QCOMPARE(b.iterations, 3);
            QCOMPARE(b.bytes, static_cast<std::size_t>((b.lane + 1) * kMiB / 2));
        }
        widgets::MemoryMap map;
        map.resize(800, 400);
        std::vector<interstage::TensorPlacement> placements = {{"a", 0, 1, kMiB, 0, 0, false},
                                                               {"b", 1, 3, kMiB, 1, 0, false}};
        map.setPlacements(placements, "reduce", false, blocks);
        QCOMPARE(map.tensorCount(), 2);
        QCOMPARE(map.bodyBlockCount(), 6);
        map.show();
        QVERIFY(QTest::qWaitForWindowExposed(&map));
        map.plot()->replot();
        const QString last = "decayed in loop › body, iteration 2";
        const QPointF center = map.tensorCenter(last);
        QCOMPARE(map.tensorAt(center), last);
        const double stepStart = map.plot()->xAxis->coordToPixel(1), stepEnd = map.plot()->xAxis->coordToPixel(2);
        QVERIFY(center.x() > stepStart + (stepEnd - stepStart) * 2 / 3 && center.x() < stepEnd);
        QVERIFY(map.tensorCenter("decayed in loop › body, iteration 0").x() < stepStart + (stepEnd - stepStart) / 3);
        QVERIFY(map.describeTensor(last).contains("iteration 2 of 3"));
        QVERIFY(map.summaryText().contains("6 body tensor"));
    }

    void memoryMapFindsTensors() {
        widgets::MemoryMap map;
        map.resize(800, 400);
        std::vector<interstage::TensorPlacement> placements;
        for (int i = 0; i < 700; ++i)
            placements.push_back({QString("t%1").arg(i).toStdString(), i, i + 3,
                                  static_cast<std::size_t>((i % 7 + 1) * kMiB / 4), i % 5, 0, i == 699});
        map.setPlacements(placements, "reuse", false);
        QCOMPARE(map.tensorCount(), 700);
        QCOMPARE(map.laneCount(), 5);
        map.show();
        QVERIFY(QTest::qWaitForWindowExposed(&map));
        map.plot()->replot();
        const QPointF center = map.tensorCenter("t350");
        QCOMPARE(map.tensorAt(center), QString("t350"));
        QSignalSpy clicked(&map, &widgets::MemoryMap::tensorClicked);
        QTest::mouseClick(map.plot(), Qt::LeftButton, Qt::NoModifier, center.toPoint());
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.front().front().toString(), QString("t350"));

        // The arena: one slab, offsets as given.
        std::vector<interstage::TensorPlacement> arena = {{"a", 0, 2, kMiB, 0, 0, false},
                                                          {"b", 1, 3, kMiB, 0, kMiB, false}};
        map.setPlacements(arena, "arena", true);
        QCOMPARE(map.laneCount(), 1);
        QCOMPARE(map.tensorAt(map.tensorCenter("b")), QString("b"));

        // The hover text says where a tensor sits and how it is stored.
        arena[1].channelBlock = 16;
        map.setPlacements(arena, "arena", true);
        QVERIFY(map.describeTensor("b").contains("offset 1.0 MiB in the slab"));
        QVERIFY(map.describeTensor("b").contains("stored nChw16c"));
        QVERIFY(!map.describeTensor("a").contains("nChw"));
        QVERIFY(map.describeTensor("nonexistent").isEmpty());
    }

    // Concat inputs written in place: the host is held from its first
    // input on, the inputs inside it count once, and they are drawn at
    // their offset in the host's lane.
    void memoryMapCountsAConcatHostOnce() {
        widgets::MemoryMap map;
        map.resize(800, 400);
        std::vector<interstage::TensorPlacement> placements = {
            {"c", 2, 3, 2 * kMiB, 0, 0, false},
            {"a", 0, 2, kMiB, 0, 0, false},
            {"b", 1, 2, kMiB, 0, kMiB, false},
            {"x", 0, 1, kMiB / 2, 1, 0, false},
        };
        map.setPlacements(placements, "reduce", false);
        QVERIFY2(map.summaryText().contains("at most 2.5 MiB alive, at step 0"), qPrintable(map.summaryText()));
        map.show();
        QVERIFY(QTest::qWaitForWindowExposed(&map));
        map.plot()->replot();
        QCOMPARE(map.tensorAt(map.tensorCenter("x")), QString("x"));
        QVERIFY(map.tensorCenter("b").y() < map.tensorCenter("a").y());  // higher in the lane: offset 1 MiB
    }

    // A Concat input whose pages move into the Concat's output (reduce):
    // the output does not hold those bytes before the move, the input not
    // after it, and the input's block ends at the move.
    void memoryMapCountsMovedPagesOnce() {
        widgets::MemoryMap map;
        map.resize(800, 400);
        std::vector<interstage::TensorPlacement> placements = {
            {"c", 4, 5, 2 * kMiB, 0, 0, false},
            {"a", 0, 4, kMiB, 1, 0, false},
            {"b", 3, 4, kMiB, 0, kMiB, false},  // written in place
            {"x", 0, 2, kMiB / 2, 2, 0, false},
        };
        placements[1].movedAt = 4;
        placements[1].movedBuffer = 0;
        placements[1].movedOffset = 0;
        map.setPlacements(placements, "reduce", false);
        QVERIFY2(map.summaryText().contains("3.5 MiB held through the run"), qPrintable(map.summaryText()));
        for (auto& p : placements) p.perRunBuffer = true;  // as a reduce plan says
        map.setPlacements(placements, "reduce", false);
        QVERIFY2(map.summaryText().contains("each freed after its last use"), qPrintable(map.summaryText()));
        // Step 3: a (1 MiB) and c's half that b is written into; step 4: c.
        QVERIFY2(map.summaryText().contains("at most 2.0 MiB alive, at step 3"), qPrintable(map.summaryText()));
        QVERIFY(map.describeTensor("a").contains("pages move into buffer 0 at step 4"));
        QVERIFY(!map.describeTensor("b").contains("pages move"));
        map.show();
        QVERIFY(QTest::qWaitForWindowExposed(&map));
        map.plot()->replot();
        // a's block spans steps 0..3 (centre at step 2), not 0..4.
        const double stepTwo = map.plot()->xAxis->coordToPixel(2.0);
        QVERIFY2(std::abs(map.tensorCenter("a").x() - stepTwo) < 2.0,
                 qPrintable(QString::number(map.tensorCenter("a").x())));
    }

    // An op that wrote its smaller output over its dying input (a striped
    // conv): the input is not held past its last step for it.
    void memoryMapCountsAnOverwriteOnce() {
        widgets::MemoryMap map;
        map.resize(800, 400);
        const std::vector<interstage::TensorPlacement> placements = {
            {"x", 0, 2, 2 * kMiB, 0, 0, false},
            {"y", 2, 4, kMiB, 0, 0, false},  // over the start of x
            {"z", 3, 3, 3 * kMiB / 2, 1, 0, false},
        };
        map.setPlacements(placements, "reduce", false);
        QVERIFY2(map.summaryText().contains("at most 2.5 MiB alive, at step 3"), qPrintable(map.summaryText()));
    }

    void exportsWriteReadableFiles() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        widgets::TimingChart chart;
        chart.resize(900, 600);
        chart.addRunSet(makeSet(1, "default", 10));
        chart.addRunSet(makeSet(2, "arena", 9));
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        QString error;

        const QString png = dir.filePath("timing.png");
        QVERIFY2(widgets::exportChart(chart.plot(), png, &error), qPrintable(error));
        QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= chart.plot()->width());

        const QString svg = dir.filePath("timing.svg");
        QVERIFY2(widgets::exportChart(chart.plot(), svg, &error), qPrintable(error));
        QVERIFY(QSvgRenderer(svg).isValid());

        const QString pdf = dir.filePath("timing.pdf");
        QVERIFY2(widgets::exportChart(chart.plot(), pdf, &error), qPrintable(error));
        QFile pdfFile(pdf);
        QVERIFY(pdfFile.open(QIODevice::ReadOnly));
        QVERIFY(pdfFile.read(5).startsWith("%PDF"));

        QVERIFY(!widgets::exportChart(chart.plot(), dir.filePath("timing.doc"), &error));
        QVERIFY(error.contains(".png"));

        const QString timings = dir.filePath("timings.csv");
        QVERIFY2(widgets::exportTimingsCsv({makeSet(1, "default", 10), makeSet(2, "reduce", 12)}, timings, &error),
                 qPrintable(error));
        QFile timingsFile(timings);
        QVERIFY(timingsFile.open(QIODevice::ReadOnly | QIODevice::Text));
        const QStringList rows = QString::fromUtf8(timingsFile.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(rows.size(), 1 + 2 * 3);
        QVERIFY(rows[0].startsWith("config,run,ms,peak_tracked_bytes,peak_rss_bytes,allocations"));
        QVERIFY(rows[4].startsWith("reduce"));

        const QString timeline = dir.filePath("timeline.csv");
        QVERIFY2(widgets::exportTimelineCsv(makeSet(1, "reduce", 4), timeline, &error, {"in", "a", "b", "c"}),
                 qPrintable(error));
        QFile timelineFile(timeline);
        QVERIFY(timelineFile.open(QIODevice::ReadOnly | QIODevice::Text));
        const QStringList events = QString::fromUtf8(timelineFile.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(events.size(), 1 + 7);
        QVERIFY(events[0].startsWith("time_ms,bytes,category,tensor,node"));
        QCOMPARE(events[1], QString("0.000000,4194304,interstage,in,node0,14680064"));

        QVERIFY(!widgets::exportTimelineCsv(appcore::RunSetResult{}, timeline, &error));
        QVERIFY(!widgets::exportTimingsCsv({}, dir.filePath("missing/dir/t.csv"), &error));
        QVERIFY(error.contains("t.csv"));
    }

    void timelineExportsAfterLiveRun() {
        QTemporaryDir dir;
        widgets::MemoryTimeline timeline;
        timeline.resize(1000, 500);
        timeline.show();
        QVERIFY(QTest::qWaitForWindowExposed(&timeline));
        timeline.finishSet(makeSet(3, "reuse", 5));
        timeline.replotNow();
        QString error;
        QVERIFY2(widgets::exportChart(timeline.plot(), dir.filePath("timeline.svg"), &error), qPrintable(error));
        QVERIFY(QSvgRenderer(dir.filePath("timeline.svg")).isValid());
    }
};

QTEST_MAIN(TestCharts)
#include "test_charts.moc"
