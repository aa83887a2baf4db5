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

#include "mulberry32.hpp"

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

using UpstreamRng = Mulberry32; // mulberry32.hpp

inline std::vector<float> upstream_gaussian(size_t n, size_t dim, uint32_t seed) {
    UpstreamRng r(seed);
    std::vector<float> v(n * dim);
    for (auto &x : v)
        x = static_cast<float>(r.gaussian());
    return v;
}

} // namespace rvf::test
