// Table cells for the page: text wraps inside its column, never cut, and
// columns share the width by what their text needs. Used by the PDF layout
// and, with the same fonts, to measure the HTML's cells.
#pragma once

#include <QFontMetricsF>
#include <QString>
#include <QStringList>
#include <vector>

#include "report_document.h"

namespace report {

// Lines no wider than `width`: breaks after spaces and the separators of
// tensor and node names (/ _ . - · ,), and between characters where one
// piece is wider than the column (long names without separators).
QStringList wrapText(const QString& text, const QFontMetricsF& metrics, double width);

// The room inside each column (padding excluded) for a table `available`
// wide with `padding` on each side of a cell's text. Numbers keep their
// natural width; text columns share the rest by what they would need
// unwrapped.
std::vector<double> columnWidths(const TableSpec& table, const QFontMetricsF& body, const QFontMetricsF& header,
                                 double available, double padding);

// A cell as laid out: its lines and the widest one, for ReportLayout.
ReportLayout::Cell measureCell(const QString& text, const QStringList& lines, const QFontMetricsF& metrics,
                               double width);

}  // namespace report
