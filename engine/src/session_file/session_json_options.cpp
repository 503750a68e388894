// A run set's configuration: the session options (the observer pointer
// aside), the input shapes, the budget and typed input values.
#include "interstage/dtype.h"
#include "interstage/memory.h"
#include "session_file/base64.h"
#include "session_file/session_json.h"

namespace interstage::session_json {
namespace {

constexpr std::int64_t kMaxDim = std::int64_t(1) << 40;  // as kMaxElements: larger is a corrupt file

Shape shapeFromJson(const Field& field) {
    const Json& dims = field.array();
    if (dims.size() > 64) field.fail("has " + std::to_string(dims.size()) + " dims (at most 64)");
    Shape shape(dims.size());
    for (std::size_t i = 0; i < shape.size(); ++i) shape[i] = field.at(i).integer(0, kMaxDim);
    return shape;
}

OrderedJson modeToJson(const MemoryMode& mode) {
    // The planner by the name --mode takes; the constant flags apart.
    MemoryMode planner;
    planner.planner = mode.planner;
    return {{"planner", planner.name()},
            {"reduce_constant", mode.reduceConstant},
            {"ignore_input_with_initializer", mode.ignoreInputWithInitializer}};
}

MemoryMode modeFromJson(const Field& field) {
    const Field plannerField = field["planner"];
    const std::string name = plannerField.string();
    auto parsed = MemoryMode::parse(name);
    if (!parsed.ok() || parsed->reduceConstant || parsed->ignoreInputWithInitializer)
        plannerField.fail("is '" + name + "', not a planner (default, reduce, reuse, reduce+reuse, arena)");
    MemoryMode mode;
    mode.planner = parsed->planner;
    mode.reduceConstant = field["reduce_constant"].boolean();
    mode.ignoreInputWithInitializer = field["ignore_input_with_initializer"].boolean();
    return mode;
}

OrderedJson shapeOptionsToJson(const ShapeOptions& o) {
    return {{"default_batch", o.defaultBatch},
            {"default_dim", o.defaultDim},
            {"max_fold_elements", o.maxFoldElements},
            {"max_input_value_elements", o.maxInputValueElements},
            {"keep_going", o.keepGoing}};
}

ShapeOptions shapeOptionsFromJson(const Field& field) {
    ShapeOptions o;
    o.defaultBatch = field["default_batch"].integer(0, kMaxDim);
    o.defaultDim = field["default_dim"].integer(0, kMaxDim);
    o.maxFoldElements = field["max_fold_elements"].integer(0, kMaxDim);
    o.maxInputValueElements = field["max_input_value_elements"].integer(0, kMaxDim);
    o.keepGoing = field["keep_going"].boolean();
    return o;
}

}  // namespace

std::vector<std::string> stringsFromJson(const Field& field) {
    std::vector<std::string> strings(field.array().size());
    for (std::size_t i = 0; i < strings.size(); ++i) strings[i] = field.at(i).string();
    return strings;
}

OrderedJson inputShapesToJson(const InputShapes& shapes) {
    OrderedJson out = OrderedJson::object();
    for (const auto& [name, shape] : shapes) out[name] = shape;
    return out;
}

InputShapes inputShapesFromJson(const Field& field) {
    InputShapes shapes;
    for (const auto& [name, dims] : field.object().items())
        shapes[name] = shapeFromJson(Field{dims, field.path + "." + name});
    return shapes;
}

OrderedJson optionsToJson(const SessionOptions& o) {
    return {{"backend", o.backend},
            {"threads", o.threads},
            {"input_shapes", inputShapesToJson(o.inputShapes)},
            {"shape_options", shapeOptionsToJson(o.shapeOptions)},
            {"mode", modeToJson(o.mode)},
            {"fusion", o.fusion},
            {"in_place_concat", o.inPlaceConcat},
            {"in_place_ops", o.inPlaceOps},
            {"blocked_layout", o.blockedLayout},
            {"memory_aware_order", o.memoryAwareOrder},
            {"keep", o.keep},
            {"max_memory_bytes", o.maxMemoryBytes},
            {"automatic_budget", o.automaticBudget},
            {"gpu_fp16", o.gpuFp16}};
}

SessionOptions optionsFromJson(const Field& field) {
    SessionOptions o;
    o.backend = field["backend"].string();
    o.threads = field["threads"].int32(0, 1 << 20);
    o.inputShapes = inputShapesFromJson(field["input_shapes"]);
    o.shapeOptions = shapeOptionsFromJson(field["shape_options"]);
    o.mode = modeFromJson(field["mode"]);
    o.fusion = field["fusion"].boolean();
    o.inPlaceConcat = field["in_place_concat"].boolean();
    o.inPlaceOps = field["in_place_ops"].boolean();
    o.blockedLayout = field["blocked_layout"].boolean();
    o.memoryAwareOrder = field["memory_aware_order"].boolean();
    o.keep = stringsFromJson(field["keep"]);
    o.maxMemoryBytes = field["max_memory_bytes"].bytes();
    o.automaticBudget = field["automatic_budget"].boolean();
    // Files written before fp16 storage have no such field: float32.
    if (field.has("gpu_fp16")) o.gpuFp16 = field["gpu_fp16"].boolean();
    return o;
}

OrderedJson budgetToJson(const MemoryBudget& b) {
    return {{"bytes", b.bytes}, {"source", b.source}, {"automatic", b.automatic}};
}

MemoryBudget budgetFromJson(const Field& field) {
    return {field["bytes"].bytes(), field["source"].string(), field["automatic"].boolean()};
}

OrderedJson tensorToJson(const TensorData& t) {
    OrderedJson out = {{"dtype", static_cast<int>(t.dtype)}, {"shape", t.shape}};
    if (t.dtype == DataType::String)
        out["strings"] = t.strings;
    else
        out["data"] = base64Encode(t.bytes);
    return out;
}

TensorData tensorFromJson(const Field& field) {
    TensorData t;
    const Field dtype = field["dtype"];
    const int code = dtype.int32();
    if (!isKnownDataType(code) || code == 0)
        dtype.fail("is " + std::to_string(code) + ", not an ONNX element type (1..16)");
    t.dtype = static_cast<DataType>(code);
    t.shape = shapeFromJson(field["shape"]);
    const auto count = elementCount(t.shape);
    if (!count) field["shape"].fail("has more than 2^40 elements");
    if (t.dtype == DataType::String) {
        t.strings = stringsFromJson(field["strings"]);
        if (static_cast<std::int64_t>(t.strings.size()) != *count)
            field["strings"].fail("holds " + std::to_string(t.strings.size()) + " strings for " +
                                  std::to_string(*count) + " elements");
        return t;
    }
    const Field data = field["data"];
    auto bytes = base64Decode(data.string());
    if (!bytes) data.fail("is not base64");
    const std::uint64_t expected = static_cast<std::uint64_t>(*count) * dataTypeSize(t.dtype);
    if (bytes->size() != expected)
        data.fail("holds " + std::to_string(bytes->size()) + " bytes; " + dataTypeName(t.dtype) + " " +
                  shapeToString(t.shape) + " needs " + std::to_string(expected));
    t.bytes = std::move(*bytes);
    return t;
}

}  // namespace interstage::session_json
