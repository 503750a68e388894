// The random numbers behind the random ops. With a `seed` attribute every
// run restarts the stream from that seed, so a seeded node gives the same
// output on every run, session and machine (mt19937_64 is specified
// bit for bit by the C++ standard, and the conversions below are our own,
// not the library's unspecified distributions). Without a seed the stream
// starts from std::random_device at prepare and carries on across runs.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <numbers>
#include <random>

#include "interstage/graph.h"

namespace interstage::cpu::random {

class RandomStream {
public:
    // Reads the node's optional float `seed` attribute.
    explicit RandomStream(const Node& node) {
        if (const Attribute* seed = node.attr("seed"); seed && seed->kind == Attribute::Kind::Float) {
            seeded_ = true;
            // The float's bits: seeds 1.0 and 1.5 give different streams.
            uint32_t bits = 0;
            std::memcpy(&bits, &seed->f, sizeof(bits));
            seed_ = bits;
        } else if (seed && seed->kind == Attribute::Kind::Int) {  // spec says float; some writers disagree
            seeded_ = true;
            seed_ = static_cast<uint64_t>(seed->i);
        } else {
            seed_ = (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
        }
        engine_.seed(seed_);
    }

    // Call at the start of every run: seeded streams start over.
    void beginRun() {
        if (seeded_) engine_.seed(seed_);
    }

    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

    // Standard normal (Box-Muller; each pair of uniforms gives one value,
    // so the stream's position never depends on an odd count).
    double normal() {
        const double u1 = 1.0 - uniform();  // (0, 1]: the log stays finite
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }

    bool seeded() const { return seeded_; }

private:
    bool seeded_ = false;
    uint64_t seed_ = 0;
    std::mt19937_64 engine_;
};

}  // namespace interstage::cpu::random
