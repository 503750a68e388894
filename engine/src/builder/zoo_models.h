// The zoo's architectures, one file each; zoo.cpp serializes them.
#pragma once

#include "net_builder.h"

namespace interstage::zoo {

NetBuilder makeU2netp();
NetBuilder makeResnet();
NetBuilder makeMobilenetV2();
NetBuilder makeInception();

// Graph-view stress models: not in zooModels() (see interstage/zoo.h).
NetBuilder makeDensenet();
NetBuilder makeTransformer();

}  // namespace interstage::zoo
