// The PDF report's page flow: content is laid out once into pages of
// drawing steps, then painted, so that the contents page and "page X of N"
// can use page numbers known only at the end of the layout.
#pragma once

#include <QColor>
#include <QFont>
#include <QFontMetricsF>
#include <QPainter>
#include <QPdfWriter>
#include <functional>
#include <vector>

#include "report_document.h"

namespace report {

// Fonts and colours of one style, in the writer's device units.
struct PdfTheme {
    QFont title, subtitle, h1, h2, body, caption, table, tableHeader, small;
    QColor accent, rule, headerFill, stripeFill, text, muted;
    static PdfTheme make(Style style);
};

class PageFlow {
public:
    using Step = std::function<void(QPainter&)>;
    PageFlow(QPdfWriter& writer, double marginMm);

    QPaintDevice* device() const { return device_; }
    double mm(double millimetres) const;
    double width() const { return content_.width(); }
    double left() const { return content_.left(); }
    double y() const { return y_; }
    double room() const { return content_.bottom() - y_; }
    double pageHeight() const { return content_.height(); }
    int page() const { return int(pages_.size()); }  // 1-based, the page being filled
    const QRectF& content() const { return content_; }

    void newPage();
    // Starts a new page unless `height` fits below y on this one.
    void ensure(double height);
    // Adds a step drawing at the current y and moves y down by `height`.
    void add(double height, Step step);
    void skip(double height) { y_ += height; }

    const std::vector<std::vector<Step>>& pages() const { return pages_; }

private:
    QPaintDevice* device_;
    QRectF content_;
    double y_ = 0;
    std::vector<std::vector<Step>> pages_;
};

}  // namespace report
