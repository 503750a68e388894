// Checked reading of a session document: every accessor names the field's
// path ("run_sets[1].runs[0].events[17][3]") when the value is missing, of
// the wrong type or out of range. A failure throws FieldError, which
// sessionFromJson turns into a Status: the exception never leaves the
// engine, and the checks stay one line per field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace interstage::session_json {

using Json = nlohmann::json;
// The writer keeps insertion order so that "format" comes first (the
// sniffing in looksLikeSessionFile reads it there).
using OrderedJson = nlohmann::ordered_json;

struct FieldError {
    std::string message;
};

// Largest byte count a file may give (1 EiB): beyond it sums in the app
// could overflow; no machine has such memory.
constexpr std::uint64_t kMaxBytes = std::uint64_t(1) << 60;

// A value inside the document and its path, for messages.
struct Field {
    const Json& json;
    std::string path;

    // The member `key` of this object (the object itself checked first).
    Field operator[](const char* key) const;
    // True when this is an object holding `key` (optional fields).
    bool has(const char* key) const;
    // Element i of this array (its size checked by the caller's loop).
    Field at(std::size_t i) const;

    const Json& object() const;
    // An array; `columns` > 0: exactly that many elements (a row).
    const Json& array(std::size_t columns = 0) const;
    std::string string() const;
    bool boolean() const;   // true/false, or 0/1 in compact rows
    double number() const;  // null reads as NaN (the writer's NaN)
    std::int64_t integer(std::int64_t lowest, std::int64_t highest) const;
    int int32() const;  // any int
    int int32(int lowest, int highest) const;
    std::size_t bytes() const;         // 0 .. kMaxBytes
    std::int64_t signedBytes() const;  // -kMaxBytes .. kMaxBytes

    [[noreturn]] void fail(const std::string& what) const;
};

}  // namespace interstage::session_json
