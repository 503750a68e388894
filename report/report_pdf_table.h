// A table on PDF pages: wrapped cells, stripes, the header row again at
// the top of every page the table continues on.
#pragma once

#include "report_pdf_page.h"

namespace report {

void flowTable(PageFlow& flow, const PdfTheme& theme, const TableSpec& table, ReportLayout* layout);

// Lines of text wrapped to `width` and drawn from the current y.
void flowText(PageFlow& flow, const QFont& font, const QColor& colour, const QString& text, double width,
              double indent = 0);

}  // namespace report
