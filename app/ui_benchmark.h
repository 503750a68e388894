// `interstage --benchmark-ui MODEL`: the app's own responsiveness numbers,
// measured in the real window: time to open and lay out a model, and the
// longest stall of the UI thread while a run set goes on (a 1 ms heartbeat
// timer; any gap beyond its period is time the UI could not respond).
#pragma once

#include <QString>

class MainWindow;

// Opens `openPath` (timed), then runs `runPath` with `runs` runs in every
// preset and prints both numbers; returns the process exit code.
int runUiBenchmark(MainWindow& window, const QString& openPath, const QString& runPath, int runs);
