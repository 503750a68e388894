#include "widgets/graph_legend.h"

#include <QFontMetrics>
#include <QLinearGradient>
#include <QPainter>
#include <algorithm>

#include "widgets/graph_style.h"

namespace widgets {
namespace {

constexpr int kPadding = 10;
constexpr int kRow = 17;
constexpr int kSwatch = 11;
constexpr int kRampWidth = 160;
constexpr int kRampHeight = 8;

QFont legendFont(bool bold) {
    QFont font;
    font.setPointSizeF(std::max(7.5, font.pointSizeF() - 1.0));
    font.setBold(bold);
    return font;
}

}  // namespace

GraphLegend::GraphLegend(QWidget* parent) : QWidget(parent) {
    // Clicks and drags go to the view underneath.
    setAttribute(Qt::WA_TransparentForMouseEvents);
    setAttribute(Qt::WA_TranslucentBackground);
}

void GraphLegend::showSwatches(const QString& title, const QVector<Swatch>& swatches) {
    title_ = title;
    swatches_ = swatches;
    ramp_ = false;
    note_.clear();
    resize(sizeHint());
    update();
}

void GraphLegend::showRamp(const QString& title, const QString& low, const QString& high) {
    title_ = title;
    swatches_.clear();
    ramp_ = true;
    diverging_ = false;
    low_ = low;
    high_ = high;
    note_.clear();
    resize(sizeHint());
    update();
}

void GraphLegend::showDivergingRamp(const QString& title, const QString& low, const QString& mid, const QString& high) {
    showRamp(title, low, high);
    diverging_ = true;
    mid_ = mid;
    update();
}

void GraphLegend::setNote(const QString& note) {
    note_ = note;
    resize(sizeHint());
    update();
}

QSize GraphLegend::sizeHint() const {
    const QFontMetrics bold(legendFont(true));
    const QFontMetrics normal(legendFont(false));
    int width = bold.horizontalAdvance(title_);
    int height = bold.height();
    if (ramp_) {
        width = std::max(width, kRampWidth);
        height += 6 + kRampHeight + 4 + normal.height();
        if (!note_.isEmpty()) {
            width = std::max(width, normal.horizontalAdvance(note_));
            height += 2 + normal.height();
        }
    } else {
        for (const Swatch& swatch : swatches_)
            width = std::max(width, kSwatch + 7 + normal.horizontalAdvance(swatch.text));
        height += 4 + kRow * static_cast<int>(swatches_.size());
    }
    // A few pixels of slack: the card's border is drawn inside the widget.
    return {width + 2 * kPadding + 4, height + 2 * kPadding};
}

void GraphLegend::paintEvent(QPaintEvent*) {
    namespace style = widgets::graphstyle;
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);

    // A card with a soft edge, in the view's light theme.
    const QRectF card = QRectF(rect()).adjusted(1.5, 1.5, -1.5, -1.5);
    painter.setPen(QPen(QColor(0xD5, 0xDA, 0xE1), 1));
    painter.setBrush(QColor(255, 255, 255, 238));
    painter.drawRoundedRect(card, 6, 6);

    const QFontMetrics bold(legendFont(true));
    const QFontMetrics normal(legendFont(false));
    int y = kPadding;
    painter.setFont(legendFont(true));
    painter.setPen(style::kText);
    painter.drawText(QRect(kPadding, y, width() - 2 * kPadding, bold.height()), Qt::AlignLeft | Qt::AlignVCenter,
                     title_);
    y += bold.height();

    painter.setFont(legendFont(false));
    if (ramp_) {
        y += 6;
        const QRectF bar(kPadding, y, width() - 2 * kPadding, kRampHeight);
        QLinearGradient gradient(bar.topLeft(), bar.topRight());
        for (int i = 0; i <= 8; ++i)
            gradient.setColorAt(i / 8.0, diverging_ ? style::divergingColor(i / 4.0 - 1.0) : style::rampColor(i / 8.0));
        painter.setPen(Qt::NoPen);
        painter.setBrush(gradient);
        painter.drawRoundedRect(bar, 3, 3);
        y += kRampHeight + 4;
        painter.setPen(style::kMutedText);
        const QRect labels(kPadding, y, width() - 2 * kPadding, normal.height());
        painter.drawText(labels, Qt::AlignLeft | Qt::AlignVCenter, low_);
        painter.drawText(labels, Qt::AlignRight | Qt::AlignVCenter, high_);
        if (diverging_) painter.drawText(labels, Qt::AlignHCenter | Qt::AlignVCenter, mid_);
        if (!note_.isEmpty())
            painter.drawText(QRect(kPadding, y + normal.height() + 2, width() - 2 * kPadding, normal.height()),
                             Qt::AlignLeft | Qt::AlignVCenter, note_);
        return;
    }
    y += 4;
    for (const Swatch& swatch : swatches_) {
        const QRectF box(kPadding, y + (kRow - kSwatch) / 2.0, kSwatch, kSwatch);
        painter.setPen(QPen(swatch.border, 1));
        painter.setBrush(swatch.fill);
        painter.drawRoundedRect(box, 2.5, 2.5);
        painter.setPen(style::kMutedText);
        painter.drawText(QRect(kPadding + kSwatch + 7, y, width(), kRow), Qt::AlignLeft | Qt::AlignVCenter,
                         swatch.text);
        y += kRow;
    }
}

}  // namespace widgets
