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

double RunSetResult::firstMs() const { return runs.empty() ? 0 : runs.front()->ms; }

double RunSetResult::steadyMedianMs() const {
    if (runs.size() < 2) return firstMs();
    std::vector<double> ms;
    for (size_t i = 1; i < runs.size(); ++i) ms.push_back(runs[i]->ms);
    std::sort(ms.begin(), ms.end());
    return ms[(ms.size() - 1) / 2];
}

std::size_t RunSetResult::peakTrackedBytes() const {
    std::size_t peak = 0;
    for (const auto& r : runs) peak = std::max(peak, r->peakTrackedBytes);
    return peak;
}

std::size_t RunSetResult::peakRssBytes() const {
    std::size_t peak = 0;
    for (const auto& r : runs) peak = std::max(peak, r->peakRssBytes);
    return peak;
}

}  // namespace appcore
