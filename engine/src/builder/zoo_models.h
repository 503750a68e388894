// The zoo's architectures, one file each; zoo.cpp serializes them.
#pragma once

#include "net_builder.h"

namespace interstage::zoo {

// size: the input's height and width (320 in the zoo; "u2netp-1024" asks for 1024).
NetBuilder makeU2netp(int64_t size = 320);
NetBuilder makeResnet();
NetBuilder makeMobilenetV2();
NetBuilder makeInception();

// Graph-view stress models: not in zooModels() (see interstage/zoo.h).
NetBuilder makeDensenet();
NetBuilder makeTransformer();

}  // namespace interstage::zoo
