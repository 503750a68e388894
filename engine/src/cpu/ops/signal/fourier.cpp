// Radix-2 FFT and Bluestein's algorithm for the other lengths (fourier.h).
#include "cpu/ops/signal/fourier.h"

#include <cmath>
#include <numbers>
#include <utility>

namespace interstage::cpu::signal {

namespace {

bool isPowerOfTwo(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

int64_t powerOfTwoAtLeast(int64_t n) {
    int64_t m = 1;
    while (m < n) m <<= 1;
    return m;
}

// In-place iterative radix-2 transform of length m; the twiddles (m / 2 of
// them) decide the direction.
void radix2(Complex* data, int64_t m, const std::vector<Complex>& twiddles) {
    for (int64_t i = 1, j = 0; i < m; ++i) {
        int64_t bit = m >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) std::swap(data[i], data[j]);
    }
    for (int64_t len = 2; len <= m; len <<= 1) {
        const int64_t half = len / 2, stride = m / len;
        for (int64_t start = 0; start < m; start += len)
            for (int64_t k = 0; k < half; ++k) {
                const Complex odd = data[start + k + half] * twiddles[static_cast<size_t>(k * stride)];
                data[start + k + half] = data[start + k] - odd;
                data[start + k] += odd;
            }
    }
}

std::vector<Complex> makeTwiddles(int64_t m, double sign) {
    std::vector<Complex> twiddles(static_cast<size_t>(m / 2));
    for (int64_t k = 0; k < m / 2; ++k)
        twiddles[static_cast<size_t>(k)] =
            std::polar(1.0, sign * 2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(m));
    return twiddles;
}

}  // namespace

int64_t FourierPlan::scratchElements(int64_t n) { return isPowerOfTwo(n) ? 0 : powerOfTwoAtLeast(2 * n - 1); }

void FourierPlan::build(int64_t n, bool inverse) {
    n_ = n;
    inverse_ = inverse;
    const double sign = inverse ? 1.0 : -1.0;
    chirp_.clear();
    chirpKernel_.clear();
    if (isPowerOfTwo(n)) {
        fftLength_ = n;
        twiddles_ = makeTwiddles(n, sign);
        return;
    }
    // Bluestein: k t = (k^2 + t^2 - (k - t)^2) / 2 turns the transform into
    // a convolution with the chirp c_t = e^{sign pi i t^2 / n}, done at a
    // power of two m >= 2n - 1 with forward FFTs.
    fftLength_ = powerOfTwoAtLeast(2 * n - 1);
    twiddles_ = makeTwiddles(fftLength_, -1.0);
    chirp_.resize(static_cast<size_t>(n));
    for (int64_t t = 0; t < n; ++t) {
        // t^2 mod 2n keeps the angle small, so large t loses no precision.
        const auto square = static_cast<double>((t * t) % (2 * n));
        chirp_[static_cast<size_t>(t)] = std::polar(1.0, sign * std::numbers::pi * square / static_cast<double>(n));
    }
    chirpKernel_.assign(static_cast<size_t>(fftLength_), Complex(0, 0));
    chirpKernel_[0] = std::conj(chirp_[0]);
    for (int64_t j = 1; j < n; ++j) {
        chirpKernel_[static_cast<size_t>(j)] = std::conj(chirp_[static_cast<size_t>(j)]);
        chirpKernel_[static_cast<size_t>(fftLength_ - j)] = std::conj(chirp_[static_cast<size_t>(j)]);
    }
    radix2(chirpKernel_.data(), fftLength_, twiddles_);
}

void FourierPlan::transform(Complex* data, Complex* scratch) const {
    if (chirp_.empty()) {
        radix2(data, n_, twiddles_);
        return;
    }
    const int64_t m = fftLength_;
    for (int64_t t = 0; t < m; ++t) scratch[t] = t < n_ ? data[t] * chirp_[static_cast<size_t>(t)] : Complex(0, 0);
    radix2(scratch, m, twiddles_);
    // Multiply by the kernel's spectrum, then transform back: the inverse
    // FFT is conj(FFT(conj(y))) / m, so one set of twiddles serves both.
    for (int64_t k = 0; k < m; ++k) scratch[k] = std::conj(scratch[k] * chirpKernel_[static_cast<size_t>(k)]);
    radix2(scratch, m, twiddles_);
    const double scale = 1.0 / static_cast<double>(m);
    for (int64_t k = 0; k < n_; ++k) data[k] = std::conj(scratch[k]) * scale * chirp_[static_cast<size_t>(k)];
}

}  // namespace interstage::cpu::signal
