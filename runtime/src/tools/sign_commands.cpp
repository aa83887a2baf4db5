// `rvf keygen` and the signature half of `rvf verify --key` (docs/signing.md). A key file holds
// the 32-byte Ed25519 seed as 64 hex digits and a newline; it is made owner-only and never
// overwritten.
#include <cstdio>
#include <cstring>
#include <string>

#include <filesystem>
#include <fstream>
#include <random>

#include <rvf/byte_source.hpp>
#include <rvf/core/format/commit_record.hpp>
#include <rvf/store.hpp>

#include "tools/commands.hpp"

namespace rvf::tools {

namespace {
std::string hex(const uint8_t *p, size_t n) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s += kHex[p[i] >> 4];
        s += kHex[p[i] & 15];
    }
    return s;
}
} // namespace

std::optional<crypto::Ed25519Seed> read_key_file(const std::string &path, std::string &why) {
    auto bytes = read_file_bytes(path);
    if (!bytes) {
        why = bytes.error().to_string();
        return std::nullopt;
    }
    std::string text(bytes->begin(), bytes->end());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.pop_back();
    // A 32-byte seed is 64 hex digits: two key ids' worth.
    auto lo = crypto::key_id_from_hex(text.substr(0, 32));
    auto hi = text.size() == 64 ? crypto::key_id_from_hex(text.substr(32)) : std::nullopt;
    if (!lo || !hi) {
        why = path + " does not hold a key (64 hex digits, as `rvf keygen` writes)";
        return std::nullopt;
    }
    crypto::Ed25519Seed seed{};
    std::memcpy(seed.data(), lo->data(), 16);
    std::memcpy(seed.data() + 16, hi->data(), 16);
    return seed;
}

int keygen_command(int argc, char **argv) {
    if (argc != 1) {
        std::fprintf(stderr, "usage: rvf keygen KEYFILE   (writes a new Ed25519 secret key, prints its key id)\n");
        return 2;
    }
    // std::random_device: getrandom/urandom on Linux, arc4random on macOS, rand_s on Windows —
    // the portable spelling of the OS entropy source for every build the tool has.
    crypto::Ed25519Seed seed{};
    std::random_device rd;
    for (size_t i = 0; i < seed.size(); i += 4) {
        const uint32_t v = rd();
        std::memcpy(seed.data() + i, &v, 4);
    }
    const std::filesystem::path path(argv[0]);
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
        std::fprintf(stderr, "rvf keygen: %s exists (a key file is never overwritten; pick a new path)\n", argv[0]);
        return 2;
    }
    // Create it empty, make it owner-only, then write the secret.
    { std::ofstream touch(path, std::ios::binary); }
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::replace, ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << hex(seed.data(), seed.size()) << "\n";
    out.flush();
    if (ec || !out) {
        std::fprintf(stderr, "rvf keygen: writing %s failed%s%s\n", argv[0], ec ? ": " : "", ec ? ec.message().c_str() : "");
        return 2;
    }
    const auto key = crypto::ed25519_keypair_from_seed(seed);
    std::printf("key id %s\npublic key %s\n", crypto::key_id_hex(crypto::key_id_of(key.public_key)).c_str(),
                hex(key.public_key.data(), key.public_key.size()).c_str());
    return 0;
}

int signature_summary(const VerifyReport &r, const std::string &key_arg) {
    size_t valid = 0, unsigned_ = 0, invalid = 0;
    for (const SegmentSignature &s : r.signatures) {
        if (s.seg_type == core::kCommitSegType)
            continue;
        (s.state == SignatureState::Valid ? valid : s.state == SignatureState::Unsigned ? unsigned_ : invalid) += 1;
    }
    std::printf("signatures: %zu valid, %zu unsigned, %zu invalid; keys:", valid, unsigned_, invalid);
    for (const auto &k : r.signing_keys)
        std::printf(" %s", crypto::key_id_hex(k).c_str());
    std::printf("\n");
    if (key_arg.empty())
        return 0;
    // --key takes a key id (32 hex digits) or a key file (its key id is derived).
    std::optional<crypto::KeyId> want = crypto::key_id_from_hex(key_arg);
    if (!want) {
        std::string why;
        auto seed = read_key_file(key_arg, why);
        if (!seed) {
            std::fprintf(stderr, "rvf verify: --key %s is neither a key id (32 hex digits) nor a key file: %s\n",
                         key_arg.c_str(), why.c_str());
            return 2;
        }
        want = crypto::key_id_of(crypto::ed25519_keypair_from_seed(*seed).public_key);
    }
    if (auto ok = require_signature(r, *want); !ok) {
        std::printf("signature policy FAILED: %s\n", ok.error().to_string().c_str());
        return 4;
    }
    std::printf("every segment and manifest is signed by %s\n", crypto::key_id_hex(*want).c_str());
    return 0;
}

} // namespace rvf::tools
