#include "core/run_types.h"

#include <algorithm>

namespace appcore {

QString RunConfig::label() const {
    QString text = QString::fromStdString(mode.name());
    if (!fusion) text += " · no fusion";
    if (!memoryAwareOrder) text += " · file order";
    if (!inPlace) text += " · no in-place writes";
    text += " · " +
            (threads > 0 ? QString::number(threads) + (threads == 1 ? " thread" : " threads") : QString("all cores"));
    text += " · " + backend;
    return text;
}

interstage::RunSetSummary RunSetResult::summary() const {
    std::vector<const interstage::RunStats*> list;
    for (const auto& r : runs) list.push_back(r.get());
    return interstage::summarizeRuns(list);
}

double RunSetResult::firstMs() const { return summary().firstMs; }
double RunSetResult::steadyMedianMs() const { return summary().steadyMedianMs; }
std::size_t RunSetResult::peakTrackedBytes() const { return summary().peakTrackedBytes; }
std::size_t RunSetResult::peakRssBytes() const { return summary().peakRssBytes; }

}  // namespace appcore
