// Waiting for the main window in the app suites: the event loop runs while
// the window is busy (a model loading, a run set, a session restoring).
#pragma once

#include <QElapsedTimer>
#include <QtTest>

#include "main_window.h"

namespace testsupport {

// True once the window is idle; false when it is still busy after `ms`
// (generous: under a sanitizer a U^2-Net-P set takes minutes).
inline bool waitIdle(MainWindow& w, int ms = 240000) {
    QElapsedTimer timer;
    timer.start();
    while (w.isBusy() && timer.elapsed() < ms) QTest::qWait(20);
    return !w.isBusy();
}

}  // namespace testsupport
