// The report's sections after the cover, one builder each
// (report_document.cpp puts them in order).
#pragma once

#include "report_document.h"

namespace report {

QString setTitle(const interstage::SavedSession& session, int set);
std::size_t planPeakOf(const interstage::SavedRunSet& set);

void addModelFactRows(TableSpec& table, const interstage::SavedSession& session);
TableSpec opsHistogramTable(const interstage::SavedSession& session);
Section configurationSection(const interstage::SavedSession& session, int set, Style style);
Section timingsSection(const interstage::SavedSession& session, Style style);
bool isSeedModel(const interstage::SavedSession& session);
Section seedSection(const interstage::SavedSession& session);
Section nodeTimesSection(const interstage::SavedSession& session);
Section plansSection(const interstage::SavedSession& session);
Section graphSection(const interstage::SavedSession& session, Style style);

}  // namespace report
