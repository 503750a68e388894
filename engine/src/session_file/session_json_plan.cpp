// The memory map: one row per placed tensor.
#include "session_file/session_json.h"

namespace interstage::session_json {

// [name, first, last, bytes, buffer, offset, kept, channel_block,
//  moved_at, moved_buffer, moved_offset, per_run_buffer]
OrderedJson placementsToJson(const std::vector<TensorPlacement>& map) {
    OrderedJson rows = OrderedJson::array();
    for (const TensorPlacement& p : map)
        rows.push_back({p.name, p.first, p.last, p.bytes, p.buffer, p.offset, p.kept ? 1 : 0, p.channelBlock, p.movedAt,
                        p.movedBuffer, p.movedOffset, p.perRunBuffer ? 1 : 0});
    return rows;
}

std::vector<TensorPlacement> placementsFromJson(const Field& field) {
    std::vector<TensorPlacement> map(field.array().size());
    for (std::size_t i = 0; i < map.size(); ++i) {
        const Field row = field.at(i);
        row.array(12);
        TensorPlacement& p = map[i];
        p.name = row.at(0).string();
        p.first = row.at(1).int32();
        p.last = row.at(2).int32();
        p.bytes = row.at(3).bytes();
        p.buffer = row.at(4).int32();
        p.offset = row.at(5).bytes();
        p.kept = row.at(6).boolean();
        p.channelBlock = row.at(7).int32(0, 1 << 16);
        p.movedAt = row.at(8).int32();
        p.movedBuffer = row.at(9).int32();
        p.movedOffset = row.at(10).bytes();
        p.perRunBuffer = row.at(11).boolean();
    }
    return map;
}

}  // namespace interstage::session_json
