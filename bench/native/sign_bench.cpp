// sign_bench — Ed25519 throughput per backend, ML-DSA-65 throughput, and the commit-latency cost
// of signing with each (docs/signing.md). Plain executable: `rvf_sign_bench [COMMITS] [ROWS_PER_COMMIT] [DIR]`.
// Prints numbers, asserts nothing. Signing messages are the ~94-byte segment message (the payload
// enters it as a SHAKE-256 digest), so the payload-size cost is measured separately.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <unistd.h>

#include <rvf/core/hash/shake256.hpp>
#include <rvf/crypto/ed25519.hpp>
#include <rvf/crypto/ml_dsa65.hpp>
#include <rvf/store.hpp>

using namespace rvf;
using Clock = std::chrono::steady_clock;

namespace {
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void crypto_rates(crypto::Ed25519Backend b) {
    if (!crypto::ed25519_backend_available(b))
        return;
    crypto::Ed25519Seed seed{};
    for (size_t i = 0; i < seed.size(); ++i)
        seed[i] = static_cast<uint8_t>(i * 13 + 1);
    const auto key = crypto::ed25519_keypair_from_seed(seed, b);
    std::vector<uint8_t> msg(94, 0x5a);
    const core::ByteView m(msg.data(), msg.size());
    const int n = 20000;
    auto t0 = Clock::now();
    crypto::Ed25519Signature sig{};
    for (int i = 0; i < n; ++i) {
        msg[0] = static_cast<uint8_t>(i);
        sig = crypto::ed25519_sign(key, m, b);
    }
    const double sign_s = seconds_since(t0);
    t0 = Clock::now();
    int ok = 0;
    for (int i = 0; i < n; ++i)
        ok += crypto::ed25519_verify(key.public_key, m, sig, b);
    const double verify_s = seconds_since(t0);
    std::printf("ed25519 %-9s  sign %8.0f /s   verify %8.0f /s   (%d of %d verified)\n",
                crypto::ed25519_backend_name(b), n / sign_s, n / verify_s, ok, n);
}

void ml_dsa_rates() {
    crypto::MlDsa65Seed seed{};
    for (size_t i = 0; i < seed.size(); ++i)
        seed[i] = static_cast<uint8_t>(i * 13 + 1);
    const auto key = crypto::ml_dsa65_keypair_from_seed(seed);
    std::vector<uint8_t> msg(94, 0x5a);
    const core::ByteView m(msg.data(), msg.size());
    const int n = 1000;
    auto t0 = Clock::now();
    crypto::MlDsa65Signature sig{};
    for (int i = 0; i < n; ++i) {
        msg[0] = static_cast<uint8_t>(i);
        sig = crypto::ml_dsa65_sign(*key, m);
    }
    const double sign_s = seconds_since(t0);
    t0 = Clock::now();
    int ok = 0;
    for (int i = 0; i < n; ++i)
        ok += crypto::ml_dsa65_verify(key->public_key, m, sig);
    const double verify_s = seconds_since(t0);
    t0 = Clock::now();
    for (int i = 0; i < 100; ++i) {
        seed[0] = static_cast<uint8_t>(i);
        (void)crypto::ml_dsa65_keypair_from_seed(seed);
    }
    const double keygen_s = seconds_since(t0);
    std::printf("ml-dsa-65 pqclean   sign %8.0f /s   verify %8.0f /s   keygen %6.0f /s   (%d of %d verified)\n",
                n / sign_s, n / verify_s, 100 / keygen_s, ok, n);
}

void shake_rate() {
    std::vector<uint8_t> payload(4u << 20, 0x33);
    uint8_t digest[16];
    const auto t0 = Clock::now();
    for (int i = 0; i < 8; ++i)
        core::shake256(core::ByteView(payload.data(), payload.size()), digest, sizeof digest);
    std::printf("SHAKE-256 of payloads (part of every segment message): %.0f MB/s\n",
                8.0 * payload.size() / seconds_since(t0) / 1e6);
}

/// Mean ms per ingest commit of `rows` rows, dimension 128, on a file in `dir`.
double commit_ms(const std::string &dir, const char *name, std::optional<crypto::Ed25519Seed> key,
                 uint64_t checkpoint_bytes, int commits, int rows,
                 crypto::SignatureAlgo algo = crypto::SignatureAlgo::Ed25519) {
    const std::string path = dir + "/" + name;
    ::unlink(path.c_str());
    StoreOptions o;
    o.dimension = 128;
    o.index = IndexMode::Off;
    o.signing_key = key;
    o.signing_algorithm = algo;
    o.checkpoint_bytes = checkpoint_bytes;
    auto s = RvfStore::create(path, o);
    if (!s) {
        std::fprintf(stderr, "%s\n", s.error().to_string().c_str());
        std::exit(1);
    }
    std::vector<uint64_t> ids(rows);
    std::vector<float> v(static_cast<size_t>(rows) * 128);
    uint32_t x = 7;
    double total = 0;
    for (int c = 0; c < commits; ++c) {
        for (int i = 0; i < rows; ++i)
            ids[i] = static_cast<uint64_t>(c) * rows + i + 1;
        for (auto &f : v)
            f = static_cast<float>((x = x * 1664525u + 1013904223u) >> 8) / 16777216.0f;
        const auto t0 = Clock::now();
        if (!s->ingest_batch(ids, v)) {
            std::fprintf(stderr, "ingest failed\n");
            std::exit(1);
        }
        total += seconds_since(t0);
    }
    (void)s->close();
    ::unlink(path.c_str());
    return total / commits * 1e3;
}
} // namespace

int main(int argc, char **argv) {
    const int commits = argc > 1 ? std::atoi(argv[1]) : 200;
    const int rows = argc > 2 ? std::atoi(argv[2]) : 100;
    const std::string dir = argc > 3 ? argv[3] : "/tmp";
    crypto_rates(crypto::Ed25519Backend::Libsodium);
    crypto_rates(crypto::Ed25519Backend::Vendored);
    ml_dsa_rates();
    shake_rate();
    crypto::Ed25519Seed seed{};
    seed[0] = 42;
    std::printf("commit latency, %d commits of %d x 128 f32 rows (%s):\n", commits, rows, dir.c_str());
    const double plain = commit_ms(dir, "sign_bench_plain.rvf", std::nullopt, 1u << 20, commits, rows);
    const double every = commit_ms(dir, "sign_bench_ckpt.rvf", std::nullopt, 0, commits, rows);
    const double sig = commit_ms(dir, "sign_bench_signed.rvf", seed, 1u << 20, commits, rows);
    const double ml = commit_ms(dir, "sign_bench_mldsa.rvf", seed, 1u << 20, commits, rows, crypto::SignatureAlgo::MlDsa65);
    std::printf("  unsigned (COMMIT records, default)      %7.3f ms\n", plain);
    std::printf("  unsigned, checkpoint every commit       %7.3f ms\n", every);
    std::printf("  signed with Ed25519 (checkpoint + sigs) %7.3f ms   (+%.3f ms vs default, +%.3f vs same protocol)\n",
                sig, sig - plain, sig - every);
    std::printf("  signed with ML-DSA-65                   %7.3f ms   (+%.3f ms vs default, +%.3f vs same protocol)\n",
                ml, ml - plain, ml - every);
    return 0;
}
