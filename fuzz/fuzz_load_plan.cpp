// libFuzzer target: each input through fuzzing::checkModelBytes
// (fuzz/fuzz_checks.h). A crash, a sanitizer report, or a broken invariant
// (printed, then a trap) is a finding; any error Status is a correct
// answer to bad input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    const interstage::fuzzing::Finding finding = interstage::fuzzing::checkModelBytes(bytes);
    if (!finding.broken.empty()) {
        std::fprintf(stderr, "broken invariant: %s\n", finding.broken.c_str());
        __builtin_trap();
    }
    return 0;
}
