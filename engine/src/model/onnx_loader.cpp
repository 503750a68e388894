// Reading an ONNX file: size checks, protobuf parsing with explicit limits,
// model-level checks, then the graph conversion.
#include <fcntl.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string_view>
#include <system_error>

#include "interstage/model.h"
#include "model/graph_convert.h"
#include "model/load_budget.h"
#include "model/onnx_checks.h"
#include "model/onnx_source.h"

namespace interstage {
namespace {

namespace fs = std::filesystem;

// Payloads above this are dropped from the copy kept for shape inference:
// ONNX's inference only reads small shape-like tensors.
constexpr size_t kKeepPayloadBytes = 4096;

void dropLargePayloads(onnx::TensorProto& tensor) {
    if (tensor.raw_data().size() > kKeepPayloadBytes) tensor.clear_raw_data();
    if (tensor.float_data_size() * 4 > static_cast<int>(kKeepPayloadBytes)) tensor.clear_float_data();
    if (tensor.int32_data_size() * 4 > static_cast<int>(kKeepPayloadBytes)) tensor.clear_int32_data();
    if (tensor.int64_data_size() * 8 > static_cast<int>(kKeepPayloadBytes)) tensor.clear_int64_data();
    if (tensor.double_data_size() * 8 > static_cast<int>(kKeepPayloadBytes)) tensor.clear_double_data();
}

// Protobuf's default nesting limit (subgraphs in attributes count), and a
// deeper one used only to explain a failure.
constexpr int kProtobufDepth = 100;
constexpr int kDiagnosticDepth = 1000;

bool parse(std::string_view bytes, int depth, onnx::ModelProto& proto) {
    google::protobuf::io::ArrayInputStream raw(bytes.data(), static_cast<int>(bytes.size()));
    google::protobuf::io::CodedInputStream coded(&raw);
    coded.SetTotalBytesLimit(INT_MAX);
    coded.SetRecursionLimit(depth);
    return proto.ParseFromCodedStream(&coded) && coded.ConsumedEntireMessage();
}

std::shared_ptr<const OnnxSource> keepSource(onnx::ModelProto&& model) {
    auto source = std::make_shared<OnnxSource>();
    source->model = std::move(model);
    auto* graph = source->model.mutable_graph();
    for (auto& init : *graph->mutable_initializer()) dropLargePayloads(init);
    for (auto& node : *graph->mutable_node())
        for (auto& attr : *node.mutable_attribute())
            if (attr.has_t()) dropLargePayloads(*attr.mutable_t());
    return source;
}

// The file's bytes, mapped read-only from the page cache: parsing reads
// them in place, where reading into a string would first zero and fault in
// a copy of the whole file (a third of densenet121's load) and hold it
// beside the parsed weights. Empty (valid() false) where the file cannot
// be mapped; the caller then reads it.
class MappedFile {
public:
    MappedFile(const std::string& path, std::size_t size) : size_(size) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0 || size == 0) {
            if (fd >= 0) ::close(fd);
            return;
        }
        void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        ::close(fd);  // the mapping keeps the file
        if (p != MAP_FAILED) data_ = p;
    }
    ~MappedFile() {
        if (data_) munmap(data_, size_);
    }
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    bool valid() const { return data_ != nullptr; }
    std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }

private:
    void* data_ = nullptr;
    std::size_t size_;
};

Result<Model> loadModelFromView(std::string_view bytes, const std::string& directory, const LoadOptions& options);

}  // namespace

Result<Model> loadModelFromBytes(const std::string& bytes, const std::string& directory, const LoadOptions& options) {
    return loadModelFromView(bytes, directory, options);
}

namespace {

Result<Model> loadModelFromView(std::string_view bytes, const std::string& directory, const LoadOptions& options) {
    if (bytes.empty()) return invalidModel("the file is empty, not an ONNX model");
    if (bytes.size() > static_cast<size_t>(INT_MAX))
        return unsupported("the model is " + std::to_string(bytes.size()) +
                           " bytes; protobuf files over 2 GiB must keep their weights as external data");

    onnx::ModelProto proto;
    if (!parse(bytes, kProtobufDepth, proto)) {
        // Parsing again with a deeper limit tells nesting from corruption;
        // the limit stays finite so a hostile file cannot exhaust the stack.
        onnx::ModelProto deeper;
        if (parse(bytes, kDiagnosticDepth, deeper))
            return invalidModel("the protobuf data could not be parsed: messages are nested too deeply (more than " +
                                std::to_string(kProtobufDepth) + " levels, e.g. subgraphs inside subgraphs)");
        return invalidModel("not an ONNX model, or a truncated one: the protobuf data could not be parsed");
    }
    if (!proto.has_graph()) return invalidModel("not an ONNX model: the file parses as protobuf but holds no graph");
    if (proto.ir_version() <= 0)
        return invalidModel("not an ONNX model: ir_version is missing or invalid (" +
                            std::to_string(proto.ir_version()) + ")");

    IS_RETURN_IF_ERROR(checkOpsetImports(proto));

    Model model;
    model.directory = directory;
    model.irVersion = proto.ir_version();
    model.producerName = proto.producer_name();
    model.producerVersion = proto.producer_version();
    model.domain = proto.domain();

    TensorDecodeContext context{directory, &options, ""};
    // External weights that cannot fit are refused before any is read.
    context.externalRefusal = externalWeightsRefusal(proto.graph(), context, bytes.size(), loadBudget(options));
    if (!context.externalRefusal.empty() && !options.weightsOptional)
        return Status(StatusCode::OutOfMemory, context.externalRefusal);
    int64_t defaultOpset = proto.opset_import_size() == 0 ? 1 : 0;
    for (const auto& opset : proto.opset_import())
        if (opset.domain().empty() || opset.domain() == "ai.onnx") defaultOpset = opset.version();
    IS_RETURN_IF_ERROR(checkAttributeTypes(proto.graph(), defaultOpset));
    std::map<std::string, int64_t> opsets;
    for (const auto& opset : proto.opset_import()) {
        std::string domain = opset.domain() == "ai.onnx" ? "" : opset.domain();
        opsets[domain] = opset.version();
    }
    // IR version 1-2 files predate opset_import and mean opset 1.
    if (proto.opset_import_size() == 0) opsets[""] = 1;
    auto graph = convertGraph(proto.graph(), context, opsets);
    if (!graph.ok()) return graph.status();
    model.graph = graph.take();
    model.graph.source = keepSource(std::move(proto));
    return model;
}

}  // namespace

Result<Model> loadModel(const std::string& path, const LoadOptions& options) {
    std::error_code ec;
    const fs::path file(path);
    auto status = fs::status(file, ec);
    if (ec || !fs::exists(status))
        return Status(StatusCode::NotFound, "cannot open model '" + path + "': no such file");
    if (fs::is_directory(status)) return invalidArgument("cannot open model '" + path + "': it is a directory");
    const uintmax_t size = fs::file_size(file, ec);
    if (ec) return Status(StatusCode::IoError, "cannot read the size of '" + path + "': " + ec.message());
    if (size > options.maxFileBytes)
        return invalidModel("'" + path + "' is " + std::to_string(size) + " bytes, more than the limit of " +
                            std::to_string(options.maxFileBytes));
    IS_RETURN_IF_ERROR(checkModelFileFits(path, size, loadBudget(options)));

    std::string directory = file.parent_path().string();
    if (directory.empty()) directory = ".";
    const MappedFile mapped(path, static_cast<size_t>(size));
    std::string bytes;
    if (!mapped.valid()) {
        std::ifstream in(file, std::ios::binary);
        if (!in) return Status(StatusCode::IoError, "cannot open model '" + path + "': " + std::strerror(errno));
        bytes.assign(static_cast<size_t>(size), '\0');
        if (size > 0) in.read(bytes.data(), static_cast<std::streamsize>(size));
        if (!in) return Status(StatusCode::IoError, "reading '" + path + "' failed");
    }
    auto model = loadModelFromView(mapped.valid() ? mapped.bytes() : std::string_view(bytes), directory, options);
    if (!model.ok()) return Status(model.status().code(), "'" + path + "': " + model.status().message());
    model->path = path;
    return model;
}

}  // namespace interstage
