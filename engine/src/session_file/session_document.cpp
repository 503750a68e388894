// The session document: format tag and version first, the model's
// identity, the run sets, the app's view state. Reading checks the tag and
// the version before anything else, so a newer file says so instead of
// failing on a field this build does not know.
#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "interstage/session_file.h"
#include "session_file/session_json.h"

namespace interstage {
namespace {

using session_json::Field;
using session_json::FieldError;
using session_json::Json;
using session_json::OrderedJson;

constexpr const char* kFormatTag = "interstage-session";
// Nesting deeper than this is no session file (ours nests 7 levels; the
// app's view state a few more). Checked before parsing so that a hostile
// "[[[[..." never reaches a recursive walk.
constexpr int kMaxNesting = 64;

// The optional export facts, written only when known so that a file
// without them reads back the same.
void addSetFactsToJson(const SavedRunSet& set, OrderedJson& json) {
    if (!set.executedNodeOps.empty()) json["executed_node_ops"] = set.executedNodeOps;
    if (!set.executedValueNames.empty()) json["executed_value_names"] = set.executedValueNames;
    if (!set.planTensors.empty()) json["plan_tensors"] = session_json::planTensorsToJson(set.planTensors);
    if (set.peak.peakStep >= 0) json["peak"] = session_json::peakToJson(set.peak);
}

void setFactsFromJson(const Field& field, SavedRunSet& set) {
    if (field.has("executed_node_ops")) {
        set.executedNodeOps = session_json::stringsFromJson(field["executed_node_ops"]);
        if (set.executedNodeOps.size() != set.executedNodeNames.size())
            field["executed_node_ops"].fail("has " + std::to_string(set.executedNodeOps.size()) +
                                            " entries, executed_node_names " +
                                            std::to_string(set.executedNodeNames.size()));
    }
    if (field.has("executed_value_names"))
        set.executedValueNames = session_json::stringsFromJson(field["executed_value_names"]);
    if (field.has("plan_tensors")) {
        set.planTensors = session_json::planTensorsFromJson(field["plan_tensors"]);
        if (set.planTensors.size() != set.memoryMap.size())
            field["plan_tensors"].fail("has " + std::to_string(set.planTensors.size()) + " rows, memory_map " +
                                       std::to_string(set.memoryMap.size()));
    }
    if (field.has("peak")) set.peak = session_json::peakFromJson(field["peak"]);
}

OrderedJson runSetToJson(const SavedRunSet& set) {
    OrderedJson inputs = OrderedJson::object();
    for (const auto& [name, value] : set.inputs) inputs[name] = session_json::tensorToJson(value);
    OrderedJson runs = OrderedJson::array();
    for (const RunStats& r : set.runs) runs.push_back(session_json::runStatsToJson(r));
    OrderedJson json = {{"set_id", set.setId},
                        {"label", set.label},
                        {"options", session_json::optionsToJson(set.options)},
                        {"runs_requested", set.runsRequested},
                        {"inputs", std::move(inputs)},
                        {"budget", session_json::budgetToJson(set.budget)},
                        {"lower_bound_bytes", set.lowerBoundBytes},
                        {"executed_lower_bound_bytes", set.executedLowerBoundBytes},
                        {"aliased_lower_bound_bytes", set.aliasedLowerBoundBytes},
                        {"weight_bytes", set.weightBytes},
                        {"planned_peak_bytes", set.plannedPeakBytes},
                        {"error", set.error},
                        {"cancelled", set.cancelled},
                        {"executed_node_names", set.executedNodeNames},
                        {"memory_map", session_json::placementsToJson(set.memoryMap)},
                        {"runs", std::move(runs)}};
    addSetFactsToJson(set, json);
    return json;
}

SavedRunSet runSetFromJson(const Field& field) {
    SavedRunSet set;
    set.setId = field["set_id"].int32();
    set.label = field["label"].string();
    set.options = session_json::optionsFromJson(field["options"]);
    set.runsRequested = field["runs_requested"].int32(0, 1 << 30);
    const Field inputs = field["inputs"];
    for (const auto& [name, value] : inputs.object().items())
        set.inputs[name] = session_json::tensorFromJson(Field{value, inputs.path + "." + name});
    set.budget = session_json::budgetFromJson(field["budget"]);
    set.lowerBoundBytes = field["lower_bound_bytes"].bytes();
    set.executedLowerBoundBytes = field["executed_lower_bound_bytes"].bytes();
    // Files written before the bound existed lack it: 0, "not known".
    if (field.has("aliased_lower_bound_bytes")) set.aliasedLowerBoundBytes = field["aliased_lower_bound_bytes"].bytes();
    set.weightBytes = field["weight_bytes"].bytes();
    set.plannedPeakBytes = field["planned_peak_bytes"].bytes();
    set.error = field["error"].string();
    set.cancelled = field["cancelled"].boolean();
    set.executedNodeNames = session_json::stringsFromJson(field["executed_node_names"]);
    set.memoryMap = session_json::placementsFromJson(field["memory_map"]);
    const Field runs = field["runs"];
    set.runs.reserve(runs.array().size());
    for (std::size_t i = 0; i < runs.json.size(); ++i) set.runs.push_back(session_json::runStatsFromJson(runs.at(i)));
    setFactsFromJson(field, set);
    return set;
}

ModelIdentity modelFromJson(const Field& field) {
    ModelIdentity model{field["path"].string(), field["bytes"].bytes(), field["sha256"].string()};
    bool hex = model.sha256.size() == 64;
    for (char c : model.sha256) hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (!hex && !model.sha256.empty()) field["sha256"].fail("must be 64 lowercase hex digits (or empty)");
    return model;
}

// The deepest nesting of arrays and objects, strings skipped.
int nestingDepth(std::string_view text) {
    int depth = 0, deepest = 0;
    bool inString = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
            if (deepest > kMaxNesting) return deepest;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return deepest;
}

Result<SavedSession> documentFromJson(const Json& doc, const std::string& what) {
    const Field root{doc, ""};
    if (!doc.is_object() || !doc.contains("format") || doc["format"] != kFormatTag)
        return invalidModel(what + " is not an Interstage session file (no \"format\": \"" + kFormatTag + "\")");
    const Field version = root["version"];
    const std::int64_t v = version.integer(1, std::numeric_limits<int>::max());
    if (v > kSessionFormatVersion)
        return unsupported(what + " was written by a newer Interstage (session format " + std::to_string(v) +
                           "); this build reads format " + std::to_string(kSessionFormatVersion) +
                           " — update Interstage");
    SavedSession session;
    session.formatVersion = static_cast<int>(v);
    session.writer = root["writer"].string();
    session.savedAt = root["saved_at"].string();
    session.model = modelFromJson(root["model"]);
    session.inputShapes = session_json::inputShapesFromJson(root["input_shapes"]);
    if (root.has("model_facts")) session.facts = session_json::modelFactsFromJson(root["model_facts"]);
    const Field sets = root["run_sets"];
    session.runSets.reserve(sets.array().size());
    for (std::size_t i = 0; i < sets.json.size(); ++i) session.runSets.push_back(runSetFromJson(sets.at(i)));
    if (root.has("view_state")) {
        const Field view = root["view_state"];
        if (view.json.is_object())
            session.viewState = view.json.dump();
        else if (view.json.is_string())
            session.viewState = view.string();
        else if (!view.json.is_null())
            view.fail("must be an object");
    }
    return session;
}

}  // namespace

std::string sessionToJson(const SavedSession& session) {
    OrderedJson sets = OrderedJson::array();
    for (const SavedRunSet& set : session.runSets) sets.push_back(runSetToJson(set));
    OrderedJson doc = {
        {"format", kFormatTag},
        {"version", kSessionFormatVersion},
        {"writer", session.writer},
        {"saved_at", session.savedAt},
        {"model", {{"path", session.model.path}, {"bytes", session.model.bytes}, {"sha256", session.model.sha256}}},
        {"input_shapes", session_json::inputShapesToJson(session.inputShapes)}};
    if (session.facts.present) doc["model_facts"] = session_json::modelFactsToJson(session.facts);
    doc["run_sets"] = std::move(sets);
    // The app's view state is JSON already: kept as an object so that the
    // file stays one readable document; text that is not JSON is kept as
    // a string rather than lost.
    if (!session.viewState.empty()) {
        // Nested deeper than a reader accepts (a hostile string read from
        // a file): kept as text, never walked by dump().
        OrderedJson view = nestingDepth(session.viewState) > kMaxNesting - 2
                               ? OrderedJson()
                               : OrderedJson::parse(session.viewState, nullptr, false);
        if (view.is_object())
            doc["view_state"] = std::move(view);
        else
            doc["view_state"] = session.viewState;
    }
    // Invalid UTF-8 in a name read from a model would make dump() throw:
    // replaced, never thrown.
    return doc.dump(-1, ' ', false, OrderedJson::error_handler_t::replace) + "\n";
}

namespace session_file_detail {

// sessionFromJson with the file's name in messages ("'run.interstage'").
Result<SavedSession> parseSession(std::string_view text, const std::string& what) {
    const int depth = nestingDepth(text);
    if (depth > kMaxNesting)
        return invalidModel(what + " is not an Interstage session file: arrays or objects nested more than " +
                            std::to_string(kMaxNesting) + " deep");
    Json doc;
    try {
        doc = Json::parse(text.begin(), text.end());
    } catch (const Json::exception& e) {
        // "[json.exception.parse_error.101] parse error at line 1, ...",
        // "[json.exception.out_of_range.406] number overflow parsing
        // '1e400'": the part after the tag.
        std::string detail = e.what();
        const auto at = detail.find("] ");
        if (at != std::string::npos) detail = detail.substr(at + 2);
        // Tell a damaged session file from some other file: ours start
        // with the format tag.
        const auto tag = text.find(std::string("\"") + kFormatTag + "\"");
        if (tag != std::string_view::npos && tag < 64)
            return invalidModel(what + " is a damaged or truncated Interstage session file (" + detail + ")");
        return invalidModel(what + " is not an Interstage session file (not JSON: " + detail + ")");
    } catch (const std::exception& e) {
        return invalidModel(what + " could not be read: " + e.what());
    }
    try {
        return documentFromJson(doc, what);
    } catch (const FieldError& e) {
        return invalidModel(what + " is a damaged Interstage session file: " + e.message);
    } catch (const std::exception& e) {
        return invalidModel(what + " is a damaged Interstage session file: " + e.what());
    }
}

}  // namespace session_file_detail

Result<SavedSession> sessionFromJson(std::string_view text) {
    return session_file_detail::parseSession(text, "the text");
}

}  // namespace interstage
