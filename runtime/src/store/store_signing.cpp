// store_signing.cpp — the signature policy of open / open_readonly (OpenOptions; how a read-only
// open checks and maps the file is open_readonly_unchecked's, store.cpp) and
// require_signature() over a VerifyReport. Signing itself happens in LayoutSWriter
// (layout_s_writer.cpp) and store_commit.cpp; checking in store_verify.cpp.
#include <rvf/store.hpp>

#include <rvf/core/format/commit_record.hpp>

#include "store_impl.hpp"

namespace rvf {

namespace {
std::string where(const SegmentSignature &s) {
    const char *t = core::seg_type_name(s.seg_type);
    char off[32];
    std::snprintf(off, sizeof off, "0x%llx", static_cast<unsigned long long>(s.offset));
    return "segment " + std::to_string(s.segment_id) + " (" + (t ? t : "unknown") + ") at " + off;
}

/// Apply the policy to the bytes the handle answers from; the handle is dropped on refusal.
Result<RvfStore> checked(Result<RvfStore> st, const OpenOptions &o) {
    if (!st || !o.require_signature)
        return st;
    const std::vector<uint8_t> bytes = st->to_bytes();
    if (auto r = require_signature(verify_bytes(bytes), *o.require_signature); !r)
        return r.error();
    return st;
}
} // namespace

Result<void> require_signature(const VerifyReport &report, const crypto::KeyId &key) {
    const std::string want = crypto::key_id_hex(key);
    const std::string hint = " (require_signature " + want + "; check the file with `rvf verify --key`)";
    bool any = false;
    for (const SegmentSignature &s : report.signatures) {
        if (s.seg_type == core::kCommitSegType)
            continue; // never signed: a signing store checkpoints every commit instead
        any = true;
        if (s.state == SignatureState::Invalid)
            return Error{Status::InvalidSignature, where(s) + " " + s.what + hint};
        if (s.state == SignatureState::Unsigned)
            return Error{Status::UnsignedManifest, where(s) + " is not signed" + hint};
        if (*s.key_id != key)
            return Error{Status::UnknownSigner,
                         where(s) + " is signed by key " + crypto::key_id_hex(*s.key_id) + ", not the required key" + hint};
    }
    if (!any)
        return Error{Status::UnsignedManifest, "the file has no committed Layout S segments to check" + hint};
    for (const Problem &p : report.problems)
        if (p.status == Status::InvalidSignature || p.status == Status::AlgoUnsupported)
            return Error{p.status, p.what + hint};
    return {};
}

Result<RvfStore> RvfStore::open(const std::string &path, const OpenOptions &options) {
    if (options.epoch) // an earlier epoch is history: always read-only (store_epochs.cpp)
        return open_readonly(path, options);
    if (options.verify != OpenVerify::Full)
        return Error{Status::InvalidOptions, "verify = Structural is for open_readonly: a writer checks the whole file; "
                                             "use RvfStore::open_readonly, or leave verify at Full"};
    if (options.signing_key && !crypto::signature_algo_implemented(static_cast<uint16_t>(options.signing_algorithm)))
        return Error{Status::InvalidOptions, std::string("signing_algorithm ") +
                                                 crypto::signature_algo_name(options.signing_algorithm) +
                                                 " is not implemented: use Ed25519 or MlDsa65"};
    auto st = checked(open(path), options);
    if (st && options.signing_key)
        st->impl_->signer = crypto::SegmentSigner::from_seed(*options.signing_key, options.signing_algorithm);
    return st;
}

Result<void> RvfStore::set_signing_key(const crypto::Ed25519Seed &seed, crypto::SignatureAlgo algorithm) {
    if (!crypto::signature_algo_implemented(static_cast<uint16_t>(algorithm)))
        return Error{Status::InvalidOptions, std::string("signing algorithm ") + crypto::signature_algo_name(algorithm) +
                                                 " is not implemented: use ed25519 or ml-dsa-65"};
    if (auto w = impl_->check_writable(); !w)
        return w;
    impl_->signer = crypto::SegmentSigner::from_seed(seed, algorithm);
    impl_->signing_key_written = false; // the next commit names this key in a CRYPTO_SEG
    return {};
}

Result<RvfStore> RvfStore::open_readonly(const std::string &path, const OpenOptions &options) {
    if (options.signing_key)
        return Error{Status::InvalidOptions, "signing_key needs a writable store: use RvfStore::open, not open_readonly"};
    return checked(open_readonly_unchecked(path, options), options);
}

} // namespace rvf
