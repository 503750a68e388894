// Figures drawn for the page (B's interface, issue 17). This copy is a
// placeholder so the report builds before br-figures is merged: its
// drawFigure draws a framed box naming the figure.
#pragma once

#include <QPainter>
#include <QRectF>
#include <QSizeF>
#include <QString>

#include "interstage/session_file.h"

namespace report {

enum class ChartKind { Timeline, MemoryMap, Timings };
enum class Style { Light, Print };
enum class Target { Slide, Column, Custom };

struct FigureOptions {
    ChartKind kind = ChartKind::Timeline;
    Style style = Style::Light;
    Target target = Target::Slide;
    QSizeF size;
    double dpi = 300;
    int set = -1;
    int run = -1;
    bool overlays = true;
    QString footnote;
};

QSizeF figurePixelSize(const FigureOptions&);
void drawFigure(QPainter& painter, const QRectF& rect, const interstage::SavedSession&, const FigureOptions&);
bool saveFigure(const QString& path, const interstage::SavedSession&, const FigureOptions&, QString* error);
QString footnoteFor(const interstage::SavedSession&, int set);

}  // namespace report
