// `rvf keygen` and the signature half of `rvf verify --key` (docs/signing.md). A key file holds
// the 32-byte seed as 64 hex digits and a newline — preceded by "ml-dsa-65 " for an ML-DSA-65
// key (a bare seed is Ed25519, as files written before ML-DSA are); it is made owner-only and
// never overwritten.
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

/// A key file's contents: the secret seed and the algorithm it is for.
struct KeyFile {
    crypto::SignatureAlgo algorithm = crypto::SignatureAlgo::Ed25519;
    crypto::Ed25519Seed seed{};
};

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

namespace {
const char kMlDsaPrefix[] = "ml-dsa-65 ";

std::optional<KeyFile> parse_key_text(std::string text, const std::string &path, std::string &why) {
    KeyFile k;
    if (text.rfind(kMlDsaPrefix, 0) == 0) {
        k.algorithm = crypto::SignatureAlgo::MlDsa65;
        text = text.substr(sizeof kMlDsaPrefix - 1);
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.pop_back();
    // A 32-byte seed is 64 hex digits: two key ids' worth.
    auto lo = crypto::key_id_from_hex(text.substr(0, 32));
    auto hi = text.size() == 64 ? crypto::key_id_from_hex(text.substr(32)) : std::nullopt;
    if (!lo || !hi) {
        why = path + " does not hold a key (64 hex digits, after \"ml-dsa-65 \" for ML-DSA-65, as `rvf keygen` writes)";
        return std::nullopt;
    }
    std::memcpy(k.seed.data(), lo->data(), 16);
    std::memcpy(k.seed.data() + 16, hi->data(), 16);
    return k;
}
} // namespace

std::optional<KeyFile> read_key_file(const std::string &path, std::string &why) {
    auto bytes = read_file_bytes(path);
    if (!bytes) {
        why = bytes.error().to_string();
        return std::nullopt;
    }
    return parse_key_text(std::string(bytes->begin(), bytes->end()), path, why);
}

crypto::KeyId key_id_of_key(const KeyFile &k) {
    return crypto::SegmentSigner::from_seed(k.seed, k.algorithm)->key_id;
}

int keygen_command(int argc, char **argv) {
    crypto::SignatureAlgo algo = crypto::SignatureAlgo::Ed25519;
    if (argc == 3 && std::strcmp(argv[0], "--algorithm") == 0) {
        const auto a = crypto::signature_algo_from_name(argv[1]);
        if (!a || !crypto::signature_algo_implemented(static_cast<uint16_t>(*a))) {
            std::fprintf(stderr, "rvf keygen: --algorithm %s is not implemented: use ed25519 or ml-dsa-65\n", argv[1]);
            return 2;
        }
        algo = *a;
        argc -= 2;
        argv += 2;
    }
    if (argc != 1) {
        std::fprintf(stderr, "usage: rvf keygen [--algorithm ed25519|ml-dsa-65] KEYFILE   (writes a new secret key, "
                             "prints its key id)\n");
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
    out << (algo == crypto::SignatureAlgo::MlDsa65 ? kMlDsaPrefix : "") << hex(seed.data(), seed.size()) << "\n";
    out.flush();
    if (ec || !out) {
        std::fprintf(stderr, "rvf keygen: writing %s failed%s%s\n", argv[0], ec ? ": " : "", ec ? ec.message().c_str() : "");
        return 2;
    }
    const auto signer = crypto::SegmentSigner::from_seed(seed, algo);
    std::printf("algorithm %s\nkey id %s\npublic key %s\n", crypto::signature_algo_name(algo),
                crypto::key_id_hex(signer->key_id).c_str(),
                hex(signer->public_key.data(), signer->public_key.size()).c_str());
    return 0;
}

int sign_command(int argc, char **argv) {
    if (argc != 3 || std::strcmp(argv[1], "--key") != 0) {
        std::fprintf(stderr, "usage: rvf sign FILE --key KEYFILE   (rewrites FILE with every segment and manifest signed "
                             "by that key: a compaction that signs; the writer lock is taken)\n");
        return 2;
    }
    std::string why;
    const auto key = read_key_file(argv[2], why);
    if (!key) {
        std::fprintf(stderr, "rvf sign: %s\n", why.c_str());
        return 2;
    }
    // A compaction writes the live state into a new file with the handle's signer, then renames
    // it over FILE: every segment of the result is signed, and a crash leaves the old file.
    OpenOptions o;
    o.signing_key = key->seed;
    o.signing_algorithm = key->algorithm;
    auto s = RvfStore::open(argv[0], o);
    if (!s)
        return fail(s.error());
    if (auto c = s->compact(); !c)
        return fail(c.error());
    if (auto c = s->close(); !c)
        return fail(c.error());
    const crypto::KeyId id = key_id_of_key(*key);
    const VerifyReport r = verify_file(argv[0]);
    if (auto ok = require_signature(r, id); !ok) {
        std::fprintf(stderr, "rvf sign: %s is not wholly signed after the rewrite: %s\n", argv[0],
                     ok.error().to_string().c_str());
        return 1;
    }
    std::printf("signed %s: %zu segments by %s key %s\n", argv[0], r.signatures.size(),
                crypto::signature_algo_name(key->algorithm), crypto::key_id_hex(id).c_str());
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
        auto key = read_key_file(key_arg, why);
        if (!key) {
            std::fprintf(stderr, "rvf verify: --key %s is neither a key id (32 hex digits) nor a key file: %s\n",
                         key_arg.c_str(), why.c_str());
            return 2;
        }
        want = key_id_of_key(*key);
    }
    if (auto ok = require_signature(r, *want); !ok) {
        std::printf("signature policy FAILED: %s\n", ok.error().to_string().c_str());
        return 4;
    }
    std::printf("every segment and manifest is signed by %s\n", crypto::key_id_hex(*want).c_str());
    return 0;
}

} // namespace rvf::tools
