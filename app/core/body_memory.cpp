#include "core/body_memory.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

namespace appcore {

QString bodyValueLabel(const std::vector<interstage::BodyValue>& table, int bodyValue, int iteration) {
    QString label;
    if (bodyValue >= 0 && static_cast<size_t>(bodyValue) < table.size()) {
        const interstage::BodyValue& v = table[static_cast<size_t>(bodyValue)];
        label = QStringLiteral("%1 in %2").arg(QString::fromStdString(v.name), QString::fromStdString(v.body));
    } else {
        label = QStringLiteral("body value #%1").arg(bodyValue);
    }
    if (iteration >= 0) label += QStringLiteral(", iteration %1").arg(iteration);
    return label;
}

std::vector<BodyBlock> bodyBlocks(const interstage::RunStats& stats) {
    std::map<int, int> laneOf;                      // body value -> lane
    std::map<std::pair<int, int>, size_t> blockOf;  // (body value, iteration) -> index in blocks
    std::map<int, int> lastIteration;               // body value -> highest iteration seen
    std::vector<BodyBlock> blocks;
    for (const interstage::MemoryEvent& e : stats.events) {
        if (e.bodyValue < 0 || e.bytes <= 0 || e.iteration < 0 || e.iteration >= kMaxBodyIterations) continue;
        const auto lane = laneOf.try_emplace(e.bodyValue, static_cast<int>(laneOf.size())).first->second;
        auto [it, fresh] = blockOf.try_emplace({e.bodyValue, e.iteration}, blocks.size());
        if (fresh)
            blocks.push_back(
                {bodyValueLabel(stats.bodyValues, e.bodyValue, e.iteration), e.node, e.iteration, 1, lane, 0});
        BodyBlock& block = blocks[it->second];
        block.bytes = std::max(block.bytes, static_cast<std::size_t>(e.bytes));
        int& last = lastIteration[e.bodyValue];
        last = std::max(last, e.iteration);
    }
    // A body's iterations share its node's step: the widest iteration
    // count among the values of one body sets the slices.
    std::map<std::string, int> iterationsOfBody;
    auto bodyOf = [&stats](int value) {
        return static_cast<size_t>(value) < stats.bodyValues.size() ? stats.bodyValues[static_cast<size_t>(value)].body
                                                                    : std::string();
    };
    for (const auto& [value, last] : lastIteration) {
        const std::string body = bodyOf(value);
        int& n = iterationsOfBody[body];
        n = std::max(n, last + 1);
    }
    for (auto& [key, index] : blockOf) blocks[index].iterations = iterationsOfBody[bodyOf(key.first)];
    return blocks;
}

}  // namespace appcore
