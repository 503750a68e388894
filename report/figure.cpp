#include "figure.h"

namespace report {

QSizeF figurePixelSize(const FigureOptions& o) { return o.target == Target::Custom ? o.size : QSizeF(1920, 1080); }

void drawFigure(QPainter& painter, const QRectF& rect, const interstage::SavedSession&, const FigureOptions& o) {
    static const char* names[] = {"timeline", "memory map", "timings"};
    painter.save();
    painter.setPen(QPen(Qt::gray, 0));
    painter.drawRect(rect);
    painter.drawText(rect, Qt::AlignCenter, QString("[%1 figure]").arg(names[int(o.kind)]));
    painter.restore();
}

bool saveFigure(const QString&, const interstage::SavedSession&, const FigureOptions&, QString* error) {
    if (error) *error = "figures are not built yet";
    return false;
}

QString footnoteFor(const interstage::SavedSession& s, int) { return QString::fromStdString(s.writer); }

}  // namespace report
