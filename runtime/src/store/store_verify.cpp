// store_verify.cpp — RvfStore::verify(): re-read the file and check every segment hash, every
// manifest in the chain, and the witness chain (links and action hashes).
#include <algorithm>
#include <cstring>
#include <set>
#include <string>

#include <rvf/byte_source.hpp>
#include <rvf/core/format/commit_record.hpp>
#include <rvf/core/format/layout_s_manifest.hpp>

#include "store_impl.hpp"

namespace rvf {
namespace {
std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}
} // namespace

namespace {

std::string seg_name(const core::SegmentHeader &h, uint64_t off) {
    const char *t = core::seg_type_name(h.seg_type);
    return "segment " + std::to_string(h.segment_id) + " (" + (t ? t : "unknown") + ") at " + hex(off);
}

/// Signature state of every committed segment (spec §6.10, docs/signing.md): keys come from the
/// file's CRYPTO_SEG records; a SIGNED segment must carry a footer whose Ed25519 signature of
/// segment_signing_message verifies under one of them, a signed manifest root likewise for
/// root_signing_message.
void check_signatures(core::ByteView file, const FileReport &fr, VerifyReport &rep) {
    std::vector<crypto::SigningKeyRecord> keys;
    for (const SegmentRecord &r : fr.segments) {
        if (r.offset >= fr.committed_end || r.header_status != Status::Ok ||
            r.header.seg_type != static_cast<uint8_t>(core::SegType::Crypto))
            continue;
        std::vector<crypto::SigningKeyRecord> recs;
        if (crypto::decode_crypto_seg(file.sub(static_cast<size_t>(r.offset + core::kSegmentHeaderSize),
                                               static_cast<size_t>(r.header.payload_length)),
                                      recs))
            for (const auto &k : recs)
                if (std::none_of(keys.begin(), keys.end(), [&](const auto &x) { return x.key_id == k.key_id; })) {
                    keys.push_back(k);
                    rep.signing_keys.push_back(k.key_id);
                }
    }
    // Only keys of the signature's own algorithm are tried (a key record names its algorithm).
    auto signer_of = [&](uint16_t algo, const std::vector<uint8_t> &msg,
                         core::ByteView sig) -> std::optional<crypto::KeyId> {
        for (const auto &k : keys)
            if (static_cast<uint16_t>(k.algorithm) == algo &&
                crypto::verify_signature(k.algorithm, core::ByteView(k.public_key.data(), k.public_key.size()),
                                         core::ByteView(msg.data(), msg.size()), sig))
                return k.key_id;
        return std::nullopt;
    };
    uint16_t algo = 0;
    for (const SegmentRecord &r : fr.segments) {
        if (r.offset >= fr.committed_end || r.header_status != Status::Ok)
            continue;
        const core::SegmentHeader &h = r.header;
        SegmentSignature s;
        s.segment_id = h.segment_id;
        s.offset = r.offset;
        s.seg_type = h.seg_type;
        const core::ByteView payload = file.sub(static_cast<size_t>(r.offset + core::kSegmentHeaderSize),
                                                static_cast<size_t>(h.payload_length));
        Status fail = Status::InvalidSignature;
        std::optional<std::vector<uint8_t>> msg;
        // `sig` may point into `mv` or `f`: both live as long as it, to the end of this iteration.
        core::LayoutSManifestView mv;
        crypto::SignatureFooter f;
        core::ByteView sig;
        if (h.seg_type == static_cast<uint8_t>(core::SegType::Manifest)) {
            if (core::parse_layout_s_manifest(payload, r.offset + core::kSegmentHeaderSize, mv) == Status::Ok &&
                mv.root.sig_length != 0) {
                algo = mv.root.sig_algo;
                if (!crypto::signature_algo_implemented(algo)) {
                    fail = Status::AlgoUnsupported;
                    s.what = "root signature algorithm " + std::to_string(mv.root.sig_algo) +
                             " is not supported (only Ed25519, 0, and ML-DSA-65, 1)";
                } else {
                    msg = crypto::root_signing_message(h.segment_id, payload, payload.size - core::kRootManifestSize);
                    sig = core::ByteView(mv.root.signature, mv.root.sig_length);
                }
            } else {
                rep.signatures.push_back(s); // unsigned manifest (or one inspect_file already reports)
                continue;
            }
        } else if (!(h.flags & core::SegFlag::Signed)) {
            rep.signatures.push_back(s);
            continue;
        } else {
            const core::ByteView after = file.sub(static_cast<size_t>(r.offset + core::kSegmentHeaderSize + h.payload_length),
                                                  h.alignment_pad);
            if (!crypto::decode_signature_footer(after, f)) {
                s.what = "is flagged SIGNED but has no valid signature footer (dropped or damaged)";
            } else if (!crypto::signature_algo_implemented(f.sig_algo)) {
                fail = Status::AlgoUnsupported;
                s.what = "signature algorithm " + std::to_string(f.sig_algo) +
                         " is not supported (only Ed25519, 0, and ML-DSA-65, 1)";
            } else {
                algo = f.sig_algo;
                msg = crypto::segment_signing_message(file.data + r.offset, payload);
                sig = f.signature;
            }
        }
        if (msg) {
            s.algorithm = static_cast<crypto::SignatureAlgo>(algo);
            s.key_id = signer_of(algo, *msg, sig);
            if (!s.key_id)
                s.what = keys.empty() ? "is signed, but the file holds no CRYPTO_SEG key to check it with"
                                      : "has a signature that verifies under none of the file's keys (payload or "
                                        "header changed after signing, or signed by another key)";
        }
        s.state = s.key_id ? SignatureState::Valid : SignatureState::Invalid;
        if (s.state == SignatureState::Invalid)
            rep.problems.push_back({r.offset, fail, seg_name(h, r.offset) + " " + s.what});
        rep.signatures.push_back(s);
    }
}

/// Every check of a whole image. `live_rows`: the rows a load of the latest manifest produced
/// (nullopt when the image does not load), checked against the root's count.
VerifyReport verify_image(core::ByteView file, std::optional<uint64_t> live_rows) {
    VerifyReport rep;
    const FileReport fr = inspect_file(file);
    rep.segments_checked = fr.segments.size();
    for (const Problem &p : fr.problems) {
        // Past the latest valid manifest (or the note that we fell back to it) lies only what
        // a crash left uncommitted.
        // A damaged commit there is not such a leftover: every problem then counts.
        const bool tail = fr.manifest && !fr.damaged_commit &&
                          (p.offset >= fr.committed_end ||
                           (p.offset == fr.manifest->offset && p.what.find("fell back") != std::string::npos));
        (tail ? rep.uncommitted : rep.problems).push_back(p);
    }
    if (!fr.manifest || fr.layout != FileLayout::S) {
        rep.ok = rep.problems.empty();
        return rep;
    }
    check_signatures(file, fr, rep);
    const uint64_t latest = fr.manifest->offset;
    // The root's count is re-hashed with the root, so only the rows themselves can check it.
    if (live_rows && fr.manifest->total_vectors != *live_rows)
        rep.problems.push_back({latest, Status::InvalidManifest,
                                "manifest at " + hex(latest) + " counts " + std::to_string(fr.manifest->total_vectors) +
                                    " vectors but its segments hold " + std::to_string(*live_rows) + " live rows"});

    // Manifest chain: every committed manifest decodes and epochs never go backwards.
    uint32_t last_epoch = 0;
    bool have_epoch = false;
    std::vector<core::SegmentHeader> covered;
    std::optional<std::array<uint8_t, core::kWitnessDigestSize>> expect_prev; // link the next entry must carry
    std::set<std::array<uint8_t, core::kWitnessDigestSize>> seen_entries;     // by link hash (digests copy them)
    uint64_t next_id = fr.segments.empty() ? 1 : fr.segments.front().header.segment_id;
    for (const SegmentRecord &r : fr.segments) {
        if (r.offset >= fr.committed_end)
            break; // uncommitted tail: inspect_file already reported it
        if (r.header_status != Status::Ok)
            continue;
        // Our writers number Layout S segments 1, 2, 3, … in file order (a reopened writer
        // continues, a rewrite starts over in a new file). Headers no directory lists any more
        // (earlier checkpoints, superseded COMMIT records) are held to that too.
        if (r.header.segment_id != next_id)
            rep.problems.push_back({r.offset, Status::InvalidManifest,
                                    "segment at " + hex(r.offset) + " has id " + std::to_string(r.header.segment_id) +
                                        ", expected " + std::to_string(next_id) + " (ids run on in file order)"});
        ++next_id;
        const core::ByteView payload =
            file.sub(static_cast<size_t>(r.offset + core::kSegmentHeaderSize), r.header.payload_length);
        if (r.header.seg_type == core::kCommitSegType) { // it ends a commit
            core::CommitRecordView cv;
            if (r.header.flags != 0 || core::CommitRecordView::parse(payload, cv) != Status::Ok)
                rep.problems.push_back({r.offset, Status::InvalidManifest,
                                        "COMMIT record at " + hex(r.offset) + " does not decode"});
            covered.clear();
            continue;
        }
        if (r.header.seg_type == static_cast<uint8_t>(core::SegType::Manifest)) {
            core::LayoutSManifestView mv;
            ++rep.manifests_checked;
            if (Status s = core::parse_layout_s_manifest(payload, r.offset + core::kSegmentHeaderSize, mv);
                s != Status::Ok) {
                rep.problems.push_back({r.offset, s, "manifest segment " + std::to_string(r.header.segment_id) +
                                                         " at " + hex(r.offset) + " does not decode"});
            } else {
                if (have_epoch && mv.root.epoch < last_epoch)
                    rep.problems.push_back({r.offset, Status::InvalidManifest,
                                            "manifest segment " + std::to_string(r.header.segment_id) +
                                                " goes back to epoch " + std::to_string(mv.root.epoch)});
                last_epoch = mv.root.epoch;
                have_epoch = true;
            }
            covered.clear();
            continue;
        }
        if (r.header.seg_type != static_cast<uint8_t>(core::SegType::Witness)) {
            covered.push_back(r.header);
            continue;
        }
        core::WitnessSegView w;
        if (Status s = core::WitnessSegView::parse(payload, w); s != Status::Ok) {
            rep.problems.push_back({r.offset, s, "witness segment " + std::to_string(r.header.segment_id) +
                                                     " does not decode"});
            covered.clear();
            continue;
        }
        if (r.header.flags & core::SegFlag::Overlay) {
            // A merge's digest: copies of entries the chain already holds, vouched for (like any
            // data) by the merge's own entry that follows; it extends nothing.
            for (size_t i = 0; i < w.count; ++i) {
                ++rep.witness_entries_checked;
                std::array<uint8_t, core::kWitnessDigestSize> link{};
                core::witness_link_hash(w.entry_bytes(i), link.data());
                if (!seen_entries.count(link)) {
                    rep.problems.push_back({r.offset, Status::InvalidChecksum,
                                            "witness digest " + std::to_string(r.header.segment_id) + " at " +
                                                hex(r.offset) + ": entry " + std::to_string(i) +
                                                " is not an entry of the chain before it"});
                    break;
                }
            }
            covered.push_back(r.header);
            continue;
        }
        for (size_t i = 0; i < w.count; ++i) {
            ++rep.witness_entries_checked;
            const core::WitnessEntry e = w.entry(i);
            // A rewrite's segment restarts the history at entry 0 (prev = zeros).
            static constexpr uint8_t kZero[core::kWitnessDigestSize] = {};
            const uint8_t *want = expect_prev ? expect_prev->data() : kZero;
            if (i == 0 && w.count > 1)
                want = kZero;
            if (std::memcmp(e.prev_hash, want, core::kWitnessDigestSize) != 0)
                rep.problems.push_back({r.offset, Status::InvalidChecksum,
                                        "witness chain broken at entry " + std::to_string(i) + " of segment " +
                                            std::to_string(r.header.segment_id) + " at " + hex(r.offset) +
                                            ": prev_hash does not match the previous entry"});
            std::array<uint8_t, core::kWitnessDigestSize> link{};
            core::witness_link_hash(w.entry_bytes(i), link.data());
            expect_prev = link;
            seen_entries.insert(link);
        }
        const core::WitnessEntry tip = w.entry(w.count - 1);
        uint8_t action[core::kWitnessDigestSize];
        witness_action_hash(tip.witness_type, covered, action);
        if (std::memcmp(action, tip.action_hash, sizeof action) != 0) {
            std::string ids;
            for (const auto &h : covered)
                ids += (ids.empty() ? "" : ",") + std::to_string(h.segment_id);
            rep.problems.push_back({r.offset, Status::InvalidChecksum,
                                    "witness segment " + std::to_string(r.header.segment_id) + " at " +
                                        hex(r.offset) + " does not vouch for segments [" + ids +
                                        "]: they changed after it was written"});
        }
        covered.clear();
    }
    rep.ok = rep.problems.empty();
    return rep;
}

/// A read-only load of `bytes` for its live row count; the reason when it does not load.
Result<uint64_t> live_rows_of(const std::vector<uint8_t> &bytes) {
    RvfStore::Impl impl;
    impl.read_only = true;
    if (auto r = impl.load(bytes, false); !r)
        return r.error();
    return static_cast<uint64_t>(impl.table.live());
}

VerifyReport verify_loaded_or_not(const std::vector<uint8_t> &bytes) {
    const Result<uint64_t> rows = live_rows_of(bytes);
    VerifyReport rep = verify_image(core::ByteView(bytes.data(), bytes.size()),
                                    rows ? std::optional<uint64_t>(*rows) : std::nullopt);
    if (!rows) {
        // Whatever stops the load is damage even when no check above named it.
        bool named = false;
        for (const Problem &p : rep.problems)
            named = named || rows.error().message.find(p.what) != std::string::npos;
        if (!named)
            rep.problems.push_back({0, rows.status(), "the store does not open: " + rows.error().message});
        rep.ok = false;
    }
    return rep;
}

} // namespace

VerifyReport RvfStore::verify() const {
    std::shared_lock<std::shared_mutex> g(impl_->state_mu);
    auto bytes = impl_->storage->read_all();
    if (!bytes) {
        VerifyReport rep;
        rep.ok = false;
        rep.problems.push_back({0, bytes.status(), bytes.error().message});
        return rep;
    }
    return verify_image(core::ByteView(bytes->data(), bytes->size()), impl_->table.live());
}

VerifyReport verify_bytes(std::span<const uint8_t> bytes) {
    return verify_loaded_or_not(std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

VerifyReport verify_file(const std::string &path) {
    auto bytes = read_file_bytes(path);
    if (!bytes) {
        VerifyReport rep;
        rep.ok = false;
        rep.problems.push_back({0, bytes.status(), bytes.error().message});
        return rep;
    }
    return verify_loaded_or_not(*bytes);
}

} // namespace rvf
