#include "widgets/chart_style.h"

#include <qcustomplot.h>

#include <array>
#include <cmath>

#include "interstage/format.h"

namespace widgets {

namespace {

const QColor kAxisColor(0x5f, 0x63, 0x68);
const QColor kTextColor(0x3c, 0x40, 0x43);
const QColor kGridColor(0xe3, 0xe6, 0xea);

void styleAxis(QCPAxis* axis) {
    axis->setBasePen(QPen(kAxisColor, 1));
    axis->setTickPen(QPen(kAxisColor, 1));
    axis->setSubTickPen(QPen(kAxisColor, 1));
    axis->setTickLabelColor(kTextColor);
    axis->setLabelColor(kTextColor);
    axis->setTickLengthIn(0);
    axis->setTickLengthOut(4);
    axis->setSubTickLengthIn(0);
    axis->setSubTickLengthOut(2);
    axis->grid()->setPen(QPen(kGridColor, 1, Qt::SolidLine));
    axis->grid()->setSubGridVisible(false);
    axis->grid()->setZeroLinePen(Qt::NoPen);
    // Ticks at 1-2-5 steps keep labels short ("50", "100") at any zoom.
    axis->ticker()->setTickCount(6);
}

}  // namespace

void applyChartTheme(QCustomPlot* plot) {
    plot->setBackground(Qt::white);
    plot->axisRect()->setBackground(Qt::white);
    QFont font = plot->font();
    font.setPointSizeF(9);
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis, plot->xAxis2, plot->yAxis2}) {
        styleAxis(axis);
        axis->setTickLabelFont(font);
        QFont label = font;
        label.setPointSizeF(9.5);
        axis->setLabelFont(label);
    }
    // A box on all four sides reads as clutter; keep the two axes that carry labels.
    plot->xAxis2->setVisible(false);
    plot->yAxis2->setVisible(false);
    plot->legend->setFont(font);
    plot->legend->setBrush(QColor(255, 255, 255, 225));
    plot->legend->setBorderPen(QPen(QColor(0xd0, 0xd4, 0xd9)));
    plot->legend->setIconSize(14, 10);
    plot->legend->setRowSpacing(-2);
    plot->setAntialiasedElements(QCP::aeAll);
    plot->setNotAntialiasedElements(QCP::aeGrid | QCP::aeAxes);
}

void placeLegendAbove(QCustomPlot* plot) {
    QCPLegend* legend = plot->legend;
    plot->axisRect()->insetLayout()->take(legend);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->setRowStretchFactor(0, 0.001);
    // Legend, then an empty stretching cell: the entries stay packed at the
    // left instead of spreading over the whole width.
    auto* row = new QCPLayoutGrid;
    plot->plotLayout()->addElement(0, 0, row);
    row->addElement(0, 0, legend);
    row->addElement(0, 1, new QCPLayoutElement(plot));
    row->setColumnStretchFactor(0, 0.001);
    row->setColumnStretchFactor(1, 1);
    legend->setFillOrder(QCPLegend::foColumnsFirst);
    legend->setWrap(3);  // two rows rather than entries cut off in a narrow chart
    legend->setBrush(Qt::NoBrush);
    legend->setBorderPen(Qt::NoPen);
    legend->setMargins(QMargins(8, 2, 4, 0));
    legend->setColumnSpacing(16);
    legend->setVisible(true);
}

QColor categoryColor(interstage::MemoryCategory category) {
    using C = interstage::MemoryCategory;
    switch (category) {
        case C::Weights:
            return QColor(0xa7, 0xb1, 0xbd);  // quiet grey: present but rarely the story
        case C::Interstage:
            return QColor(0x4c, 0x8b, 0xf5);  // the activations this tool is about
        case C::Workspace:
            return QColor(0xb3, 0x9d, 0xdb);
        case C::Input:
            return QColor(0xf2, 0xc1, 0x4e);
        case C::Output:
            return QColor(0xef, 0x8a, 0x62);
        case C::Staging:
            return QColor(0x6c, 0xc5, 0xb0);
    }
    return Qt::gray;
}

QString categoryLabel(interstage::MemoryCategory category) {
    QString name = QString::fromLatin1(interstage::memoryCategoryName(category));
    if (!name.isEmpty()) name[0] = name[0].toUpper();
    return name;
}

QColor setColor(int setId) {
    // Distinct from each other, readable as thin lines on white, and
    // neither the red of the lower bound nor the blue of the activations
    // fill (overlays are drawn over it); blue comes last.
    static const std::array<QColor, 8> palette = {
        QColor(0xe0, 0x6c, 0x00), QColor(0x2c, 0xa0, 0x2c), QColor(0x7b, 0x4f, 0xb5), QColor(0x8c, 0x56, 0x4b),
        QColor(0xd6, 0x3f, 0x9a), QColor(0x17, 0x9c, 0xaa), QColor(0x8a, 0x8a, 0x12), QColor(0x1f, 0x4e, 0x9c),
    };
    const int n = static_cast<int>(palette.size());
    return palette[static_cast<size_t>((((setId - 1) % n) + n) % n)];  // set ids start at 1
}

double toMiB(double bytes) { return bytes / (1024.0 * 1024.0); }

QString formatBytes(double bytes) { return QString::fromStdString(interstage::formatBytes(bytes)); }

QString formatMs(double ms) {
    if (ms >= 100) return QString::number(ms, 'f', 0) + " ms";
    if (ms >= 1) return QString::number(ms, 'f', 1) + " ms";
    return QString::number(ms, 'f', 3) + " ms";
}

}  // namespace widgets
