// The report as A4 portrait PDF pages: a cover, the contents with page
// numbers, each section from a new page, tables that wrap their cells and
// repeat their header on every page, figures drawn as vectors, a running
// header and "page 3 of 12" on every page.
#pragma once

#include <QString>

#include "report_document.h"

namespace report {

bool writeReportPdf(const QString& path, const ReportDocument& document, const interstage::SavedSession& session,
                    QString* error, ReportLayout* layout);

}  // namespace report
