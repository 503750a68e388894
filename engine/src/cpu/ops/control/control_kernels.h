// Control flow: If, Loop and Scan run their bodies through the executor's
// SubgraphHost (cpu/subgraph.h), inside the run's memory mode.
#pragma once

#include <memory>

#include "cpu/kernel.h"

namespace interstage::cpu::control {

std::unique_ptr<Kernel> makeIfKernel();
std::unique_ptr<Kernel> makeLoopKernel();
std::unique_ptr<Kernel> makeScanKernel();
// Scan before opset 9 (a leading batch axis); makeScanKernel's kernel
// hands such nodes to it.
std::unique_ptr<Kernel> makeScanBatchedKernel();

}  // namespace interstage::cpu::control
