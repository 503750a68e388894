#include "interstage/memory.h"

namespace interstage {

std::string MemoryMode::name() const {
    std::string base;
    if (arena)
        base = "arena";
    else if (reduceInterstage && reuseInterstage)
        base = "reduce+reuse";
    else if (reduceInterstage)
        base = "reduce";
    else if (reuseInterstage)
        base = "reuse";
    else
        base = "default";
    if (reduceConstant) base += "+reduce-constant";
    return base;
}

Result<MemoryMode> MemoryMode::parse(const std::string& text) {
    MemoryMode mode;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('+', start);
        if (end == std::string::npos) end = text.size();
        const std::string part = text.substr(start, end - start);
        if (part == "default") {
        } else if (part == "reduce")
            mode.reduceInterstage = true;
        else if (part == "reuse")
            mode.reuseInterstage = true;
        else if (part == "arena")
            mode.arena = true;
        else if (part == "reduce-constant")
            mode.reduceConstant = true;
        else if (part == "ignore-input-initializer")
            mode.ignoreInputWithInitializer = true;
        else
            return invalidArgument("unknown memory mode '" + part +
                                   "' (modes: default, reduce, reuse, reduce+reuse, arena; add +reduce-constant)");
        start = end + 1;
    }
    if (mode.arena && (mode.reduceInterstage || mode.reuseInterstage))
        return invalidArgument("the arena mode plans every tensor itself; it does not combine with reduce or reuse");
    return mode;
}

MemoryMode memoryMode(bool reduceConstant, bool ignoreInputWithInitializer, bool reduceInterstage,
                      bool reuseInterstage) {
    MemoryMode mode;
    mode.reduceConstant = reduceConstant;
    mode.ignoreInputWithInitializer = ignoreInputWithInitializer;
    mode.reduceInterstage = reduceInterstage;
    mode.reuseInterstage = reuseInterstage;
    return mode;
}

const char* memoryCategoryName(MemoryCategory category) {
    switch (category) {
        case MemoryCategory::Weights:
            return "weights";
        case MemoryCategory::Interstage:
            return "interstage";
        case MemoryCategory::Workspace:
            return "workspace";
        case MemoryCategory::Input:
            return "input";
        case MemoryCategory::Output:
            return "output";
        case MemoryCategory::Staging:
            return "staging";
    }
    return "unknown";
}

}  // namespace interstage
