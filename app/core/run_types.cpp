#include "core/run_types.h"

#include <algorithm>

namespace appcore {

QString RunConfig::label() const {
    const interstage::SessionOptions& s = session;
    QString text = QString::fromStdString(interstage::modeLabel(s.mode));
    if (!s.fusion) text += " · no fusion";
    if (!s.memoryAwareOrder) text += " · file order";
    if (!s.inPlaceConcat && !s.inPlaceOps) text += " · no in-place writes";
    if (!s.blockedLayout) text += " · NCHW only";
    if (s.gpuFp16) text += " · fp16 storage";
    text += " · " + (s.threads > 0 ? QString::number(s.threads) + (s.threads == 1 ? " thread" : " threads")
                                   : QString("all cores"));
    text += " · " + backend();
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
