#include "report_pdf_page.h"

namespace report {

namespace {

QFont font(double points, bool bold = false, bool italic = false) {
    QFont f("DejaVu Sans");
    f.setPointSizeF(points);
    f.setBold(bold);
    f.setItalic(italic);
    // No ligatures: the PDF's text then holds "offset", not "o\ufb00set",
    // so names copy, search and extract as written.
    f.setStyleStrategy(QFont::PreferNoShaping);
    return f;
}

}  // namespace

PdfTheme PdfTheme::make(Style style) {
    PdfTheme t;
    t.title = font(24, true);
    t.subtitle = font(14);
    t.h1 = font(16, true);
    t.h2 = font(11.5, true);
    t.body = font(9.5);
    t.caption = font(8.5, false, true);
    // Tables carry long tensor names: 7.5 pt stays readable printed and
    // leaves room for the columns.
    t.table = font(7.5);
    t.tableHeader = font(7.5, true);
    t.small = font(7.5);
    const bool print = style == Style::Print;
    t.accent = print ? QColor(0, 0, 0) : QColor(31, 86, 160);
    t.rule = print ? QColor(90, 90, 90) : QColor(160, 170, 185);
    t.headerFill = print ? QColor(215, 215, 215) : QColor(222, 232, 246);
    t.stripeFill = print ? QColor(244, 244, 244) : QColor(246, 248, 252);
    t.text = QColor(20, 20, 20);
    t.muted = print ? QColor(60, 60, 60) : QColor(90, 98, 110);
    return t;
}

PageFlow::PageFlow(QPdfWriter& writer, double marginMm) : device_(&writer) {
    const double w = writer.width(), h = writer.height();
    // QPdfWriter's width and height already exclude its own margins (0 here);
    // the header and footer sit inside ours.
    content_ = QRectF(mm(marginMm), mm(marginMm + 6), w - 2 * mm(marginMm), h - 2 * mm(marginMm + 6));
    newPage();
}

double PageFlow::mm(double millimetres) const { return millimetres * device_->logicalDpiX() / 25.4; }

void PageFlow::newPage() {
    pages_.emplace_back();
    y_ = content_.top();
}

void PageFlow::ensure(double height) {
    if (height > room() && y_ > content_.top()) newPage();
}

void PageFlow::add(double height, Step step) {
    pages_.back().push_back(std::move(step));
    y_ += height;
}

}  // namespace report
