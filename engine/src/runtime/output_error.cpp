#include "interstage/output_error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace interstage {

Result<double> maxRelativeError(const TensorData& reference, const TensorData& other) {
    if (reference.dtype != other.dtype || reference.shape != other.shape)
        return invalidArgument("outputs differ in type or shape: " + std::string(dataTypeName(reference.dtype)) + " " +
                               shapeToString(reference.shape) + " against " + dataTypeName(other.dtype) + " " +
                               shapeToString(other.shape));
    double largest = 0, difference = 0;
    for (int64_t i = 0; i < reference.elementCount(); ++i) {
        const double r = reference.doubleAt(i), x = other.doubleAt(i);
        if (std::isfinite(r)) largest = std::max(largest, std::fabs(r));
        if ((std::isnan(r) && std::isnan(x)) || r == x) continue;  // equal infinities too
        const double d = std::fabs(x - r);
        difference = std::max(difference, std::isnan(d) ? std::numeric_limits<double>::infinity() : d);
    }
    return largest > 0 ? difference / largest : difference;
}

}  // namespace interstage
