// The tensors alive at each step of a plan (interstage/live_peak.h,
// liveTensorsAtStep): what the app's step-through lists. Exact sets on a
// hand-built map (a Concat host and its members, arena reuse, a page
// move), and on U^2-Net-P's plans in every preset: every tensor whose
// lifetime covers the step is listed, members lie inside a counted
// tensor, and the counted bytes sum to liveBytesPerStep at every step.
#include <QtTest>
#include <set>

#include "interstage/live_peak.h"
#include "interstage/session.h"
#include "interstage/zoo.h"
#include "test_support.h"

using namespace interstage;

namespace {

TensorPlacement placement(const std::string& name, int first, int last, std::size_t bytes, int buffer,
                          std::size_t offset) {
    TensorPlacement p;
    p.name = name;
    p.first = first;
    p.last = last;
    p.bytes = bytes;
    p.buffer = buffer;
    p.offset = offset;
    return p;
}

// "name:counted" or "name:inside" for each live tensor, in map order.
QStringList describe(const std::vector<TensorPlacement>& map, int step) {
    QStringList out;
    for (const LiveTensor& t : liveTensorsAtStep(map, step))
        out << QString::fromStdString(map[t.index].name) +
                   (t.inside ? QStringLiteral(":inside") : ":" + QString::number(t.countedBytes));
    return out;
}

std::size_t countedSum(const std::vector<TensorPlacement>& map, int step) {
    std::size_t sum = 0;
    for (const LiveTensor& t : liveTensorsAtStep(map, step)) sum += t.countedBytes;
    return sum;
}

// Every tensor whose own lifetime covers `step` is listed; an inside one
// adds nothing and lies within the bytes of a counted live tensor of its
// buffer (or, moved, within its Concat's output).
void checkStep(const std::vector<TensorPlacement>& map, int step) {
    const std::vector<LiveTensor> live = liveTensorsAtStep(map, step);
    std::set<std::size_t> listed;
    for (const LiveTensor& t : live) listed.insert(t.index);
    for (std::size_t i = 0; i < map.size(); ++i)
        if (map[i].first <= step && step <= map[i].last)
            QVERIFY2(listed.count(i), qPrintable(QString("step %1: %2 not listed").arg(step).arg(map[i].name.c_str())));
    for (const LiveTensor& t : live) {
        const TensorPlacement& m = map[t.index];
        if (!t.inside) continue;
        QCOMPARE(t.countedBytes, std::size_t(0));
        const bool moved = m.movedAt >= 0 && m.movedAt <= step;
        const int buffer = moved ? m.movedBuffer : m.buffer;
        const std::size_t offset = moved ? m.movedOffset : m.offset;
        bool within = false;
        for (const LiveTensor& h : live) {
            const TensorPlacement& host = map[h.index];
            within = within || (!h.inside && host.buffer == buffer && host.offset <= offset &&
                                offset + m.bytes <= host.offset + host.bytes);
        }
        QVERIFY2(within, qPrintable(QString("step %1: %2 inside nothing counted").arg(step).arg(m.name.c_str())));
    }
}

}  // namespace

class LiveStepsTest : public QObject {
    Q_OBJECT
private slots:
    // c is a Concat of a and b written in place; x apart; "later" reuses
    // c's bytes in an arena after c died (not a member).
    void concatHostAndMembersStepByStep() {
        const std::vector<TensorPlacement> map = {
            placement("c", 2, 3, 8000, 0, 0), placement("a", 0, 2, 4000, 0, 0),     placement("b", 1, 2, 4000, 0, 4000),
            placement("x", 0, 1, 1000, 1, 0), placement("later", 5, 6, 2000, 0, 0),
        };
        // The host holds its bytes from its first member's step on.
        QCOMPARE(describe(map, 0), (QStringList{"c:8000", "a:inside", "x:1000"}));
        QCOMPARE(describe(map, 1), (QStringList{"c:8000", "a:inside", "b:inside", "x:1000"}));
        QCOMPARE(describe(map, 2), (QStringList{"c:8000", "a:inside", "b:inside"}));
        QCOMPARE(describe(map, 3), (QStringList{"c:8000"}));
        QCOMPARE(describe(map, 4), QStringList{});
        QCOMPARE(describe(map, 5), (QStringList{"later:2000"}));
        QCOMPARE(describe(map, 7), QStringList{});
        QCOMPARE(describe(map, -1), QStringList{});
        const std::vector<std::size_t> bytes = liveBytesPerStep(map);
        for (int step = 0; step < int(bytes.size()); ++step) QCOMPARE(countedSum(map, step), bytes[size_t(step)]);
    }

    // Reduce's page move: a (own buffer 1) hands its pages to c (buffer 0)
    // at step 2; c does not hold those bytes before.
    void pageMovedInputIsInsideItsConcatFromTheMove() {
        std::vector<TensorPlacement> map = {placement("c", 2, 3, 8000, 0, 0), placement("a", 0, 2, 4000, 1, 0),
                                            placement("b", 1, 2, 4000, 0, 4000)};
        map[1].movedAt = 2;
        map[1].movedBuffer = 0;
        map[1].movedOffset = 0;
        // Step 1: c's bytes from b on, less a's range still pending.
        QCOMPARE(describe(map, 1), (QStringList{"c:4000", "a:4000", "b:inside"}));
        QCOMPARE(describe(map, 2), (QStringList{"c:8000", "a:inside", "b:inside"}));
        const std::vector<std::size_t> bytes = liveBytesPerStep(map);
        for (int step = 0; step < int(bytes.size()); ++step) {
            QCOMPARE(countedSum(map, step), bytes[size_t(step)]);
            checkStep(map, step);
        }
    }

    // Every preset's plan of U^2-Net-P at 128x128, planned only.
    void u2netpPlansSumToTheLiveBytesAtEveryStep() {
        auto bytes = buildZooModel("u2netp-128");
        QVERIFY(bytes.ok());
        for (const MemoryPreset& preset : memoryPresets()) {
            auto model = loadModelFromBytes(bytes.value(), ".");
            QVERIFY(model.ok());
            SessionOptions options;
            options.mode = preset.mode;
            options.threads = 1;
            auto session = Session::create(model.take(), options);
            QVERIFY2(session.ok(), session.status().toString().c_str());
            const std::vector<TensorPlacement> map = session.value()->memoryMap();
            const std::vector<std::size_t> live = liveBytesPerStep(map);
            QVERIFY(live.size() > 100);
            int inside = 0;
            for (int step = 0; step < int(live.size()); ++step) {
                QCOMPARE(countedSum(map, step), live[size_t(step)]);
                checkStep(map, step);
                for (const LiveTensor& t : liveTensorsAtStep(map, step)) inside += t.inside ? 1 : 0;
            }
            // In-place writes are on: where tensors may share bytes, some sit inside others.
            if (!preset.mode.keepsEveryTensor()) QVERIFY2(inside > 0, preset.name);
            const LivePeak peak = peakOfLiveTensors(map);
            QCOMPARE(countedSum(map, peak.step), peak.bytes);
        }
    }
};

QTEST_GUILESS_MAIN(LiveStepsTest)
#include "test_live_steps.moc"
