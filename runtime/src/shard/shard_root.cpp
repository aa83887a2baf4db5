// shard_root.cpp — see shard_root.hpp.
#include "shard_root.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <rvf/core/format/layout_s_manifest.hpp>
#include <rvf/core/format/manifest_tlv.hpp>
#include <rvf/core/format/segment_header.hpp>
#include <rvf/file_report.hpp>
#include <rvf/hash.hpp>
#include <rvf/io/durable_file.hpp>
#include <rvf/layout_s_writer.hpp>
#include <rvf/sharded.hpp>

namespace rvf {

std::string sharded_root_message(const std::string &path) {
    return path + " is the root of a sharded collection (it lists shard files and holds no rows): open it with "
                  "ShardedCollection::open_readonly, or query it with `rvf shard query`";
}

namespace shard_detail {
namespace {

core::DataType dtype_of(uint8_t storage) {
    return storage == 1 ? core::DataType::F16 : storage == 2 ? core::DataType::I8 : core::DataType::F32;
}

// One TLV record around `value`, appended to `out` (8-aligned from the area's start).
Result<void> append_record(std::vector<uint8_t> &out, core::ManifestTag tag, const std::vector<uint8_t> &value) {
    const size_t at = out.size();
    out.resize(at + static_cast<size_t>(core::tlv_record_span(value.size())));
    core::ByteWriter w(core::MutByteView(out.data() + at, out.size() - at));
    if (core::encode_tlv_record(w, core::tag_value(tag), core::ByteView(value.data(), value.size())) != Status::Ok)
        return Error{Status::InvalidArgument, "root TLV record does not encode"};
    return {};
}

} // namespace

bool is_url(const std::string &name) { return name.rfind("http://", 0) == 0 || name.rfind("https://", 0) == 0; }

std::string resolve_shard_path(const std::string &root_path, const std::string &name) {
    if (is_url(name))
        return {};
    return (std::filesystem::path(root_path).parent_path() / name).string();
}

Result<std::vector<uint8_t>> encode_root(const RootRecord &r) {
    const uint16_t dim = r.config.dimension;
    if (r.shards.empty() || r.shards.size() > core::kMaxShards)
        return Error{Status::InvalidArgument, "a sharded root lists 1.." + std::to_string(core::kMaxShards) + " shards"};
    // SHARD_REFS: centroids and radii interleaved as the record wants them.
    std::vector<std::vector<float>> packed(r.shards.size());
    std::vector<core::ShardRef> refs(r.shards.size());
    for (size_t i = 0; i < r.shards.size(); ++i) {
        const auto &s = r.shards[i];
        const size_t c = s.summary.count();
        for (size_t j = 0; j < c; ++j) {
            packed[i].insert(packed[i].end(), s.summary.centroids.begin() + static_cast<long>(j * dim),
                             s.summary.centroids.begin() + static_cast<long>((j + 1) * dim));
            packed[i].push_back(s.summary.radii[j]);
        }
        core::ShardRef &f = refs[i];
        f.shard_id = static_cast<uint16_t>(i + 1);
        f.name = core::ByteView(reinterpret_cast<const uint8_t *>(s.name.data()), s.name.size());
        f.file_size = s.file_size;
        f.live_rows = s.live_rows;
        std::memcpy(f.file_id, s.file_id, 16);
        std::memcpy(f.root_hash, s.tail_hash, 16);
        f.epoch = s.epoch;
        f.centroid_count = static_cast<uint32_t>(c);
        f.centroids = core::ByteView(reinterpret_cast<const uint8_t *>(packed[i].data()), packed[i].size() * 4);
    }
    const core::ShardRefsHeader h{.routing = r.routing, .shard_count = static_cast<uint16_t>(refs.size()), .dimension = dim};
    const uint64_t size = core::shard_refs_encoded_size(dim, refs.data(), refs.size());
    if (size == 0 || size > UINT32_MAX)
        return Error{Status::InvalidArgument, "shard list does not fit a SHARD_REFS record (names ≤ 1,024 bytes, "
                                              "≤ 4,096 centroids a shard)"};
    std::vector<uint8_t> refs_value(static_cast<size_t>(size));
    core::ByteWriter rw(core::MutByteView(refs_value.data(), refs_value.size()));
    if (core::encode_shard_refs(rw, h, refs.data()) != Status::Ok)
        return Error{Status::InvalidArgument, "shard list refused: check shard names (relative paths without '..', "
                                              "or http(s) URLs) and that centroids are finite"};

    std::vector<uint8_t> cfg_value(core::kStoreConfigSize);
    core::ByteWriter cw(core::MutByteView(cfg_value.data(), cfg_value.size()));
    core::StoreConfig cfg = r.config;
    cfg.flags = static_cast<uint8_t>(cfg.flags | core::kStoreConfigShardedRoot);
    if (core::encode_store_config(cw, cfg) != Status::Ok)
        return Error{Status::InvalidArgument, "root PROFILE_CONFIG does not encode"};

    std::vector<uint8_t> extra;
    if (auto a = append_record(extra, core::ManifestTag::ProfileConfig, cfg_value); !a)
        return a.error();
    if (auto a = append_record(extra, core::ManifestTag::ShardRefs, refs_value); !a)
        return a.error();

    core::ManifestL0 root;
    uint64_t live = 0;
    for (const auto &s : r.shards)
        live += s.live_rows;
    root.total_vector_count = live;
    root.dimension = dim;
    root.base_dtype = static_cast<uint8_t>(dtype_of(r.config.storage));
    root.epoch = r.epoch;
    root.created_ns = r.created_ns;
    root.modified_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    std::memcpy(root.file_id, r.file_id, 16);
    LayoutSWriter w;
    if (auto m = w.append_manifest(root, nullptr, core::ByteView(extra.data(), extra.size())); !m)
        return m.error();
    return w.take_bytes();
}

Result<RootRecord> decode_root(const std::vector<uint8_t> &file) {
    const core::ByteView bytes(file.data(), file.size());
    const FileReport rep = inspect_file(bytes);
    if (!rep.manifest)
        return Error{rep.clean() ? Status::ManifestNotFound : rep.status(),
                     "sharded root has no valid manifest" +
                         (rep.problems.empty() ? std::string() : ": " + rep.problems.front().what)};
    if (!rep.clean())
        return Error{rep.status(), "sharded root is damaged: " + rep.problems.front().what};
    if (rep.manifest->layout != FileLayout::S)
        return Error{Status::UnsupportedLayout, "not a sharded root: a Layout R file"};
    core::SegmentHeader mh;
    if (Status s = core::decode_segment_header(bytes.from(static_cast<size_t>(rep.manifest->offset)), rep.manifest->offset,
                                               bytes.size, mh);
        s != Status::Ok)
        return Error{s, "sharded root's manifest header does not decode"};
    const uint64_t payload_off = rep.manifest->offset + core::kSegmentHeaderSize;
    core::LayoutSManifestView mv;
    if (Status s = core::parse_layout_s_manifest(bytes.sub(static_cast<size_t>(payload_off), mh.payload_length),
                                                 payload_off, mv);
        s != Status::Ok)
        return Error{s, "sharded root's manifest does not decode"};
    RootRecord r;
    core::TlvRecord cfg, refs;
    if (!mv.tlv.find(core::ManifestTag::ShardRefs, refs))
        return Error{Status::UnsupportedLayout, "not a sharded root (no SHARD_REFS record): open it as a store"};
    if (!mv.tlv.find(core::ManifestTag::ProfileConfig, cfg) ||
        core::decode_store_config(cfg.value, r.config) != Status::Ok ||
        !(r.config.flags & core::kStoreConfigShardedRoot) || r.config.dimension != mv.root.dimension)
        return Error{Status::InvalidManifest, "sharded root's PROFILE_CONFIG is missing or inconsistent"};
    core::ShardRefsHeader h;
    if (Status s = core::decode_shard_refs_header(refs.value, h); s != Status::Ok || h.dimension != r.config.dimension)
        return Error{Status::InvalidManifest, "sharded root's SHARD_REFS header is invalid"};
    r.routing = h.routing;
    r.epoch = mv.root.epoch;
    r.created_ns = mv.root.created_ns;
    std::memcpy(r.file_id, mv.root.file_id, 16);
    core::ShardRefsCursor c(refs.value, h);
    core::ShardRef s;
    while (c.next(s)) {
        RootRecord::Shard out;
        out.name.assign(reinterpret_cast<const char *>(s.name.data), s.name.size);
        out.file_size = s.file_size;
        out.live_rows = s.live_rows;
        std::memcpy(out.file_id, s.file_id, 16);
        std::memcpy(out.tail_hash, s.root_hash, 16);
        out.epoch = s.epoch;
        out.summary.dim = h.dimension;
        for (uint32_t j = 0; j < s.centroid_count; ++j) {
            const uint8_t *p = s.centroids.data + static_cast<size_t>(j) * (h.dimension + 1u) * 4;
            for (uint16_t d = 0; d < h.dimension; ++d)
                out.summary.centroids.push_back(core::load_f32_le(p + d * 4u));
            out.summary.radii.push_back(core::load_f32_le(p + h.dimension * 4u));
        }
        r.shards.push_back(std::move(out));
    }
    if (c.status() != Status::Ok)
        return Error{c.status(), "sharded root's SHARD_REFS record is invalid (shard " +
                                     std::to_string(r.shards.size() + 1) + ")"};
    return r;
}

Result<RootRecord> read_root(const std::string &path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec)
        return Error{Status::ManifestNotFound, "cannot open sharded root " + path + ": " + ec.message()};
    if (size > kMaxRootFileBytes)
        return Error{Status::UnsupportedLayout, path + " is " + std::to_string(size) +
                                                    " bytes: larger than any sharded root (64 MiB); is it a store?"};
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> file(static_cast<size_t>(size));
    if (!in.read(reinterpret_cast<char *>(file.data()), static_cast<std::streamsize>(file.size())))
        return Error{Status::IoError, "cannot read sharded root " + path};
    auto r = decode_root(file);
    if (!r)
        return Error{r.status(), path + ": " + r.error().message};
    return r;
}

Result<void> write_root(const std::string &path, const RootRecord &r) {
    auto bytes = encode_root(r);
    if (!bytes)
        return bytes.error();
    const std::string tmp = path + ".root.tmp";
    std::filesystem::remove(tmp);
    auto f = io::DurableFile::create_new(tmp);
    if (!f)
        return f.error();
    if (auto a = f->append(core::ByteView(bytes->data(), bytes->size())); !a) {
        f->close();
        std::filesystem::remove(tmp);
        return a.error();
    }
    f->close();
    if (auto a = io::atomic_replace(tmp, path); !a)
        return a.error();
    return {};
}

Result<void> fingerprint(const std::string &path, uint64_t &size, uint8_t hash[16]) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in)
        return Error{Status::ManifestNotFound, "shard file " + path + " cannot be opened"};
    size = static_cast<uint64_t>(in.tellg());
    const uint64_t n = std::min<uint64_t>(size, core::kRootManifestSize);
    std::vector<uint8_t> tail(static_cast<size_t>(n));
    in.seekg(static_cast<std::streamoff>(size - n));
    if (!in.read(reinterpret_cast<char *>(tail.data()), static_cast<std::streamsize>(n)))
        return Error{Status::IoError, "shard file " + path + " cannot be read"};
    xxh3_128(core::ByteView(tail.data(), tail.size()), hash);
    return {};
}

} // namespace shard_detail
} // namespace rvf
