#include "report_tables.h"

#include <algorithm>
#include <numeric>

namespace report {

namespace {

bool breaksAfter(QChar c) {
    return c == ' ' || c == '/' || c == '_' || c == '.' || c == '-' || c == QChar(0x00B7) || c == ',' || c == ':' ||
           c == ';';
}

// The text cut after each separator, the separators kept on their piece.
QStringList piecesOf(const QString& text) {
    QStringList pieces;
    QString piece;
    for (QChar c : text) {
        piece += c;
        if (breaksAfter(c)) pieces << std::exchange(piece, {});
    }
    if (!piece.isEmpty()) pieces << piece;
    return pieces;
}

// Appends `piece` to the lines, starting new lines where it does not fit
// and breaking it between characters where it alone is too wide.
void place(QStringList& lines, QString& line, const QString& piece, const QFontMetricsF& fm, double width) {
    if (line.isEmpty() && piece.trimmed().isEmpty() && !lines.isEmpty()) return;  // no line starts with a space
    if (fm.horizontalAdvance(line + piece) <= width) {
        line += piece;
        return;
    }
    if (!line.isEmpty()) lines << std::exchange(line, {});
    for (QChar c : piece) {
        if (!line.isEmpty() && fm.horizontalAdvance(line + c) > width) lines << std::exchange(line, {});
        line += c;
    }
}

double widestPiece(const QString& text, const QFontMetricsF& fm) {
    double w = 0;
    for (const QString& p : piecesOf(text)) w = std::max(w, fm.horizontalAdvance(p.trimmed()));
    return w;
}

}  // namespace

QStringList wrapText(const QString& text, const QFontMetricsF& fm, double width) {
    QStringList lines;
    QString line;
    for (const QString& piece : piecesOf(text)) place(lines, line, piece, fm, width);
    if (!line.isEmpty() || lines.isEmpty()) lines << line;
    // A space that ended a line takes no room there.
    for (QString& l : lines)
        while (l.endsWith(' ')) l.chop(1);
    return lines;
}

std::vector<double> columnWidths(const TableSpec& table, const QFontMetricsF& body, const QFontMetricsF& header,
                                 double available, double padding) {
    const size_t n = size_t(table.header.size());
    std::vector<double> natural(n, 0), least(n, 0);
    for (size_t c = 0; c < n; ++c) {
        natural[c] = header.horizontalAdvance(table.header[int(c)]);
        least[c] = widestPiece(table.header[int(c)], header);
    }
    for (const QStringList& row : table.rows)
        for (size_t c = 0; c < n && c < size_t(row.size()); ++c) {
            natural[c] = std::max(natural[c], body.horizontalAdvance(row[int(c)]));
            const bool number = c < table.numeric.size() && table.numeric[c];
            least[c] =
                std::max(least[c], number ? body.horizontalAdvance(row[int(c)]) : widestPiece(row[int(c)], body));
        }
    const double room = available - 2 * padding * double(n);
    // A piece wider than a quarter of the table breaks between characters
    // rather than starving the other columns.
    for (double& l : least) l = std::min(l, room / 4);
    const double naturalSum = std::accumulate(natural.begin(), natural.end(), 0.0);
    std::vector<double> widths(n);
    if (naturalSum <= room) {
        // Everything fits unwrapped: the spare room goes to every column alike.
        for (size_t c = 0; c < n; ++c) widths[c] = natural[c] + (room - naturalSum) / double(n);
        return widths;
    }
    const double leastSum = std::accumulate(least.begin(), least.end(), 0.0);
    if (leastSum >= room) {
        for (size_t c = 0; c < n; ++c) widths[c] = least[c] * room / leastSum;
        return widths;
    }
    const double want = naturalSum - leastSum;
    for (size_t c = 0; c < n; ++c) widths[c] = least[c] + (room - leastSum) * (natural[c] - least[c]) / want;
    return widths;
}

ReportLayout::Cell measureCell(const QString& text, const QStringList& lines, const QFontMetricsF& fm, double width) {
    ReportLayout::Cell cell;
    cell.text = text;
    cell.cellWidth = width;
    cell.lines = int(lines.size());
    for (const QString& l : lines) cell.textWidth = std::max(cell.textWidth, fm.horizontalAdvance(l));
    return cell;
}

}  // namespace report
