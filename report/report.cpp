#include "report.h"

#include "report_document.h"
#include "report_html.h"
#include "report_pdf.h"

namespace report {

bool writeReport(const QString& path, const interstage::SavedSession& session, const ReportOptions& options,
                 QString* error, ReportLayout* layout) {
    const QString suffix = path.section('.', -1).toLower();
    if (suffix != "pdf" && suffix != "html" && suffix != "htm") {
        if (error) *error = QString("'%1': a report is written as .pdf or .html").arg(path);
        return false;
    }
    if (layout) *layout = ReportLayout{};
    const ReportDocument doc = buildReportDocument(session, options);
    return suffix == "pdf" ? writeReportPdf(path, doc, session, error, layout)
                           : writeReportHtml(path, doc, session, error, layout);
}

}  // namespace report
