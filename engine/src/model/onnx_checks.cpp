#include "model/onnx_checks.h"

#include <onnx/defs/schema.h>

#include <climits>

namespace interstage {
namespace {

std::string typeName(onnx::AttributeProto::AttributeType type) {
    const std::string& name = onnx::AttributeProto_AttributeType_Name(type);
    return name.empty() ? std::to_string(static_cast<int>(type)) : name;
}

const onnx::OpSchema* findSchema(const std::string& opType, const std::string& domain, int64_t opset) {
    const int version = opset > 0 && opset < INT_MAX ? static_cast<int>(opset) : INT_MAX;
    return onnx::OpSchemaRegistry::Schema(opType, version, domain);
}

}  // namespace

Status checkOpsetImports(const onnx::ModelProto& model) {
    // Files before IR version 3 predate opset_import and mean opset 1; from
    // version 3 on ONNX requires it (ONNX Runtime refuses such files too),
    // and guessing opset 1 would give old semantics to every op.
    if (model.opset_import_size() == 0 && model.ir_version() >= 3)
        return invalidModel("the model (IR version " + std::to_string(model.ir_version()) +
                            ") has no opset_import: from IR version 3 on, ONNX requires a file to name the "
                            "opsets it uses");
    for (const auto& opset : model.opset_import()) {
        if (!opset.domain().empty() && opset.domain() != "ai.onnx") continue;
        if (opset.version() < 1 || opset.version() > kMaxDefaultOpset)
            return unsupported("the model imports default-domain opset " + std::to_string(opset.version()) +
                               "; the engine knows opsets 1 to " + std::to_string(kMaxDefaultOpset));
    }
    return Status::ok();
}

Status checkAttributeTypes(const onnx::GraphProto& graph, int64_t opset) {
    for (int i = 0; i < graph.node_size(); ++i) {
        const auto& node = graph.node(i);
        if (!node.domain().empty() && node.domain() != "ai.onnx") continue;
        const onnx::OpSchema* schema = findSchema(node.op_type(), "", opset);
        if (!schema) continue;  // unknown ops are named later, where shapes or kernels need them
        for (const auto& attr : node.attribute()) {
            if (!attr.has_type() || attr.type() == onnx::AttributeProto::UNDEFINED) continue;
            auto it = schema->attributes().find(attr.name());
            if (it == schema->attributes().end() || it->second.type == attr.type()) continue;
            const std::string name = node.name().empty() ? node.op_type() + "_" + std::to_string(i) : node.name();
            return invalidModel("node '" + name + "' (" + node.op_type() + "): attribute '" + attr.name() +
                                "' must be " + typeName(it->second.type) + ", but the file gives " +
                                typeName(attr.type()));
        }
    }
    return Status::ok();
}

bool onnxDefinesOp(const std::string& opType, const std::string& domain, int64_t opset) {
    return findSchema(opType, domain, opset) != nullptr;
}

}  // namespace interstage
