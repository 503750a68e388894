#include "model/load_budget.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "interstage/format.h"

namespace interstage {
namespace {

namespace fs = std::filesystem;

// A tensor's external bytes when they lie in their file (stat only);
// 0 for anything the decoder will refuse on its own.
uint64_t externalBytesInFile(const onnx::TensorProto& init, const TensorDecodeContext& context) {
    auto header = decodeTensorHeader(init, context, "initializer '" + init.name() + "'");
    if (!header.ok()) return 0;
    const auto count = elementCount(header->shape);
    if (!count) return 0;
    const uint64_t bytes = static_cast<uint64_t>(*count) * dataTypeSize(header->dtype);
    uint64_t offset = 0;
    for (const auto& entry : init.external_data())
        if (entry.key() == "offset") offset = std::strtoull(entry.value().c_str(), nullptr, 10);
    const std::string location = externalDataLocation(init);
    if (location.empty()) return 0;
    std::error_code ec;
    const uint64_t fileSize =
        fs::file_size(fs::path(context.directory.empty() ? "." : context.directory) / location, ec);
    if (ec || offset > fileSize || bytes > fileSize - offset) return 0;
    return bytes;
}

void addExternalBytes(const onnx::GraphProto& graph, const TensorDecodeContext& context, uint64_t& total) {
    for (const auto& init : graph.initializer())
        if (usesExternalData(init)) total += externalBytesInFile(init, context);
    for (const auto& node : graph.node())
        for (const auto& attr : node.attribute()) {
            if (attr.has_g()) addExternalBytes(attr.g(), context, total);
            for (const auto& body : attr.graphs()) addExternalBytes(body, context, total);
        }
}

std::string budgetDescription(const MemoryBudget& budget) {
    return "the memory budget of " + formatBytes(double(budget.bytes)) + " (" + budget.source + ")";
}

}  // namespace

MemoryBudget loadBudget(const LoadOptions& options) {
    return resolveMemoryBudget(options.maxMemoryBytes, options.automaticBudget);
}

Status checkModelFileFits(const std::string& path, uint64_t fileBytes, const MemoryBudget& budget) {
    if (budget.bytes == 0 || fileBytes <= budget.bytes) return Status::ok();
    return Status(StatusCode::OutOfMemory, "'" + path + "' is " + formatBytes(double(fileBytes)) + " (" +
                                               std::to_string(fileBytes) + " bytes), more than " +
                                               budgetDescription(budget) +
                                               "; it was not read. Free memory or set a budget with --max-memory");
}

std::string externalWeightsRefusal(const onnx::GraphProto& graph, const TensorDecodeContext& context,
                                   uint64_t fileBytes, const MemoryBudget& budget) {
    if (budget.bytes == 0) return "";
    uint64_t external = 0;
    addExternalBytes(graph, context, external);
    if (external == 0 || fileBytes + external <= budget.bytes) return "";
    return "the external weights total " + formatBytes(double(external)) + " (" + std::to_string(external) +
           " bytes); with the model file's " + formatBytes(double(fileBytes)) + " that is more than " +
           budgetDescription(budget) + "; they were not read. Free memory or set a budget with --max-memory";
}

}  // namespace interstage
