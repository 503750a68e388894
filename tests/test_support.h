// Helpers shared by the test suites: paths, temporary model files.
#pragma once

#include <QString>
#include <QTemporaryDir>
#include <string>

#include "interstage/builder.h"
#include "interstage/model.h"
#include "interstage/tensor.h"

namespace testsupport {

// Folder of the real models fetched by the set-up (models/ in the source tree).
std::string modelsDir();
// The U^2-Net-P sample: models/u2netp.onnx, built by the zoo when missing.
std::string sampleModelPath();
// True when the file exists; the test QSKIPs otherwise, naming the set-up step.
bool fileExists(const std::string& path);

// Writes bytes to dir/name and returns the path.
std::string writeFile(const QTemporaryDir& dir, const std::string& name, const std::string& bytes);

// The model a builder describes, loaded; a graph that does not load ends
// the test (qFatal, with the loader's message).
interstage::Model builtModel(const interstage::GraphBuilder& builder);

// True when two float tensors have one shape and every element agrees
// within 1e-5 + 1e-4 |b| (a fused path against the plain one); otherwise
// `why` names the first element that differs.
bool closeFloats(const interstage::TensorData& a, const interstage::TensorData& b, QString& why);

// An inference BatchNormalization node `name` over `channels` channels of
// x, with statistics a trained net might have (scale around 1, shift and
// mean around 0, variance in [0.5, 1.5]), seeded by channels and name.
std::string batchNormalization(interstage::GraphBuilder& b, const std::string& x, int64_t channels,
                               const std::string& name);

// Three 3x3 Convs on 1x16x256x256 whose tensors are 4 to 16 MiB: big enough
// for conv row stripes and for reduce mode's huge-page blocks.
interstage::Model bigConvChain();

// A tiny float graph: input x [1,4] -> Relu -> Sigmoid -> output y.
interstage::GraphBuilder tinyChain();
// x [1,4,8,8] -> Relu (relu) -> Erf (erf) -> Sigmoid -> y: Erf has a CPU
// kernel and no Vulkan shader, so on Vulkan it is the CPU-fallback node.
interstage::GraphBuilder chainWithoutVulkanShader();

// Control flow for the graph view: x [1,4], c [1] -> Relu (pre) -> If
// (choose) whose then_branch runs Relu and Add on pre (read from outside)
// and whose else_branch is a chain of `elseNodes` Neg (else_neg0, ...);
// pre also goes through a Loop (repeat, 3 trips) whose body holds an If
// (inner: Sigmoid or Tanh of the carried s); Add (post) joins both.
interstage::GraphBuilder controlFlowModel(int elseNodes = 3);

}  // namespace testsupport
