// The zoo's architectures, one file each; zoo.cpp serializes them.
#pragma once

#include "net_builder.h"

namespace interstage::zoo {

NetBuilder makeU2netp();
NetBuilder makeResnet();
NetBuilder makeMobilenetV2();
NetBuilder makeInception();

}  // namespace interstage::zoo
