// Resize and Upsample reduced to per-axis tables: for every output
// coordinate of an axis, which input coordinates it reads (1 tap for
// nearest, 2 for linear, 4 for cubic) and with which weights. The tables
// are built once (at prepare when scales / sizes are known, else per run)
// so the kernels' inner loops only load and multiply.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "interstage/shape.h"
#include "interstage/status.h"

namespace interstage::cpu::tensor {

enum class ResizeMode { Nearest, Linear, Cubic };
enum class CoordinateMode { HalfPixel, PytorchHalfPixel, AlignCorners, Asymmetric, TfHalfPixelForNn, TfCropAndResize };
// Legacy is Resize-10 / Upsample: truncate when upsampling, ceil when
// downsampling, as ONNX Runtime does for those opsets.
enum class NearestMode { RoundPreferFloor, RoundPreferCeil, Floor, Ceil, Legacy };
enum class AspectPolicy { Stretch, NotLarger, NotSmaller };

struct ResizeAttributes {
    ResizeMode mode = ResizeMode::Nearest;
    CoordinateMode coordinates = CoordinateMode::HalfPixel;
    NearestMode nearest = NearestMode::RoundPreferFloor;
    double cubicA = -0.75;
    bool excludeOutside = false;
    float extrapolation = 0.0f;
    AspectPolicy aspect = AspectPolicy::Stretch;
    std::vector<int64_t> axes;  // opset 18; normalized, empty for all axes
};

// Parse the attribute strings; false for values the spec does not define.
bool parseResizeMode(const std::string& text, ResizeMode& mode);
bool parseCoordinateMode(const std::string& text, CoordinateMode& mode);
bool parseNearestMode(const std::string& text, NearestMode& mode);
bool parseAspectPolicy(const std::string& text, AspectPolicy& policy);

struct AxisTaps {
    int taps = 1;
    std::vector<int64_t> index;    // outDim * taps input coordinates, clamped into the axis
    std::vector<float> weight;     // outDim * taps
    std::vector<uint8_t> outside;  // outDim flags: tf_crop_and_resize extrapolates there
    bool anyOutside = false;
    bool identity = false;  // output coordinate x reads exactly input x
};

// What a Resize reads besides the data: scales or sizes (exactly one is
// non-empty, one value per resized axis) and the optional roi.
struct ResizeParams {
    std::vector<double> scales;
    std::vector<int64_t> sizes;
    std::vector<double> roi;
};

// The tables of every axis of `in` resized to `out`. Fails when the
// parameters do not fit the shapes.
Status planResize(const ResizeAttributes& attributes, const ResizeParams& params, const Shape& in, const Shape& out,
                  std::vector<AxisTaps>& axes);

}  // namespace interstage::cpu::tensor
