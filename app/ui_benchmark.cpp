#include "ui_benchmark.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <algorithm>
#include <cstdio>

#include "main_window.h"
#include "widgets/graph_view.h"
#include "widgets/run_panel.h"

namespace {

// Waits (processing events) until the window is idle; false on timeout.
bool waitIdle(MainWindow& window, int timeoutMs) {
    QElapsedTimer timer;
    timer.start();
    QEventLoop loop;
    while (window.isBusy() && timer.elapsed() < timeoutMs) {
        QTimer::singleShot(5, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return !window.isBusy();
}

// The heartbeat: a 1 ms timer; the longest gap between ticks is the
// longest time the UI thread was busy with something else.
class StallMeter {
public:
    StallMeter() {
        clock_.start();
        last_ = clock_.nsecsElapsed();
        timer_.setTimerType(Qt::PreciseTimer);
        QObject::connect(&timer_, &QTimer::timeout, [this] {
            const qint64 now = clock_.nsecsElapsed();
            longest_ = std::max(longest_, now - last_);
            last_ = now;
        });
        timer_.start(1);
    }
    double stop() {
        timer_.stop();
        return static_cast<double>(longest_) / 1e6;
    }

private:
    QElapsedTimer clock_;
    QTimer timer_;
    qint64 last_ = 0;
    qint64 longest_ = 0;
};

// Expands the biggest collapsed group on screen and times its re-layout:
// what a click on a grouped model costs.
void benchmarkExpand(widgets::GraphView& view) {
    const appcore::GroupedGraph* grouped = view.groupedGraph();
    if (!grouped) return;
    const appcore::GroupTree& tree = grouped->tree();
    int biggest = -1;
    for (int g = 1; g < tree.groupCount(); ++g) {
        if (view.isGroupExpanded(g) || !view.isGroupExpanded(tree.group(g).parent)) continue;
        if (biggest < 0 || tree.group(g).itemCount > tree.group(biggest).itemCount) biggest = g;
    }
    if (biggest < 0) return;
    QElapsedTimer timer;
    timer.start();
    StallMeter stalls;
    view.setGroupExpanded(biggest, true);
    QEventLoop loop;
    while (view.isLayoutPending() && timer.elapsed() < 120000) {
        QTimer::singleShot(2, &loop, &QEventLoop::quit);
        loop.exec();
    }
    const double stall = stalls.stop();
    std::printf("expand %s (%d nodes): %.0f ms; longest UI-thread stall %.1f ms\n",
                qPrintable(tree.group(biggest).path), tree.group(biggest).itemCount, timer.nsecsElapsed() / 1e6, stall);
    std::fflush(stdout);
}

}  // namespace

int runUiBenchmark(MainWindow& window, const QString& openPath, const QString& runPath, int runs) {
    window.setQuiet(true);
    QElapsedTimer open;
    open.start();
    StallMeter openStalls;
    window.openModel(openPath);
    if (!waitIdle(window, 120000) || !window.document()) {
        std::fprintf(stderr, "interstage: cannot open %s: %s\n", qPrintable(openPath), qPrintable(window.lastError()));
        return 1;
    }
    const double openMs = open.nsecsElapsed() / 1e6;
    const double openStall = openStalls.stop();
    std::printf("open + layout %s: %.0f ms (load %.0f ms, layout %.0f ms); longest UI-thread stall %.1f ms\n",
                qPrintable(openPath), openMs, window.document()->loadMs, window.document()->layoutMs, openStall);
    std::fflush(stdout);
    benchmarkExpand(*window.graphView());

    window.openModel(runPath);
    if (!waitIdle(window, 120000) || !window.document()) return 1;
    window.runPanel()->setRunCount(runs);

    StallMeter runStalls;
    window.comparePresets();
    const bool finished = waitIdle(window, 600000);
    const double runStall = runStalls.stop();
    if (!finished) return 1;
    std::printf("run sets on %s: %d presets x %d runs; longest UI-thread stall %.1f ms\n", qPrintable(runPath),
                int(window.results().size()), runs, runStall);
    return 0;
}
