// The zoo's architectures, one file each; zoo.cpp serializes them.
#pragma once

#include "net_builder.h"

namespace interstage::zoo {

// size: the input's height and width (320 in the zoo; "u2netp-1024" asks for 1024).
// size 0: height and width are dynamic ("height", "width"; 320 unless the
// caller sets them); otherwise fixed at size x size.
NetBuilder makeU2netp(int64_t size = 0);
// U^2-Net-P with every Conv dynamically quantized (net_builder_dynq.cpp).
NetBuilder makeU2netpDynq();
NetBuilder makeResnet();
NetBuilder makeMobilenetV2();
NetBuilder makeInception();
// zoo_transformer.cpp: a BERT-like encoder and a ViT-style classifier.
NetBuilder makeTransformerEncoder();
NetBuilder makeVit();
// zoo_blazeface.cpp: an SSD face detector on depthwise 5x5 blocks.
NetBuilder makeBlazeface();

// Graph-view stress models: not in zooModels() (see interstage/zoo.h).
NetBuilder makeDensenet();
NetBuilder makeDeepEncoder();

}  // namespace interstage::zoo
