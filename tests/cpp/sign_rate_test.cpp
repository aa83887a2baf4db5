// Prints signature throughput per algorithm in whatever build runs it (native, and the wasm
// ctest under Node: the only wasm figure we have without a browser). Asserts only that every
// signature verified — never a speed (speed belongs to benchmarks; bench/native/sign_bench.cpp
// has the larger native runs).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <vector>

#include <rvf/crypto/ed25519.hpp>
#include <rvf/crypto/ml_dsa65.hpp>

using namespace rvf;
using Clock = std::chrono::steady_clock;

namespace {
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
#ifdef __EMSCRIPTEN__
constexpr const char *kBuild = "wasm";
#else
constexpr const char *kBuild = "native";
#endif
} // namespace

TEST(SignRate, PrintsSignAndVerifyPerSecond) {
    std::vector<uint8_t> msg(94, 0x5a); // the size of a segment signing message
    const core::ByteView m(msg.data(), msg.size());
    const int n = 200;
    {
        crypto::Ed25519Seed seed{};
        seed[0] = 1;
        const auto key = crypto::ed25519_keypair_from_seed(seed, crypto::Ed25519Backend::Vendored);
        crypto::Ed25519Signature sig{};
        auto t0 = Clock::now();
        for (int i = 0; i < n; ++i)
            sig = crypto::ed25519_sign(key, m, crypto::Ed25519Backend::Vendored);
        const double s = since(t0);
        t0 = Clock::now();
        int ok = 0;
        for (int i = 0; i < n; ++i)
            ok += crypto::ed25519_verify(key.public_key, m, sig, crypto::Ed25519Backend::Vendored);
        const double v = since(t0);
        EXPECT_EQ(ok, n);
        std::printf("[%s] ed25519 (vendored)  sign %7.0f /s  verify %7.0f /s\n", kBuild, n / s, n / v);
    }
    {
        crypto::MlDsa65Seed seed{};
        seed[0] = 1;
        const auto key = crypto::ml_dsa65_keypair_from_seed(seed);
        crypto::MlDsa65Signature sig{};
        auto t0 = Clock::now();
        for (int i = 0; i < n; ++i) {
            msg[0] = static_cast<uint8_t>(i);
            sig = crypto::ml_dsa65_sign(*key, m);
        }
        const double s = since(t0);
        t0 = Clock::now();
        int ok = 0;
        for (int i = 0; i < n; ++i)
            ok += crypto::ml_dsa65_verify(key->public_key, m, sig);
        const double v = since(t0);
        EXPECT_EQ(ok, n);
        std::printf("[%s] ml-dsa-65 (pqclean) sign %7.0f /s  verify %7.0f /s\n", kBuild, n / s, n / v);
    }
}
