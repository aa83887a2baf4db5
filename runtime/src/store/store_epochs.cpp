// store_epochs.cpp — time travel: which committed epochs a file still holds (list_epochs) and a
// read-only store at one of them (OpenOptions::epoch, from_bytes_readonly).
//
// Why no OVERLAY_CHAIN: a Layout S file is append-only between compactions, and every commit ends
// with a MANIFEST (checkpoint) or a COMMIT record that chains to the one before. The file as it
// was right after the commit of epoch N is therefore exactly its prefix up to the end of that
// commit's MANIFEST or COMMIT record, and the ordinary boot (find the latest valid manifest,
// replay the COMMIT records after it) over that prefix yields epoch N — with the same checks a
// normal open makes. Walking the segments finds every such end; nothing new needs writing.
// docs/time-travel.md has the details and what compaction keeps.
#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

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

/// Epoch of a damaged manifest whose root could not be read: listed, never opened.
constexpr uint32_t kUnknownEpoch = UINT32_MAX;

} // namespace

std::vector<EpochInfo> list_epochs(core::ByteView file) {
    const FileReport rep = inspect_file(file);
    std::vector<EpochInfo> out;
    if (rep.layout == FileLayout::R) { // one manifest, no history this runtime can address
        if (rep.manifest) {
            EpochInfo e;
            e.epoch = rep.manifest->epoch;
            e.total_vectors = rep.manifest->total_vectors;
            e.offset = rep.manifest->offset;
            e.end = file.size;
            e.checkpoint = true;
            out.push_back(e);
        }
        return out;
    }
    if (rep.layout != FileLayout::S)
        return out;
    std::vector<EpochInfo> all;
    for (const SegmentRecord &r : rep.segments) {
        if (r.header_status != Status::Ok)
            continue;
        const uint8_t t = r.header.seg_type;
        const bool manifest = t == static_cast<uint8_t>(core::SegType::Manifest);
        if (!manifest && t != core::kCommitSegType)
            continue;
        const uint64_t payload_off = r.offset + core::kSegmentHeaderSize;
        if (payload_off + r.header.payload_length > file.size)
            continue; // a torn tail: never committed
        const core::ByteView payload = file.sub(static_cast<size_t>(payload_off), static_cast<size_t>(r.header.payload_length));
        EpochInfo e;
        e.offset = r.offset;
        e.end = std::min<uint64_t>(file.size, payload_off + r.header.payload_length + r.header.alignment_pad);
        e.checkpoint = manifest;
        Status st = Status::Ok;
        if (manifest) {
            core::LayoutSManifestView v;
            st = core::parse_layout_s_manifest(payload, payload_off, v);
            if (st == Status::Ok) {
                e.epoch = v.root.epoch;
                e.total_vectors = v.root.total_vector_count;
                e.modified_ns = v.root.modified_ns;
            }
        } else {
            core::CommitRecordView v;
            st = core::CommitRecordView::parse(payload, v);
            if (st == Status::Ok) {
                e.epoch = v.header.epoch;
                e.total_vectors = v.header.total_vector_count;
                e.modified_ns = v.header.modified_ns;
            }
        }
        const char *what = manifest ? "MANIFEST" : "COMMIT record";
        if (r.hash != HashVerdict::Ok) {
            e.damaged = true;
            e.status = Status::InvalidChecksum;
            e.what = std::string(what) + " at " + hex(r.offset) + ": content hash mismatch";
        } else if (st != Status::Ok) {
            e.damaged = true;
            e.status = st;
            e.what = std::string(what) + " at " + hex(r.offset) + ": does not decode";
        }
        if (st != Status::Ok)
            e.epoch = kUnknownEpoch;
        all.push_back(std::move(e));
    }
    // Every commit advances the epoch by one (a close() checkpoint may repeat it): a damaged
    // commit between epochs a and a + 2 was epoch a + 1, so opening that epoch names the damage.
    for (size_t i = 0; i < all.size(); ++i) {
        if (all[i].epoch != kUnknownEpoch)
            continue;
        std::optional<uint32_t> before, after;
        for (size_t j = i; j-- > 0 && !before;)
            if (all[j].epoch != kUnknownEpoch)
                before = all[j].epoch;
        for (size_t j = i + 1; j < all.size() && !after; ++j)
            if (all[j].epoch != kUnknownEpoch)
                after = all[j].epoch;
        if (before && after && *after == *before + 2) {
            all[i].epoch = *before + 1;
            all[i].what += " (epoch " + std::to_string(all[i].epoch) + ", inferred from its neighbours)";
        } else {
            all[i].what += " (its epoch cannot be read)";
        }
    }
    // One entry per epoch: its last intact commit (a close() checkpoint repeats the epoch of the
    // COMMIT record before it), else its first damaged one. Unreadable ones stay as they are.
    std::map<uint32_t, size_t> pick;
    for (size_t i = 0; i < all.size(); ++i) {
        if (all[i].epoch == kUnknownEpoch)
            continue;
        auto it = pick.find(all[i].epoch);
        if (it == pick.end())
            pick[all[i].epoch] = i;
        else if (!all[i].damaged)
            it->second = i;
    }
    for (size_t i = 0; i < all.size(); ++i) {
        auto it = pick.find(all[i].epoch);
        if (all[i].epoch == kUnknownEpoch || (it != pick.end() && it->second == i))
            out.push_back(all[i]);
    }
    return out;
}

Result<RvfStore> RvfStore::open_epoch(const std::string &path, std::vector<uint8_t> bytes, uint32_t epoch) {
    const std::string name = path.empty() ? std::string("the image") : path;
    const std::vector<EpochInfo> epochs = list_epochs(core::ByteView(bytes.data(), bytes.size()));
    const EpochInfo *hit = nullptr;
    std::string unreadable;
    for (const EpochInfo &e : epochs) {
        if (e.epoch == epoch)
            hit = &e;
        else if (e.epoch == kUnknownEpoch)
            unreadable += "; the damaged " + e.what + " may have been it";
    }
    if (hit == nullptr) {
        std::string have;
        for (const EpochInfo &e : epochs)
            if (e.epoch != kUnknownEpoch && !e.damaged)
                have += (have.empty() ? "" : ", ") + std::to_string(e.epoch);
        return Error{Status::ManifestNotFound,
                     "epoch " + std::to_string(epoch) + " is not in " + name + " (it holds epochs " +
                         (have.empty() ? std::string("none") : have) +
                         "; `rvf inspect --epochs` lists them). Compaction keeps only the live state, so epochs "
                         "before the last compaction (or derive) are gone" +
                         unreadable};
    }
    if (hit->damaged)
        return Error{hit->status, "epoch " + std::to_string(epoch) + " of " + name + " is damaged: " + hit->what +
                                      ". It cannot be opened; `rvf verify` lists every problem"};
    bytes.resize(static_cast<size_t>(hit->end)); // the file as it was right after that commit
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->read_only = true;
    impl->storage = store_detail::memory_storage(std::move(bytes));
    auto prefix = impl->storage->read_all();
    if (!prefix)
        return prefix.error();
    if (auto r = impl->load(*prefix, false); !r)
        return Error{r.status(), "epoch " + std::to_string(epoch) + " of " + name + ": " + r.error().message};
    if (impl->epoch != epoch) { // the boot fell back past damage inside that commit
        std::string why = impl->warnings.empty() ? std::string("the boot found epoch ") + std::to_string(impl->epoch)
                                                 : impl->warnings.front();
        return Error{Status::InvalidManifest, "epoch " + std::to_string(epoch) + " of " + name +
                                                  " cannot be reconstructed: " + why + ". `rvf verify` lists every problem"};
    }
    return RvfStore(std::move(impl));
}

Result<RvfStore> RvfStore::from_bytes_readonly(std::span<const uint8_t> bytes, std::optional<uint32_t> epoch) {
    return from_bytes_readonly(std::vector<uint8_t>(bytes.begin(), bytes.end()), epoch);
}

Result<RvfStore> RvfStore::from_bytes_readonly(std::vector<uint8_t> &&bytes, std::optional<uint32_t> epoch) {
    if (epoch)
        return open_epoch("", std::move(bytes), *epoch);
    auto impl = std::make_unique<Impl>();
    impl->read_only = true;
    impl->storage = store_detail::memory_storage(std::move(bytes));
    auto all = impl->storage->read_all();
    if (!all)
        return all.error();
    if (auto r = impl->load(*all, false); !r)
        return r.error();
    return RvfStore(std::move(impl));
}

} // namespace rvf
