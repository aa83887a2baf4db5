// mulberry32 + Box–Muller (cos branch), exactly as the upstream fixture generator in JS
// (tests/data/upstream/gen-upstream-fixtures.mjs): uint32 arithmetic, doubles. Shared by the
// fixture checks (upstream_fixtures.hpp) and the ANN data generator (ann_data.hpp).
#pragma once
#include <cmath>
#include <cstdint>

namespace rvf::test {

class Mulberry32 {
public:
    explicit Mulberry32(uint32_t seed) : a_(seed) {}
    double uniform() {
        a_ += 0x6D2B79F5u;
        uint32_t t = a_;
        t = (t ^ (t >> 15)) * (t | 1u);
        t ^= t + (t ^ (t >> 7)) * (t | 61u);
        return static_cast<double>(t ^ (t >> 14)) / 4294967296.0;
    }
    double gaussian() {
        double u1 = uniform();
        if (u1 < 1e-300)
            u1 = 1e-300;
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
    }

private:
    uint32_t a_;
};

} // namespace rvf::test
