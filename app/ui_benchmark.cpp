#include "ui_benchmark.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <cstdio>

#include "main_window.h"
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

}  // namespace

int runUiBenchmark(MainWindow& window, const QString& openPath, const QString& runPath, int runs) {
    window.setQuiet(true);
    QElapsedTimer open;
    open.start();
    window.openModel(openPath);
    if (!waitIdle(window, 120000) || !window.document()) {
        std::fprintf(stderr, "interstage: cannot open %s: %s\n", qPrintable(openPath), qPrintable(window.lastError()));
        return 1;
    }
    const double openMs = open.nsecsElapsed() / 1e6;
    std::printf("open + layout %s: %.0f ms (load %.0f ms, layout %.0f ms)\n", qPrintable(openPath), openMs,
                window.document()->loadMs, window.document()->layoutMs);

    window.openModel(runPath);
    if (!waitIdle(window, 120000) || !window.document()) return 1;
    window.runPanel()->setRunCount(runs);

    // The heartbeat: a 1 ms timer; the longest gap between ticks is the
    // longest time the UI thread was busy with something else.
    QElapsedTimer clock;
    clock.start();
    qint64 last = clock.nsecsElapsed(), longest = 0;
    QTimer heartbeat;
    heartbeat.setTimerType(Qt::PreciseTimer);
    QObject::connect(&heartbeat, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        longest = std::max(longest, now - last);
        last = now;
    });
    heartbeat.start(1);
    window.comparePresets();
    const bool finished = waitIdle(window, 600000);
    heartbeat.stop();
    if (!finished) return 1;
    std::printf("run sets on %s: %d presets x %d runs; longest UI-thread stall %.1f ms\n", qPrintable(runPath),
                int(window.results().size()), runs, longest / 1e6);
    return 0;
}
