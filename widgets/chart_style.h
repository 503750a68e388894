// Shared look of the charts (timeline, timing bars, memory map): one light
// theme, one palette, so a configuration keeps its colour in every chart.
#pragma once

#include <QColor>
#include <QString>
#include <cstddef>

#include "interstage/memory.h"

class QCustomPlot;

namespace widgets {

// Light theme: white background, soft grid, readable tick labels.
void applyChartTheme(QCustomPlot* plot);

// Moves the legend out of the data: one row above the axis rect.
void placeLegendAbove(QCustomPlot* plot);

// Fill colour of a memory category in the stacked timeline.
QColor categoryColor(interstage::MemoryCategory category);
// "Interstage": the engine's category name, capitalised for legends.
QString categoryLabel(interstage::MemoryCategory category);
// Colour of a run set (bars, overlay lines, table swatches). Keyed by the
// set id so a configuration looks the same in every chart.
QColor setColor(int setId);

double toMiB(double bytes);
// "176.4 MiB", "812 KiB", "96 B": for tooltips and tables.
QString formatBytes(double bytes);
QString formatMs(double ms);

}  // namespace widgets
