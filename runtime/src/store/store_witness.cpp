// store_witness.cpp — the audit trail on the witness chain: append_witness (an action of the
// caller's own, one commit of an AUDIT record + its WITNESS entry) and witness_entries (the chain
// read back, each appended entry with its payload). Format: rvf/core/format/audit_record.hpp.
//
// The handle already keeps every chain entry in memory (witness_history: 73 bytes each, carried
// by compaction) and every AUDIT record with the segments it copies on a rewrite
// (preserved_segments), so reading the trail needs no file access. A record is paired with its
// entry by the chain link it names (prev_hash), which survives the renumbering a compaction does.
#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include <rvf/core/format/audit_record.hpp>

#include "store_impl.hpp"

namespace rvf {
namespace {

using Digest = std::array<uint8_t, core::kWitnessDigestSize>;

bool caller_witness_type(uint8_t t) {
    return t == kWitnessDelegation || t == kWitnessAudit || t == kWitnessAttestation;
}

WitnessRecord record_of(const uint8_t *entry, uint64_t index) {
    const core::WitnessEntry e = core::decode_witness_entry(entry);
    WitnessRecord r;
    r.index = index;
    r.witness_type = e.witness_type;
    r.timestamp_ns = e.timestamp_ns;
    std::memcpy(r.prev_hash.data(), e.prev_hash, 32);
    std::memcpy(r.action_hash.data(), e.action_hash, 32);
    core::witness_link_hash(entry, r.hash.data());
    return r;
}

/// The chain's distinct entries in order (a merge's digest may repeat entries the chain holds).
std::vector<const std::vector<uint8_t> *> chain_entries(const RvfStore::Impl &s) {
    std::vector<const std::vector<uint8_t> *> out;
    std::set<Digest> seen;
    for (const auto &e : s.witness_history) {
        if (e.size() != core::kWitnessEntrySize)
            continue;
        Digest link{};
        core::witness_link_hash(e.data(), link.data());
        if (seen.insert(link).second)
            out.push_back(&e);
    }
    return out;
}

} // namespace

Result<WitnessRecord> RvfStore::append_witness(uint8_t witness_type, std::span<const uint8_t> payload) {
    Impl &s = *impl_;
    std::unique_lock<std::shared_mutex> g(s.state_mu);
    if (auto w = s.check_writable(); !w)
        return w.error();
    if ((s.config.flags & core::kStoreConfigWitness) == 0)
        return Error{Status::InvalidOptions, "this store was created with witness = false, so it has no witness chain "
                                             "to append to; create the store with the witness chain on (the default)"};
    if (!caller_witness_type(witness_type))
        return Error{Status::InvalidArgument,
                     "witness type " + std::to_string(witness_type) +
                         " cannot be appended: use 3 (delegation), 4 (audit) or 5 (attestation); 1 and 2 are the "
                         "store's own commit entries and 9..13 are lineage entries"};
    if (payload.size() > kMaxWitnessPayload)
        return Error{Status::SegmentTooLarge, "witness payload is " + std::to_string(payload.size()) +
                                                  " bytes; the limit is " + std::to_string(kMaxWitnessPayload) +
                                                  ": store the data itself elsewhere (rows' metadata, a file) and "
                                                  "append its hash"};
    Digest prev{};
    if (s.last_witness)
        core::witness_link_hash(s.last_witness->data(), prev.data());
    std::vector<uint8_t> rec(core::kAuditFixedSize + payload.size());
    core::ByteWriter w(core::MutByteView(rec.data(), rec.size()));
    if (Status st = core::encode_audit_record(w, witness_type, prev.data(), core::ByteView(payload.data(), payload.size()));
        st != Status::Ok)
        return Error{st, "audit record encoding"};
    PendingSegment seg{static_cast<core::SegType>(core::kAuditSegType), 0, rec};
    s.defer_sync = true; // group commit: the fsync happens below, outside the lock
    auto committed = s.commit({seg}, witness_type, s.table.live());
    s.defer_sync = false;
    if (!committed)
        return committed.error();
    s.preserved_segments.push_back(std::move(seg)); // rewrites carry it, witness_entries reads it
    WitnessRecord out = record_of(s.last_witness->data(), chain_entries(s).size() - 1);
    out.payload.emplace(payload.begin(), payload.end());
    s.maintain_after_write();
    const uint64_t seq = s.last_commit_seq;
    g.unlock();
    if (auto d = s.wait_durable(seq); !d)
        return d.error();
    return out;
}

Result<std::vector<WitnessRecord>> RvfStore::witness_entries(uint64_t from, size_t limit) const {
    const Impl &s = *impl_;
    std::shared_lock<std::shared_mutex> g(s.state_mu);
    // AUDIT records by the link their entry carries (and its type, which must agree).
    std::map<Digest, std::pair<uint8_t, core::ByteView>> records;
    for (const PendingSegment &p : s.preserved_segments) {
        if (static_cast<uint8_t>(p.type) != core::kAuditSegType)
            continue;
        core::AuditRecordView v;
        if (core::AuditRecordView::parse(core::ByteView(p.payload.data(), p.payload.size()), v) != Status::Ok)
            return Error{Status::TruncatedSegment, "an audit record segment does not decode; run `rvf verify` for the details"};
        Digest k{};
        std::memcpy(k.data(), v.prev_hash, k.size());
        records[k] = {v.witness_type, v.payload};
    }
    const auto entries = chain_entries(s);
    std::vector<WitnessRecord> out;
    for (uint64_t i = from; i < entries.size() && out.size() < limit; ++i) {
        WitnessRecord r = record_of(entries[i]->data(), i);
        if (auto it = records.find(r.prev_hash); it != records.end() && it->second.first == r.witness_type &&
                                                 caller_witness_type(r.witness_type))
            r.payload.emplace(it->second.second.data, it->second.second.data + it->second.second.size);
        out.push_back(std::move(r));
    }
    return out;
}

uint64_t RvfStore::witness_count() const {
    std::shared_lock<std::shared_mutex> g(impl_->state_mu);
    return chain_entries(*impl_).size();
}

} // namespace rvf
