#include "report_pdf_table.h"

#include "report_tables.h"

namespace report {

namespace {

struct Row {
    std::vector<QStringList> lines;  // per cell
    double height = 0;
};

struct TableGeometry {
    std::vector<double> widths;  // inside the padding
    double padding = 0, lineHeight = 0;
};

Row wrapRow(const QStringList& cells, const TableGeometry& g, const QFontMetricsF& fm, ReportLayout* layout) {
    Row row;
    size_t most = 1;
    for (size_t c = 0; c < g.widths.size(); ++c) {
        const QString text = c < size_t(cells.size()) ? cells[int(c)] : QString();
        row.lines.push_back(wrapText(text, fm, g.widths[c]));
        most = std::max(most, size_t(row.lines.back().size()));
        if (layout) layout->cells.push_back(measureCell(text, row.lines.back(), fm, g.widths[c]));
    }
    row.height = double(most) * g.lineHeight + 2 * g.padding * 0.6;
    return row;
}

void drawRow(QPainter& p, const Row& row, const TableGeometry& g, const std::vector<bool>& numeric, QPointF at) {
    double x = at.x();
    for (size_t c = 0; c < row.lines.size(); ++c) {
        const bool right = c < numeric.size() && numeric[c];
        double y = at.y() + g.padding * 0.6;
        for (const QString& line : row.lines[c]) {
            const QRectF box(x + g.padding, y, g.widths[c], g.lineHeight);
            p.drawText(box, (right ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter, line);
            y += g.lineHeight;
        }
        x += g.widths[c] + 2 * g.padding;
    }
}

// One row as a drawing step: its fill, text and rule.
void addRow(PageFlow& flow, const PdfTheme& theme, const Row& row, const TableGeometry& g,
            const std::vector<bool>& numeric, bool header, bool stripe, bool last = false) {
    const QRectF box(flow.left(), flow.y(), flow.width(), row.height);
    const double rule = header ? flow.mm(0.3) : flow.mm(0.2);
    flow.add(row.height, [box, row, g, numeric, header, stripe, last, rule, &theme](QPainter& p) {
        if (header || stripe) p.fillRect(box, header ? theme.headerFill : theme.stripeFill);
        p.setFont(header ? theme.tableHeader : theme.table);
        p.setPen(theme.text);
        drawRow(p, row, g, numeric, box.topLeft());
        // Stripes part the body rows; a rule under the header and the last row.
        if (header || last) {
            p.setPen(QPen(theme.rule, rule));
            p.drawLine(box.bottomLeft(), box.bottomRight());
        }
    });
}

}  // namespace

void flowText(PageFlow& flow, const QFont& font, const QColor& colour, const QString& text, double width,
              double indent) {
    const QFontMetricsF fm(font, flow.device());
    for (const QString& line : wrapText(text, fm, width)) {
        flow.ensure(fm.lineSpacing());
        const QPointF at(flow.left() + indent, flow.y() + fm.ascent());
        flow.add(fm.lineSpacing(), [font, colour, at, line](QPainter& p) {
            p.setFont(font);
            p.setPen(colour);
            p.drawText(at, line);
        });
    }
}

void flowTable(PageFlow& flow, const PdfTheme& theme, const TableSpec& table, ReportLayout* layout) {
    const QFontMetricsF fm(theme.table, flow.device()), hfm(theme.tableHeader, flow.device());
    TableGeometry g;
    g.padding = flow.mm(1.2);
    g.lineHeight = fm.lineSpacing();
    g.widths = columnWidths(table, fm, hfm, flow.width(), g.padding);
    const Row header = wrapRow(table.header, g, hfm, layout);
    const QFontMetricsF cfm(theme.caption, flow.device());
    // The caption, the header and a first row stay together.
    flow.ensure(cfm.lineSpacing() * 1.5 + header.height * 2.5);
    if (!table.caption.isEmpty()) {
        flowText(flow, theme.caption, theme.muted, table.caption, flow.width());
        flow.skip(cfm.lineSpacing() * 0.3);
    }
    addRow(flow, theme, header, g, table.numeric, true, false);
    for (size_t r = 0; r < table.rows.size(); ++r) {
        const Row row = wrapRow(table.rows[r], g, fm, layout);
        if (row.height > flow.room()) {
            flow.newPage();
            addRow(flow, theme, header, g, table.numeric, true, false);
        }
        addRow(flow, theme, row, g, table.numeric, false, r % 2 == 1, r + 1 == table.rows.size());
    }
    if (!table.key.isEmpty()) {
        flow.skip(cfm.lineSpacing() * 0.3);
        flowText(flow, theme.small, theme.muted, "Key: " + table.key, flow.width());
    }
    flow.skip(cfm.lineSpacing());
}

}  // namespace report
