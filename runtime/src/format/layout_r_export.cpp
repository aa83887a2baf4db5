// Layout R export: replays the store as upstream's runtime would have built it (spec §3.1-3.5,
// §3.9), using only the core codecs for the bytes.
#include "rvf/layout_r_export.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <unordered_set>

#include <rvf/core/format/layout_r_journal.hpp>
#include <rvf/core/format/layout_r_manifest.hpp>
#include <rvf/core/format/layout_r_vec.hpp>
#include <rvf/core/format/layout_r_witness.hpp>
#include <rvf/core/hash/crc32.hpp>

namespace rvf {
namespace {

using core::ByteView;
using core::ByteWriter;
using core::SegType;

/// Appends packed Layout R segments (legacy CRC digest, no padding) and keeps the in-memory
/// directory the way upstream's writer does (every segment, manifests included, in order).
class RWriter {
public:
    std::vector<uint8_t> out;
    std::vector<core::LayoutRDirEntry> dir;
    uint64_t next_id = 1;

    template <class Encode> Status append(SegType type, Encode &&encode) {
        ByteWriter counter;
        RVF_TRY(encode(counter));
        const size_t len = counter.pos();
        const uint64_t off = out.size();
        out.resize(off + core::kSegmentHeaderSize + len);
        ByteWriter w(core::MutByteView(out.data() + off + core::kSegmentHeaderSize, len));
        RVF_TRY(encode(w));
        core::SegmentHeader h;
        h.seg_type = static_cast<uint8_t>(type);
        h.segment_id = next_id++;
        h.payload_length = len;
        h.checksum_algo = 0;
        core::layout_r_legacy_digest(core::crc32_ieee(ByteView(out.data() + off + core::kSegmentHeaderSize, len)),
                                     h.content_hash);
        core::encode_segment_header(h, out.data() + off);
        dir.push_back({h.segment_id, off, len, h.seg_type});
        return Status::Ok;
    }
    ByteView last_payload() const {
        const auto &e = dir.back();
        return ByteView(out.data() + e.file_offset + core::kSegmentHeaderSize, e.payload_length);
    }
};

uint64_t now_ns() {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

} // namespace

Result<std::vector<uint8_t>> export_layout_r(const StoreContents &c, const LayoutRExportOptions &opts) {
    const size_t dim = c.dimension;
    if (dim == 0 || c.vectors.size() != c.ids.size() * dim)
        return Error{Status::DimensionMismatch, "vectors do not match ids × dimension"};
    if (c.metric > 2)
        return Error{Status::MetricUnsupported, "Layout R stores only l2, inner product and cosine"};
    const std::unordered_set<uint64_t> held(c.ids.begin(), c.ids.end());
    if (held.size() != c.ids.size())
        return Error{Status::InvalidArgument, "duplicate ids"};
    for (uint64_t d : c.deleted_ids)
        if (!held.count(d))
            return Error{Status::InvalidArgument, "deleted id " + std::to_string(d) + " is not held"};
    const uint64_t per_record = core::layout_r_vec_record_size(static_cast<uint32_t>(dim));
    const uint64_t batch_cap = std::min<uint64_t>((opts.max_vec_payload - core::kLayoutRVecHeaderSize) / per_record,
                                                  UINT32_MAX);
    if (batch_cap == 0)
        return Error{Status::InvalidArgument, "max_vec_payload below one vector"};

    core::FileIdentity identity = c.identity;
    if (!core::file_identity_present(identity)) {
        std::random_device rd;
        for (auto &b : identity.file_id)
            b = static_cast<uint8_t>(rd());
    }
    const uint64_t ts = opts.timestamp_ns ? opts.timestamp_ns : now_ns();
    std::vector<uint64_t> deleted = c.deleted_ids;
    std::sort(deleted.begin(), deleted.end()); // upstream writes the list ascending

    RWriter w;
    uint32_t epoch = 0;
    uint64_t total = 0;
    std::vector<uint8_t> last_witness;
    auto manifest = [&](uint32_t e, const std::vector<uint64_t> &dels) {
        core::LayoutRManifestHeader hdr;
        hdr.epoch = e;
        hdr.dimension = static_cast<uint16_t>(dim);
        hdr.total_vectors = total;
        hdr.profile_id = opts.profile_id;
        hdr.metric = c.metric;
        const auto entries = w.dir; // the manifest lists everything before it, not itself
        return w.append(SegType::Manifest, [&](ByteWriter &bw) {
            return core::encode_layout_r_manifest(bw, hdr, entries.data(), static_cast<uint32_t>(entries.size()),
                                                  dels.data(), static_cast<uint32_t>(dels.size()), &identity,
                                                  nullptr);
        });
    };
    auto witness = [&](uint8_t type, const std::string &action) {
        uint8_t prev[core::kWitnessHashSize] = {};
        if (!last_witness.empty())
            core::layout_r_witness_chain_hash(ByteView(last_witness.data(), last_witness.size()), prev);
        RVF_TRY(w.append(SegType::Witness, [&](ByteWriter &bw) {
            return core::encode_layout_r_witness(bw, type, ts, reinterpret_cast<const uint8_t *>(action.data()),
                                                 static_cast<uint32_t>(action.size()), prev);
        }));
        const ByteView p = w.last_payload();
        last_witness.assign(p.data, p.data + p.size);
        return Status::Ok;
    };

    const std::vector<uint64_t> none;
    if (Status s = manifest(0, none); s != Status::Ok)
        return Error{s, "encoding the create manifest"};
    for (size_t start = 0; start < c.ids.size(); start += batch_cap) {
        const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(batch_cap, c.ids.size() - start));
        Status s = w.append(SegType::Vec, [&](ByteWriter &bw) {
            return core::encode_layout_r_vec(bw, static_cast<uint16_t>(dim), c.ids.data() + start,
                                             c.vectors.data() + start * dim, n);
        });
        total += n;
        ++epoch;
        if (s == Status::Ok)
            s = witness(core::kWitnessComputation,
                        "ingest:count=" + std::to_string(n) + ",epoch=" + std::to_string(epoch));
        if (s == Status::Ok)
            s = manifest(epoch, none);
        if (s != Status::Ok)
            return Error{s, "encoding an ingest batch"};
    }
    if (!deleted.empty()) {
        ++epoch;
        Status s = w.append(SegType::Journal, [&](ByteWriter &bw) {
            return core::encode_layout_r_journal(bw, epoch, deleted.data(), static_cast<uint32_t>(deleted.size()));
        });
        if (s == Status::Ok)
            s = witness(core::kWitnessDataProvenance,
                        "delete:count=" + std::to_string(deleted.size()) + ",epoch=" + std::to_string(epoch));
        if (s == Status::Ok)
            s = manifest(std::max(epoch, c.epoch), deleted);
        if (s != Status::Ok)
            return Error{s, "encoding the deletions"};
    } else if (c.epoch > epoch) {
        // Carry the store's epoch: one more manifest, as upstream writes after a no-op mutation.
        if (Status s = manifest(c.epoch, none); s != Status::Ok)
            return Error{s, "encoding the final manifest"};
    }
    return std::move(w.out);
}

} // namespace rvf
