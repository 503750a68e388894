#include "interstage/memory.h"

namespace interstage {

namespace {

const char* plannerName(PlannerKind planner) {
    switch (planner) {
        case PlannerKind::Default:
            return "default";
        case PlannerKind::Reduce:
            return "reduce";
        case PlannerKind::Reuse:
            return "reuse";
        case PlannerKind::ReduceReuse:
            return "reduce+reuse";
        case PlannerKind::Arena:
            return "arena";
    }
    return "default";
}

}  // namespace

std::string MemoryMode::name() const {
    std::string base = plannerName(planner);
    if (reduceConstant) base += "+reduce-constant";
    if (ignoreInputWithInitializer) base += "+ignore-input-initializer";
    return base;
}

std::string MemoryMode::whyReleased() const {
    switch (planner) {
        case PlannerKind::Default:
            return "is kept by this mode";
        case PlannerKind::Reduce:
            return "was freed after its last use";
        case PlannerKind::Reuse:
        case PlannerKind::ReduceReuse:
            return "shares its buffer with other tensors of the same size";
        case PlannerKind::Arena:
            return "shares the arena with tensors planned at the same offsets";
    }
    return "";
}

PlannerKind plannerForSdkFlags(bool reduceInterstage, bool reuseInterstage) {
    if (reduceInterstage && reuseInterstage) return PlannerKind::ReduceReuse;
    if (reduceInterstage) return PlannerKind::Reduce;
    if (reuseInterstage) return PlannerKind::Reuse;
    return PlannerKind::Default;
}

Result<MemoryMode> MemoryMode::parse(const std::string& text) {
    MemoryMode mode;
    bool reduce = false, reuse = false, arena = false;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('+', start);
        if (end == std::string::npos) end = text.size();
        const std::string part = text.substr(start, end - start);
        if (part == "reduce") {
            reduce = true;
        } else if (part == "reuse") {
            reuse = true;
        } else if (part == "arena") {
            arena = true;
        } else if (part == "reduce-constant") {
            mode.reduceConstant = true;
        } else if (part == "ignore-input-initializer") {
            mode.ignoreInputWithInitializer = true;
        } else if (part != "default") {
            return invalidArgument("unknown memory mode '" + part +
                                   "' (modes: default, reduce, reuse, reduce+reuse, arena; add +reduce-constant, "
                                   "+ignore-input-initializer)");
        }
        start = end + 1;
    }
    if (arena && (reduce || reuse))
        return invalidArgument("the arena mode plans every tensor itself; it does not combine with reduce or reuse");
    mode.planner = arena ? PlannerKind::Arena : plannerForSdkFlags(reduce, reuse);
    return mode;
}

MemoryMode memoryMode(bool reduceConstant, bool ignoreInputWithInitializer, bool reduceInterstage,
                      bool reuseInterstage) {
    MemoryMode mode;
    mode.reduceConstant = reduceConstant;
    mode.ignoreInputWithInitializer = ignoreInputWithInitializer;
    mode.planner = plannerForSdkFlags(reduceInterstage, reuseInterstage);
    return mode;
}

const std::vector<MemoryPreset>& memoryPresets() {
    static const std::vector<MemoryPreset> presets = [] {
        std::vector<MemoryPreset> list;
        for (PlannerKind kind : {PlannerKind::Default, PlannerKind::Reduce, PlannerKind::Reuse,
                                 PlannerKind::ReduceReuse, PlannerKind::Arena}) {
            MemoryMode mode;
            mode.planner = kind;
            mode.reduceConstant = true;
            mode.ignoreInputWithInitializer = true;
            list.push_back({plannerName(kind), mode});
        }
        return list;
    }();
    return presets;
}

const MemoryPreset* presetOf(const MemoryMode& mode) {
    for (const MemoryPreset& preset : memoryPresets())
        if (preset.mode == mode) return &preset;
    return nullptr;
}

std::string sdkFlags(const MemoryMode& mode) {
    auto letter = [](bool on) { return on ? std::string("T") : std::string("F"); };
    std::string flags = letter(mode.reduceConstant) + "," + letter(mode.ignoreInputWithInitializer) + ",";
    if (mode.planner == PlannerKind::Arena) return flags + "arena";
    return flags + letter(mode.reduceInterstage()) + "," + letter(mode.reuseInterstage());
}

std::string modeLabel(const MemoryMode& mode) {
    const MemoryPreset* preset = presetOf(mode);
    return preset ? std::string(preset->name) + " (" + sdkFlags(mode) + ")" : mode.name();
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
