// Test support: the upstream fixture set in tests/data/upstream and the seeded generator that
// produced their vectors (gen-upstream-fixtures.mjs: mulberry32 + Box–Muller, cos branch, in
// double precision, then rounded to f32 as a Float32Array store does).
#pragma once
#include <cmath>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rvf::test {

inline std::string upstream_dir() { return std::string(RVF_TEST_DATA_DIR) + "/upstream/"; }

/// The native (Layout R) fixtures; wasm-export-3x4 is the incompatible WASM variant.
inline const std::vector<std::string> &native_fixture_names() {
    static const std::vector<std::string> names = {
        "empty-d16",          "l2-1000x16-noquery", "l2-1000x16-meta",       "cosine-1000x16",
        "ip-1000x16",         "l2-1000x16-deleted", "l2-1000x16-sparseids", "l2-5000x64"};
    return names;
}

inline std::vector<uint8_t> read_binary(const std::string &path) {
    std::ifstream f(path, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

inline nlohmann::json read_json(const std::string &path) {
    std::ifstream f(path);
    return nlohmann::json::parse(f);
}

/// mulberry32 + Box–Muller exactly as the JS generator (uint32 arithmetic, doubles).
class UpstreamRng {
public:
    explicit UpstreamRng(uint32_t seed) : a_(seed) {}
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

inline std::vector<float> upstream_gaussian(size_t n, size_t dim, uint32_t seed) {
    UpstreamRng r(seed);
    std::vector<float> v(n * dim);
    for (auto &x : v)
        x = static_cast<float>(r.gaussian());
    return v;
}

} // namespace rvf::test
