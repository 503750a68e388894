// The zoo's architectures, one file each; zoo.cpp serializes them.
#pragma once

#include "net_builder.h"

namespace interstage::zoo {

NetBuilder makeU2netp();
// U^2-Net-P with every Conv dynamically quantized (net_builder_dynq.cpp).
NetBuilder makeU2netpDynq();
NetBuilder makeResnet();
NetBuilder makeMobilenetV2();
NetBuilder makeInception();

// Graph-view stress models: not in zooModels() (see interstage/zoo.h).
NetBuilder makeDensenet();
NetBuilder makeTransformer();

}  // namespace interstage::zoo
