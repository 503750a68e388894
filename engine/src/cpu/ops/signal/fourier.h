// The discrete Fourier transform of one complex line, shared by DFT and
// STFT. A plan is made once per length and direction (twiddle factors),
// then transforms any number of lines. Power-of-two lengths use an
// iterative radix-2 FFT; other lengths Bluestein's chirp-z algorithm,
// which turns them into one power-of-two convolution, so every length
// costs O(n log n). Everything is computed in double: the float outputs
// then match references to well under the tests' 1e-3 tolerance.
#pragma once

#include <complex>
#include <cstdint>
#include <vector>

namespace interstage::cpu::signal {

using Complex = std::complex<double>;

class FourierPlan {
public:
    // sign -1: forward (X_k = sum x_t e^{-2 pi i k t / n}); +1: inverse,
    // unscaled (callers divide by n).
    void build(int64_t n, bool inverse);
    int64_t length() const { return n_; }
    bool inverse() const { return inverse_; }
    // Complex values of scratch transform() needs for lines of length n.
    static int64_t scratchElements(int64_t n);
    // Transforms data[0, n) in place.
    void transform(Complex* data, Complex* scratch) const;

private:
    int64_t n_ = 0;
    bool inverse_ = false;
    int64_t fftLength_ = 0;             // the power of two the work is done at
    std::vector<Complex> twiddles_;     // e^{sign 2 pi i k / fftLength}, k < fftLength / 2
    std::vector<Complex> chirp_;        // Bluestein: e^{sign pi i t^2 / n}, t < n
    std::vector<Complex> chirpKernel_;  // Bluestein: FFT of the conjugate chirp, wrapped
};

// Two real lines transformed as one complex line z = a + i b: their
// spectra are A_k = (Z_k + conj(Z_{n-k})) / 2 and B_k = (Z_k -
// conj(Z_{n-k})) / 2i, in either direction. Halves the work on real
// signals.
inline void splitRealPair(const Complex* z, int64_t n, int64_t k, Complex& a, Complex& b) {
    const Complex zk = z[k], mirror = std::conj(z[k == 0 ? 0 : n - k]);
    a = (zk + mirror) * 0.5;
    b = (zk - mirror) * Complex(0, -0.5);
}

}  // namespace interstage::cpu::signal
