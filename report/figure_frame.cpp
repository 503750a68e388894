#include "report/figure_frame.h"

#include <qcustomplot.h>

#include <QFontMetricsF>
#include <QPaintEngine>
#include <QPainter>
#include <QPicture>
#include <algorithm>
#include <cmath>

namespace report {

namespace {

const QString kSeparator = QStringLiteral(" · ");

QCPTextElement* makeTextElement(QCustomPlot* plot, const QFont& font, const QColor& color) {
    auto* text = new QCPTextElement(plot);
    text->setFont(font);
    text->setTextColor(color);
    text->setTextFlags(Qt::AlignLeft | Qt::AlignVCenter);
    return text;
}

// True for painters whose output is vector commands (PDF, SVG, a QPicture):
// QCustomPlot then skips its raster-only tricks.
bool isVectorPainter(const QPainter& painter) {
    const QPaintEngine* engine = painter.paintEngine();
    if (!engine) return false;
    const QPaintEngine::Type type = engine->type();
    return type != QPaintEngine::Raster && type != QPaintEngine::OpenGL && type != QPaintEngine::OpenGL2;
}

}  // namespace

FigureFrame::FigureFrame(const FigureOptions& options, const QSizeF& logicalSize)
    : options_(options), size_(logicalSize), fonts_(fontsFor(options, logicalSize)), plot_(new QCustomPlot) {
    plot_->setAttribute(Qt::WA_DontShowOnScreen);
    plot_->resize(static_cast<int>(size_.width()), static_cast<int>(size_.height()));
    applyFigureTheme(*plot_, options_.style, fonts_);
    buildRows();
}

FigureFrame::~FigureFrame() = default;

void FigureFrame::buildRows() {
    QCPLayoutGrid* grid = plot_->plotLayout();
    const QColor text = textColor(options_.style);
    title_ = makeTextElement(plot_.get(), fonts_.title, text);
    subtitle_ = makeTextElement(plot_.get(), fonts_.subtitle, mutedTextColor(options_.style));
    footnote_ = makeTextElement(plot_.get(), fonts_.footnote, mutedTextColor(options_.style));
    // Rows: title, subtitle, legend, data, footnote. Text rows take only
    // their height; the data takes the rest.
    for (int i = 0; i < 3; ++i) grid->insertRow(0);
    grid->addElement(0, 0, title_);
    grid->addElement(1, 0, subtitle_);
    legendRow_ = new QCPLayoutGrid;
    grid->addElement(2, 0, legendRow_);
    grid->addElement(4, 0, footnote_);
    for (int row : {0, 1, 2, 4}) grid->setRowStretchFactor(row, 0.001);
    grid->setRowSpacing(static_cast<int>(fonts_.basePx * 0.25));
    const int margin = static_cast<int>(fonts_.basePx * 0.8);
    grid->setMargins(QMargins(margin, margin / 2, margin, margin / 2));
    title_->setMargins(QMargins(0, 0, 0, 0));
    subtitle_->setMargins(QMargins(0, 0, 0, 0));
    footnote_->setMargins(QMargins(0, static_cast<int>(fonts_.basePx * 0.3), 0, 0));

    QCPLegend* legend = plot_->legend;
    plot_->axisRect()->insetLayout()->take(legend);
    // Legend, then an empty stretching cell: entries stay packed at the left.
    legendRow_->addElement(0, 0, legend);
    legendRow_->addElement(0, 1, new QCPLayoutElement(plot_.get()));
    legendRow_->setColumnStretchFactor(0, 0.001);
    legendRow_->setColumnStretchFactor(1, 1);
    legend->setFont(fonts_.legend);
    legend->setTextColor(textColor(options_.style));
    legend->setBrush(Qt::NoBrush);
    legend->setBorderPen(Qt::NoPen);
    legend->setIconSize(static_cast<int>(fonts_.basePx * 1.6), static_cast<int>(fonts_.basePx * 0.8));
    legend->setIconTextPadding(static_cast<int>(fonts_.basePx * 0.4));
    legend->setColumnSpacing(static_cast<int>(fonts_.basePx * 1.2));
    legend->setRowSpacing(0);
    legend->setMargins(QMargins(0, 0, 0, 0));
    legend->setVisible(true);
}

QString FigureFrame::wrapToWidth(const QString& text, const QFont& font) const {
    const QFontMetricsF metrics(font);
    const double width = size_.width() - fonts_.basePx * 1.8;
    QStringList lines;
    QString line;
    for (const QString& part : text.split(kSeparator)) {
        const QString joined = line.isEmpty() ? part : line + kSeparator + part;
        if (!line.isEmpty() && metrics.horizontalAdvance(joined) > width) {
            lines << line;
            line = part;
        } else {
            line = joined;
        }
    }
    lines << line;
    return lines.join(QLatin1Char('\n'));
}

void FigureFrame::setTitle(const QString& title, const QString& subtitle) {
    titleText_ = title;
    subtitleText_ = subtitle;
    title_->setText(wrapToWidth(title, fonts_.title));
    subtitle_->setText(wrapToWidth(subtitle, fonts_.subtitle));
}

void FigureFrame::setFootnote(const QString& text) {
    footnoteText_ = text;
    footnote_->setText(wrapToWidth(text, fonts_.footnote));
}

QCPItemText* FigureFrame::makeLabel(const QString& text, const QPen& pen) {
    auto* label = new QCPItemText(plot_.get());
    label->setText(text);
    label->setFont(fonts_.reference);
    // Print: black text whatever the line; Light: the line's colour names it.
    label->setColor(options_.style == Style::Print ? QColor(Qt::black) : pen.color());
    label->setBrush(QColor(255, 255, 255, 220));  // readable over fills and lines
    const int pad = static_cast<int>(fonts_.basePx * 0.2);
    label->setPadding(QMargins(pad, pad / 2, pad, pad / 2));
    label->setClipToAxisRect(true);
    referenceLabels_ << text;
    return label;
}

void FigureFrame::addHorizontalReference(double value, const QString& label, const QPen& pen, Qt::Alignment side,
                                         bool below) {
    auto* line = new QCPItemLine(plot_.get());
    line->setPen(pen);
    for (QCPItemPosition* end : {line->start, line->end}) {
        end->setTypeX(QCPItemPosition::ptAxisRectRatio);
        end->setTypeY(QCPItemPosition::ptPlotCoords);
    }
    line->start->setCoords(0, value);
    line->end->setCoords(1, value);
    QCPItemText* text = makeLabel(label, pen);
    text->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    text->position->setTypeY(QCPItemPosition::ptPlotCoords);
    const bool right = side.testFlag(Qt::AlignRight);
    text->position->setCoords(right ? 0.995 : 0.005, value);
    text->setPositionAlignment((right ? Qt::AlignRight : Qt::AlignLeft) | (below ? Qt::AlignTop : Qt::AlignBottom));
}

void FigureFrame::addVerticalReference(double key, const QString& label, const QPen& pen) {
    auto* line = new QCPItemLine(plot_.get());
    line->setPen(pen);
    for (QCPItemPosition* end : {line->start, line->end}) {
        end->setTypeX(QCPItemPosition::ptPlotCoords);
        end->setTypeY(QCPItemPosition::ptAxisRectRatio);
    }
    line->start->setCoords(key, 0);
    line->end->setCoords(key, 1);
    QCPItemText* text = makeLabel(label, pen);
    text->position->setTypeX(QCPItemPosition::ptPlotCoords);
    text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    text->position->setCoords(key, 0.01);
    // On the side of the line with more room.
    const QCPRange range = plot_->xAxis->range();
    const bool roomRight = key < range.lower + range.size() * 0.6;
    text->setPositionAlignment((roomRight ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignTop);
}

void FigureFrame::addPointMarker(double key, double value, const QString& label, const QPen& pen) {
    QCPGraph* dot = plot_->addGraph();
    dot->removeFromLegend();
    dot->setLineStyle(QCPGraph::lsNone);
    dot->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, pen.color(), pen.color(), fonts_.basePx * 0.5));
    dot->addData(key, value);
    QCPItemText* text = makeLabel(label, pen);
    text->position->setCoords(key, value);
    const QCPRange range = plot_->xAxis->range();
    const double at = (key - range.lower) / std::max(1e-12, range.size());
    const Qt::Alignment horizontal = at < 0.25 ? Qt::AlignLeft : at > 0.75 ? Qt::AlignRight : Qt::AlignHCenter;
    text->setPositionAlignment(horizontal | Qt::AlignBottom);
    // Lift the text off the dot.
    const int lift = static_cast<int>(fonts_.basePx * 0.5);
    text->setPadding(QMargins(lift / 2, 0, lift / 2, lift));
    text->setBrush(Qt::NoBrush);
}

void FigureFrame::layoutLegend() {
    QCPLegend* legend = plot_->legend;
    const int count = legend->itemCount();
    legend->setVisible(count > 0);
    if (count == 0) return;
    std::vector<double> widths;
    for (int i = 0; i < count; ++i) widths.push_back(legend->item(i)->minimumOuterSizeHint().width());
    const double available = size_.width() - fonts_.basePx * 1.8;
    const double spacing = legend->columnSpacing();
    // The most columns whose widest entries fit side by side: entries line
    // up in columns instead of wrapping raggedly.
    int columns = 1;
    for (int n = count; n >= 1; --n) {
        double total = spacing * (n - 1);
        for (int c = 0; c < n; ++c) {
            double widest = 0;
            for (int i = c; i < count; i += n) widest = std::max(widest, widths[static_cast<std::size_t>(i)]);
            total += widest;
        }
        if (total <= available) {
            columns = n;
            break;
        }
    }
    legend->setWrap(columns);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
}

FigureLayout FigureFrame::paint(QPainter& painter, const QRectF& rect) {
    layoutLegend();
    const int w = static_cast<int>(std::lround(size_.width()));
    const int h = static_cast<int>(std::lround(size_.height()));
    QPicture picture;
    {
        QCPPainter recorder(&picture);
        recorder.setRenderHint(QPainter::Antialiasing);
        recorder.setRenderHint(QPainter::TextAntialiasing);
        if (isVectorPainter(painter)) recorder.setMode(QCPPainter::pmVectorized);
        recorder.fillRect(QRectF(0, 0, w, h), Qt::white);
        plot_->toPainter(&recorder, w, h);
    }
    painter.save();
    painter.translate(rect.topLeft());
    painter.scale(rect.width() / w, rect.height() / h);
    // QPicture scales what it replays by the device's DPI over its own (a
    // 300 dpi PNG would get everything 3x): undone, so the figure fills rect.
    if (const QPaintDevice* device = painter.device(); device && device->logicalDpiX() > 0)
        painter.scale(double(picture.logicalDpiX()) / device->logicalDpiX(),
                      double(picture.logicalDpiY()) / device->logicalDpiY());
    painter.drawPicture(0, 0, picture);
    painter.restore();

    FigureLayout layout;
    layout.logicalSize = QSizeF(w, h);
    layout.title = titleText_;
    layout.subtitle = subtitleText_;
    layout.footnote = footnoteText_;
    layout.axisRect = plot_->axisRect()->rect();
    if (plot_->legend->visible()) layout.legendRect = plot_->legend->outerRect();
    layout.legendColumns = plot_->legend->visible() ? plot_->legend->columnCount() : 0;
    layout.referenceLabels = referenceLabels_;
    return layout;
}

}  // namespace report
