// The memory sampler: samples from the run's thread between nodes at most
// every 500 us, from its own thread only where those stop (a long node),
// in time order, and the default reading is the process's resident memory.
#include <QtTest>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "memory/memory_sampler.h"

using namespace interstage;
using Clock = std::chrono::steady_clock;

namespace {

bool inTimeOrder(const std::vector<RssSample>& samples) {
    for (std::size_t i = 1; i < samples.size(); ++i)
        if (samples[i].timeNs < samples[i - 1].timeNs) return false;
    return true;
}

}  // namespace

class TestMemorySampler : public QObject {
    Q_OBJECT

private slots:
    // Asked between nodes as often as a run of tiny nodes would, the
    // sampler reads at most once per 500 us (plus start and stop), and at
    // least a few times over 20 ms.
    void samplesBetweenNodesAreRateLimited() {
        std::atomic<int> reads{0};
        MemorySampler sampler([&reads] { return std::size_t(1000 + reads++); });
        const Clock::time_point origin = Clock::now();
        sampler.start(1, origin);
        int asked = 0;
        while (Clock::now() - origin < std::chrono::milliseconds(20)) {
            sampler.sampleIfDue();
            ++asked;
        }
        sampler.stop();
        const std::vector<RssSample> samples = sampler.takeSamples();
        QVERIFY2(asked > 1000, qPrintable(QString::number(asked)));
        QVERIFY2(samples.size() >= 5, qPrintable(QString::number(samples.size())));
        // 20 ms / 500 us, start and stop, and a late stop's slack.
        QVERIFY2(samples.size() <= 48, qPrintable(QString::number(samples.size())));
        QCOMPARE(samples.size(), static_cast<std::size_t>(reads.load()));
        QVERIFY(inTimeOrder(samples));
        QCOMPARE(sampler.peakBytes(), std::size_t(1000 + reads.load() - 1));
        for (const RssSample& s : samples) QCOMPARE(s.run, 1);
    }

    // With nobody asking (one long node), the sampler's own thread still
    // samples, every few milliseconds rather than every 500 us: a wake of
    // a third thread on busy cores costs the kernels' threads more than a
    // read between nodes.
    void aLongNodeIsSampledByTheThread() {
        MemorySampler sampler([] { return std::size_t(1); });
        const Clock::time_point origin = Clock::now();
        sampler.start(2, origin);
        std::this_thread::sleep_for(std::chrono::milliseconds(60));
        sampler.stop();
        const std::vector<RssSample> samples = sampler.takeSamples();
        QVERIFY2(samples.size() >= 4, qPrintable(QString::number(samples.size())));
        QVERIFY2(samples.size() <= 30, qPrintable(QString::number(samples.size())));
        QVERIFY(inTimeOrder(samples));
    }

    // stop() wakes the thread instead of waiting out its interval, and a
    // stopped sampler samples nothing more when asked.
    void stopIsPromptAndFinal() {
        MemorySampler sampler([] { return std::size_t(1); });
        sampler.start(3, Clock::now());
        sampler.stop();
        const std::size_t taken = sampler.takeSamples().size();
        QVERIFY2(taken >= 2 && taken <= 3, qPrintable(QString::number(taken)));  // start's and stop's
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        sampler.sampleIfDue();
        QVERIFY(sampler.takeSamples().empty());
    }

    // The default reading: the process's resident memory, which grows by
    // what this test touches.
    void theDefaultReadingIsResidentMemory() {
        MemorySampler sampler;
        sampler.start(4, Clock::now());
        std::vector<char> touched(64 << 20, 1);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        sampler.sampleIfDue();
        sampler.stop();
        const std::vector<RssSample> samples = sampler.takeSamples();
        QVERIFY(samples.size() >= 2);
        QVERIFY(samples.back().bytes >= samples.front().bytes + (48 << 20));
        QVERIFY(samples.back().bytes <= MemorySampler::currentRssBytes() + (8 << 20));
        QVERIFY(touched[12345] == 1);
    }
};

QTEST_GUILESS_MAIN(TestMemorySampler)
#include "test_memory_sampler.moc"
