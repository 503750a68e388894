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
    main_ = plot_->axisRect();
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
    main_->insetLayout()->take(legend);
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

void FigureFrame::padLegendItems() {
    // Room under the descenders: text replayed at another DPI may be a
    // hair taller than it was measured.
    const int pad = static_cast<int>(fonts_.basePx * 0.15);
    for (int i = 0; i < plot_->legend->itemCount(); ++i)
        plot_->legend->item(i)->setMargins(QMargins(pad, pad, pad, pad));
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

// Items belong to the data panel, whatever panels a figure adds.
void FigureFrame::attach(QCPAbstractItem* item) {
    item->setClipAxisRect(main_);
    for (QCPItemPosition* position : item->positions()) {
        position->setAxes(plot_->xAxis, plot_->yAxis);
        position->setAxisRect(main_);
    }
}

QCPItemText* FigureFrame::makeLabel(const QString& text, const QPen& pen) {
    auto* label = new QCPItemText(plot_.get());
    attach(label);
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
                                         bool below, bool insideData) {
    auto* line = new QCPItemLine(plot_.get());
    ++referenceLines_;
    attach(line);
    line->setPen(pen);
    for (QCPItemPosition* end : {line->start, line->end}) {
        end->setTypeX(QCPItemPosition::ptAxisRectRatio);
        end->setTypeY(QCPItemPosition::ptPlotCoords);
    }
    line->start->setCoords(0, value);
    line->end->setCoords(1, value);
    // Where the lines crowd (or a band is too thin for its name) the name
    // may rise above them, tied to its line by a leader.
    QCPItemLine* leader = makeLeader(pen);
    labels_.push_back({Label::Horizontal, makeLabel(label, pen), 0, value, side, below, insideData, leader});
}

void FigureFrame::addVerticalReference(double key, const QString& label, const QPen& pen) {
    auto* line = new QCPItemLine(plot_.get());
    ++referenceLines_;
    attach(line);
    line->setPen(pen);
    for (QCPItemPosition* end : {line->start, line->end}) {
        end->setTypeX(QCPItemPosition::ptPlotCoords);
        end->setTypeY(QCPItemPosition::ptAxisRectRatio);
    }
    line->start->setCoords(key, 0);
    line->end->setCoords(key, 1);
    labels_.push_back({Label::Vertical, makeLabel(label, pen), key, 0, Qt::AlignLeft, false});
}

QCPItemLine* FigureFrame::makeLeader(const QPen& pen) {
    auto* leader = new QCPItemLine(plot_.get());
    attach(leader);
    leader->setPen(QPen(pen.color(), std::max(1.0, pen.widthF() * 0.5)));
    leader->end->setType(QCPItemPosition::ptAbsolute);
    leader->setVisible(false);
    return leader;
}

void FigureFrame::addPointMarker(double key, double value, const QString& label, const QPen& pen) {
    QCPGraph* dot = plot_->addGraph();
    ++referenceLines_;
    dot->removeFromLegend();
    dot->setLineStyle(QCPGraph::lsNone);
    dot->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, pen.color(), pen.color(), fonts_.basePx * 0.5));
    dot->addData(key, value);
    QCPItemText* text = makeLabel(label, pen);
    QCPItemLine* leader = makeLeader(pen);
    leader->start->setCoords(key, value);
    labels_.push_back({Label::Point, text, key, value, Qt::AlignHCenter, false, false, leader});
}

void FigureFrame::layoutLegend() {
    QCPLegend* legend = plot_->legend;
    const int count = legend->itemCount();
    legend->setVisible(count > 0);
    padLegendItems();
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

namespace {

using Candidate = FigureFrame::Candidate;

QRectF rectAt(const Candidate& c, const QSizeF& size) {
    double x = c.anchor.x(), y = c.anchor.y();
    if (c.alignment.testFlag(Qt::AlignRight)) x -= size.width();
    if (c.alignment.testFlag(Qt::AlignHCenter)) x -= size.width() / 2;
    if (c.alignment.testFlag(Qt::AlignBottom)) y -= size.height();
    if (c.alignment.testFlag(Qt::AlignVCenter)) y -= size.height() / 2;
    return QRectF(QPointF(x, y), size);
}

// Area of `rect` over the lines drawn in the data panel.
double cost(const QRectF& rect, const std::vector<QRectF>& taken) {
    double c = 0;
    for (const QRectF& t : taken) {
        const QRectF overlap = rect.intersected(t);
        c += overlap.width() * overlap.height();
    }
    return c;
}

// Greedy word wrap: a name wider than the data panel goes on more lines.
QString wrapWords(const QString& text, const QFont& font, double width) {
    const QFontMetricsF metrics(font);
    QStringList lines;
    QString line;
    for (const QString& word : text.split(QLatin1Char(' '))) {
        const QString joined = line.isEmpty() ? word : line + QLatin1Char(' ') + word;
        if (!line.isEmpty() && metrics.horizontalAdvance(joined) > width) {
            lines << line;
            line = word;
        } else {
            line = joined;
        }
    }
    lines << line;
    return lines.join(QLatin1Char('\n'));
}

}  // namespace

void FigureFrame::setDataEnvelope(const QVector<double>& keys, const QVector<double>& values) {
    envelopeKeys_ = keys;
    envelopeValues_ = values;
}

void FigureFrame::addObstacleSteps(const QVector<double>& keys, const QVector<double>& values) {
    obstacleSteps_.push_back({keys, values});
}

std::vector<QRectF> FigureFrame::obstacleRects() const {
    std::vector<QRectF> rects;
    for (const auto& [keys, values] : obstacleSteps_) {
        for (qsizetype i = 0; i + 1 < keys.size(); ++i) {
            const double x0 = plot_->xAxis->coordToPixel(keys[i]), x1 = plot_->xAxis->coordToPixel(keys[i + 1]);
            if (x1 - x0 < 1) continue;  // runs under a pixel: the risers cover them
            rects.push_back(QRectF(x0, plot_->yAxis->coordToPixel(values[i]) - 2, x1 - x0, 4));
        }
    }
    return rects;
}

// Pixel area of `rect` below the highest data value within its x span.
double FigureFrame::dataCovered(const QRectF& rect) const {
    if (envelopeKeys_.isEmpty()) return 0;
    const double from = plot_->xAxis->pixelToCoord(rect.left()), to = plot_->xAxis->pixelToCoord(rect.right());
    double top = 0;
    for (qsizetype i = 0; i < envelopeKeys_.size(); ++i) {
        const double end = i + 1 < envelopeKeys_.size() ? envelopeKeys_[i + 1] : envelopeKeys_[i];
        if (end >= from && envelopeKeys_[i] <= to) top = std::max(top, envelopeValues_[i]);
    }
    const double yTop = plot_->yAxis->coordToPixel(top);
    return rect.width() * std::clamp(rect.bottom() - yTop, 0.0, rect.height());
}

std::vector<Candidate> FigureFrame::candidatesFor(const Label& label, const QSizeF& size) const {
    const QRectF area = main_->rect();
    const double gap = fonts_.basePx * 0.3;
    if (label.kind == Label::Horizontal) {
        const double y = plot_->yAxis->coordToPixel(label.value);
        const QPointF left(area.left() + gap, y), right(area.right() - gap, y), mid(area.center().x(), y);
        const Qt::Alignment first = label.below ? Qt::AlignTop : Qt::AlignBottom;
        const Qt::Alignment second = label.below ? Qt::AlignBottom : Qt::AlignTop;
        const bool preferRight = label.side.testFlag(Qt::AlignRight);
        const QPointF near = preferRight ? right : left, far = preferRight ? left : right;
        const Qt::Alignment nearSide = preferRight ? Qt::AlignRight : Qt::AlignLeft;
        const Qt::Alignment farSide = preferRight ? Qt::AlignLeft : Qt::AlignRight;
        std::vector<Candidate> candidates = {{near, nearSide | first},        {far, farSide | first},
                                             {near, nearSide | second},       {far, farSide | second},
                                             {mid, Qt::AlignHCenter | first}, {mid, Qt::AlignHCenter | second}};
        candidates.resize(kLeaderFrom, candidates.back());  // the first kLeaderFrom sit at the line
        for (int k = 1; label.leader && k <= 8; ++k) {
            const QPointF up(0, -2 * k * size.height());
            candidates.push_back({near + up, nearSide | Qt::AlignBottom, k});
            candidates.push_back({far + up, farSide | Qt::AlignBottom, k});
        }
        return candidates;
    }
    if (label.kind == Label::Vertical) {
        const double x = plot_->xAxis->coordToPixel(label.key);
        return {{QPointF(x + gap, area.top() + gap), Qt::AlignLeft | Qt::AlignTop},
                {QPointF(x - gap, area.top() + gap), Qt::AlignRight | Qt::AlignTop},
                {QPointF(x + gap, area.bottom() - gap), Qt::AlignLeft | Qt::AlignBottom},
                {QPointF(x - gap, area.bottom() - gap), Qt::AlignRight | Qt::AlignBottom}};
    }
    const QPointF at(plot_->xAxis->coordToPixel(label.key), plot_->yAxis->coordToPixel(label.value));
    const QPointF above = at - QPointF(0, gap * 2), under = at + QPointF(0, gap * 2);
    const QPointF right = at + QPointF(gap * 2, 0), left = at - QPointF(gap * 2, 0);
    const QPointF aboveRight = above + QPointF(gap, 0), aboveLeft = above - QPointF(gap, 0);
    std::vector<Candidate> candidates = {
        {above, Qt::AlignHCenter | Qt::AlignBottom},   {aboveRight, Qt::AlignLeft | Qt::AlignBottom},
        {aboveLeft, Qt::AlignRight | Qt::AlignBottom}, {right, Qt::AlignLeft | Qt::AlignVCenter},
        {left, Qt::AlignRight | Qt::AlignVCenter},     {under, Qt::AlignHCenter | Qt::AlignTop},
        {under, Qt::AlignLeft | Qt::AlignTop},         {under, Qt::AlignRight | Qt::AlignTop}};
    // Farther up, when the lines crowd the point (kLeaderFrom on: with a leader).
    for (int k = 1; k <= 4; ++k) {
        const QPointF higher = above - QPointF(0, k * size.height());
        for (Qt::Alignment side : {Qt::AlignHCenter, Qt::AlignLeft, Qt::AlignRight})
            candidates.push_back({higher, side | Qt::AlignBottom, k});
    }
    // And aside, for a point at the panel's edge with names above it.
    for (int k = 0; k <= 4; ++k) {
        for (int j = 1; j <= 3; ++j) {
            const QPointF shift(j * size.width() * 0.6, -k * size.height());
            candidates.push_back({above + shift, Qt::AlignLeft | Qt::AlignBottom, k + j});
            candidates.push_back({above - QPointF(shift.x(), -shift.y()), Qt::AlignRight | Qt::AlignBottom, k + j});
        }
    }
    return candidates;
}

// Each name at its cheapest place: a greedy pass (lines first, then
// points), then rounds that move each name again against all the others,
// so an early name can step aside for a later one.
void FigureFrame::placeLabels() {
    const QRectF area = main_->rect();
    struct Slot {
        const Label* label;
        QSizeF size;
        std::vector<Candidate> candidates;
        int chosen = -1;
        QRectF rect() const { return chosen < 0 ? QRectF() : rectAt(candidates[std::size_t(chosen)], size); }
    };
    std::vector<Slot> places;
    for (int pass = 0; pass < 2; ++pass) {
        for (const Label& l : labels_) {
            if ((l.kind == Label::Point) != (pass == 1)) continue;
            QCPItemText* item = l.item;
            // A line's name fits beside it: across the panel, or on the wider side of a vertical line.
            double room = area.width() * 0.9;
            if (l.kind == Label::Vertical) {
                const double x = plot_->xAxis->coordToPixel(l.key);
                room = std::max(x - area.left(), area.right() - x) - fonts_.basePx;
            }
            item->setText(wrapWords(item->text(), item->font(), room));
            const QMargins pad = item->padding();
            const QSizeF size =
                QFontMetricsF(item->font()).boundingRect(QRectF(0, 0, 1e6, 1e6), Qt::AlignLeft, item->text()).size() +
                QSizeF(pad.left() + pad.right(), pad.top() + pad.bottom());
            places.push_back({&l, size, candidatesFor(l, size)});
        }
    }
    // The other reference lines are obstacles too: a name across a line is hard to read.
    std::vector<QRectF> lines(places.size());
    for (std::size_t i = 0; i < places.size(); ++i) {
        const Label& l = *places[i].label;
        if (l.kind == Label::Horizontal)
            lines[i] = QRectF(area.left(), plot_->yAxis->coordToPixel(l.value) - 2, area.width(), 4);
        else if (l.kind == Label::Vertical)
            lines[i] = QRectF(plot_->xAxis->coordToPixel(l.key) - 2, area.top(), 4, area.height());
    }
    const std::vector<QRectF> steps = obstacleRects();
    auto choose = [&](std::size_t i) {
        std::vector<QRectF> others = steps, names;
        for (std::size_t j = 0; j < places.size(); ++j) {
            if (j != i && places[j].chosen >= 0) names.push_back(places[j].rect());
            if (j != i && !lines[j].isEmpty()) others.push_back(lines[j]);
        }
        double best = 1e300;
        for (std::size_t c = 0; c < places[i].candidates.size(); ++c) {
            const QRectF r = rectAt(places[i].candidates[c], places[i].size);
            // Covering data is bad, covering another name is worse.
            // A name kept inside its band may cover the band below its line, not data above it.
            const bool inBand =
                places[i].label->insideData && r.top() >= plot_->yAxis->coordToPixel(places[i].label->value) - 0.5;
            // Rising costs a little per level, and per line its leader crosses.
            const Candidate& at = places[i].candidates[c];
            double rise = 0;
            if (at.lift > 0) {
                const double y = plot_->yAxis->coordToPixel(places[i].label->value);  // the line's or point's
                const QRectF leader = QRectF(QPointF(at.anchor.x() - 1, at.anchor.y()), QPointF(at.anchor.x() + 1, y));
                int crossed = 0;
                for (std::size_t j = 0; j < lines.size(); ++j) crossed += j != i && leader.intersects(lines[j]) ? 1 : 0;
                rise = 0.25 * (at.lift + crossed) * r.width() * r.height();
            }
            // Two names must never touch: any overlap costs more than every other fault.
            double touching = 0;
            for (const QRectF& n : names) {
                const QRectF overlap = r.intersected(n);
                touching += overlap.isEmpty() ? 0 : 1e12 + 1e6 * overlap.width() * overlap.height();
            }
            // Outside the panel (clipped) is as bad.
            const QRectF inside = r.intersected(area);
            const double outside = r.width() * r.height() - inside.width() * inside.height();
            const double k = touching + (outside > 0.5 ? 1e12 : 0) + 1e6 * outside + 10 * cost(r, others) +
                             (inBand ? 0 : dataCovered(r)) + rise;
            if (k < best - 1e-9) {
                best = k;
                places[i].chosen = static_cast<int>(c);
            }
        }
    };
    for (int round = 0; round < 4; ++round)
        for (std::size_t i = 0; i < places.size(); ++i) choose(i);
    labelRects_.clear();
    for (const Slot& slot : places) {
        const Candidate& at = slot.candidates[std::size_t(slot.chosen)];
        if (slot.label->leader && slot.chosen >= kLeaderFrom) {
            // Lifted above the crowd: a leader from the point or line to its name.
            QCPItemLine* leader = slot.label->leader;
            if (slot.label->kind == Label::Horizontal) {
                const double x = at.anchor.x() + (at.alignment.testFlag(Qt::AlignRight) ? -1 : 1) * fonts_.basePx;
                leader->start->setType(QCPItemPosition::ptAbsolute);
                leader->start->setCoords(x, plot_->yAxis->coordToPixel(slot.label->value));
                leader->end->setCoords(x, at.anchor.y());
            } else {
                leader->end->setCoords(at.anchor);
            }
            leader->setVisible(true);
        }
        slot.label->item->position->setType(QCPItemPosition::ptAbsolute);
        slot.label->item->position->setCoords(at.anchor);
        slot.label->item->setPositionAlignment(at.alignment);
        labelRects_.push_back(slot.rect());
    }
}

FigureLayout FigureFrame::paint(QPainter& painter, const QRectF& rect) {
    layoutLegend();
    const int w = static_cast<int>(std::lround(size_.width()));
    const int h = static_cast<int>(std::lround(size_.height()));
    {
        // A layout pass: axis rect and axes' pixel mapping for placing the labels.
        QPicture scratch;
        QCPPainter layoutPainter(&scratch);
        plot_->toPainter(&layoutPainter, w, h);
    }
    placeLabels();
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
    layout.axisRect = main_->rect();
    if (plot_->legend->visible()) layout.legendRect = plot_->legend->outerRect();
    layout.legendColumns = plot_->legend->visible() ? plot_->legend->columnCount() : 0;
    for (int i = 0; i < plot_->legend->itemCount(); ++i)
        if (auto* item = qobject_cast<QCPPlottableLegendItem*>(plot_->legend->item(i)))
            layout.legendNames << item->plottable()->name();
    layout.referenceLabels = referenceLabels_;
    layout.referenceLines = referenceLines_;
    layout.labelRects = labelRects_;
    return layout;
}

}  // namespace report
