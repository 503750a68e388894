// libFuzzer target: each input read as a saved session
// (interstage/session_file.h). Any error Status is a correct answer to bad
// input; a crash, a sanitizer report, an escaped exception or a session
// that does not survive being written and read again is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "interstage/session_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto read = interstage::sessionFromJson(text);
    if (!read.ok()) {
        if (read.status().message().empty()) {
            std::fprintf(stderr, "broken invariant: an error without a message\n");
            __builtin_trap();
        }
        return 0;
    }
    // What reads must write and read back: the app saves what it opened.
    const std::string written = interstage::sessionToJson(read.value());
    auto again = interstage::sessionFromJson(written);
    if (!again.ok()) {
        std::fprintf(stderr, "broken invariant: a session read, written again, does not read: %s\n",
                     again.status().toString().c_str());
        __builtin_trap();
    }
    if (interstage::sessionToJson(again.value()) != written) {
        std::fprintf(stderr, "broken invariant: writing a session twice gives two texts\n");
        __builtin_trap();
    }
    return 0;
}
