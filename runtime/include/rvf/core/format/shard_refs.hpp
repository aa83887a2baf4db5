// rvf/core/format/shard_refs.hpp — our value for the Level-1 SHARD_REFS record (TLV 0x0006):
// the shard list of a sharded collection's root file (issue 21). The spec names the tag but
// leaves it unspecified (§4.4); its "multi-file mode byte" (0x01 sharded, §6.9) and the u16
// shard ids of directory entries (§4.5) are kept, and what a stateless reader needs to find,
// check and route to each shard is added. Layout and rules: docs/format-shard-refs.md.
//
// Value (LE), a 16-byte header then shard_count records, each starting 8-aligned:
//  header  0x00 u8  mode            1 (sharded)
//          0x01 u8  routing         0 rows placed by id hash · 1 rows placed by nearest centroid
//          0x02 u16 shard_count     1..kMaxShards
//          0x04 u16 dimension       of the centroids; equals the collection's
//          0x06 u16 zero
//          0x08 u64 zero
//  record  0x00 u16 shard_id        1..shard_count, in order (0 means "the main file" in §4.5)
//          0x02 u16 name_length     1..kMaxShardNameLength
//          0x04 u32 centroid_count  0..kMaxShardCentroids
//          0x08 u64 file_size       the shard's size when the root was committed
//          0x10 u64 live_rows       the shard's live row count then
//          0x18 u8[16] file_id      the shard's FileIdentity id (Level-0 root)
//          0x28 u8[16] root_hash    XXH3-128 of the shard's last 4,096 bytes (its Level-0 root) then
//          0x38 u32 epoch           the shard's epoch then (a shard found at an earlier one lost commits)
//          0x3C u32 zero
//          0x40 name                UTF-8: a relative path (resolved against the root's directory
//                                   or URL) or an absolute http(s) URL; zero padding to 8
//          ...  centroid_count × (dimension × f32 centroid, f32 radius): the radius bounds the
//               L2 distance from the centroid to every row the shard held then; zero padding to 8
// Nothing follows the last record. Every reserved field is zero, every float finite, every
// radius ≥ 0; anything else is InvalidManifest. Freestanding.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../bytes.hpp"
#include "../status.hpp"

namespace rvf::core {

inline constexpr uint8_t kShardRefsModeSharded = 1;
inline constexpr size_t kShardRefsHeaderSize = 16;
inline constexpr size_t kShardRecordFixedSize = 0x40;
inline constexpr uint16_t kMaxShards = 4096;
inline constexpr uint16_t kMaxShardNameLength = 1024;
inline constexpr uint32_t kMaxShardCentroids = 4096;

enum class ShardRouting : uint8_t { IdHash = 0, Centroid = 1 };

struct ShardRefsHeader {
    ShardRouting routing = ShardRouting::IdHash;
    uint16_t shard_count = 0;
    uint16_t dimension = 0;
};

/// One shard record. Views point into the decoded value (or, when encoding, the caller's data):
/// `centroids` holds centroid_count × (dimension + 1) little-endian f32s.
struct ShardRef {
    uint16_t shard_id = 0;
    ByteView name;
    uint64_t file_size = 0;
    uint64_t live_rows = 0;
    uint8_t file_id[16] = {};
    uint8_t root_hash[16] = {};
    uint32_t epoch = 0;
    uint32_t centroid_count = 0;
    ByteView centroids;
};

/// A shard name the reader may resolve without escaping the root's directory: an http:// or
/// https:// URL, or a relative path with no empty, "." or ".." component, no backslash, no
/// control byte. (A leading "/" would let a root name any file on the reader's machine.)
constexpr bool shard_name_valid(ByteView n) {
    if (n.size == 0 || n.size > kMaxShardNameLength)
        return false;
    for (size_t i = 0; i < n.size; ++i)
        if (n[i] < 0x20 || n[i] == 0x7F || n[i] == '\\')
            return false;
    auto starts = [&](const char *p) {
        size_t i = 0;
        for (; p[i]; ++i)
            if (i >= n.size || n[i] != static_cast<uint8_t>(p[i]))
                return false;
        return n.size > i; // something after the scheme
    };
    if (starts("http://") || starts("https://"))
        return true;
    size_t start = 0;
    for (size_t i = 0; i <= n.size; ++i) {
        if (i < n.size && n[i] != '/')
            continue;
        const size_t len = i - start;
        if (len == 0) // leading "/", "//" or a trailing "/"
            return false;
        if (len == 1 && n[start] == '.')
            return false;
        if (len == 2 && n[start] == '.' && n[start + 1] == '.')
            return false;
        start = i + 1;
    }
    return true;
}

/// Bytes one record occupies, padding included; 0 when the counts are out of range.
constexpr uint64_t shard_record_size(uint16_t dimension, size_t name_length, uint32_t centroid_count) {
    if (name_length == 0 || name_length > kMaxShardNameLength || centroid_count > kMaxShardCentroids)
        return 0;
    return align_up(kShardRecordFixedSize + name_length, 8) +
           align_up(static_cast<uint64_t>(centroid_count) * (static_cast<uint64_t>(dimension) + 1) * 4, 8);
}

namespace shard_refs_detail {
constexpr bool all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (p[i])
            return false;
    return true;
}
inline bool floats_ok(ByteView f, uint16_t dimension) {
    const size_t stride = (static_cast<size_t>(dimension) + 1) * 4;
    for (size_t at = 0; at < f.size; at += 4) {
        const float v = load_f32_le(f.data + at);
        if (!(v - v == 0.0f)) // NaN or infinite
            return false;
        if ((at + 4) % stride == 0 && v < 0.0f) // the radius closing each centroid
            return false;
    }
    return true;
}
} // namespace shard_refs_detail

/// Reads the records of a value one by one, each fully checked. `next` returns false at the
/// clean end and on the first bad record; `status()` then says which. Construct with
/// decode_shard_refs, which checks the header.
class ShardRefsCursor {
public:
    constexpr ShardRefsCursor() = default;
    constexpr ShardRefsCursor(ByteView value, const ShardRefsHeader &h) : r_(value), h_(h) {
        (void)r_.skip(kShardRefsHeaderSize);
    }

    bool next(ShardRef &s) {
        if (status_ != Status::Ok)
            return false;
        if (seen_ == h_.shard_count) {
            if (!r_.at_end()) // bytes after the last record
                return fail();
            return false;
        }
        s = ShardRef{};
        s.shard_id = r_.u16();
        const uint16_t name_length = r_.u16();
        s.centroid_count = r_.u32();
        s.file_size = r_.u64();
        s.live_rows = r_.u64();
        (void)r_.copy(s.file_id, 16);
        (void)r_.copy(s.root_hash, 16);
        s.epoch = r_.u32();
        const uint32_t zero = r_.u32();
        if (!r_.ok() || zero != 0 || s.shard_id != seen_ + 1 || name_length == 0 || name_length > kMaxShardNameLength ||
            s.centroid_count > kMaxShardCentroids)
            return fail();
        s.name = r_.bytes(name_length);
        if (!r_.ok() || !shard_name_valid(s.name) || !r_.skip_zero_pad(8))
            return fail();
        const uint64_t bytes = static_cast<uint64_t>(s.centroid_count) * (static_cast<uint64_t>(h_.dimension) + 1) * 4;
        if (bytes > r_.remaining())
            return fail();
        s.centroids = r_.bytes(static_cast<size_t>(bytes));
        if (!r_.ok() || !shard_refs_detail::floats_ok(s.centroids, h_.dimension) || !r_.skip_zero_pad(8))
            return fail();
        ++seen_;
        return true;
    }
    constexpr Status status() const { return status_; }

private:
    constexpr bool fail() {
        status_ = RVF_CORRUPT(Status::InvalidManifest);
        return false;
    }
    ByteReader r_{ByteView{}};
    ShardRefsHeader h_{};
    uint16_t seen_ = 0;
    Status status_ = Status::Ok;
};

/// Check the header of a SHARD_REFS value. Records are checked as they are read; a caller that
/// needs the whole value valid walks the cursor to its end (validate_shard_refs).
constexpr Status decode_shard_refs_header(ByteView v, ShardRefsHeader &h) {
    ByteReader r(v);
    const uint8_t mode = r.u8();
    const uint8_t routing = r.u8();
    h.shard_count = r.u16();
    h.dimension = r.u16();
    const uint16_t z16 = r.u16();
    const uint64_t z64 = r.u64();
    if (!r.ok() || mode != kShardRefsModeSharded || routing > 1 || h.shard_count == 0 || h.shard_count > kMaxShards ||
        h.dimension == 0 || z16 != 0 || z64 != 0)
        return RVF_CORRUPT(Status::InvalidManifest);
    h.routing = static_cast<ShardRouting>(routing);
    return Status::Ok;
}

/// Header + every record + nothing after the last one.
inline Status validate_shard_refs(ByteView v, ShardRefsHeader &h) {
    RVF_TRY(decode_shard_refs_header(v, h));
    ShardRefsCursor c(v, h);
    ShardRef s;
    while (c.next(s)) {
    }
    return c.status();
}

/// Size of the value for these records (each must satisfy shard_record_size); 0 if any is out of
/// range.
constexpr uint64_t shard_refs_encoded_size(uint16_t dimension, const ShardRef *shards, size_t n) {
    uint64_t size = kShardRefsHeaderSize;
    for (size_t i = 0; i < n; ++i) {
        const uint64_t one = shard_record_size(dimension, shards[i].name.size, shards[i].centroid_count);
        if (one == 0)
            return 0;
        size += one;
    }
    return size;
}

/// Encode header + records. Ids must be 1..n in order, names valid, centroid views exactly
/// centroid_count × (dimension + 1) f32s with finite values and radii ≥ 0: the encoder refuses
/// (InvalidArgument) what the decoder would refuse.
inline Status encode_shard_refs(ByteWriter &w, const ShardRefsHeader &h, const ShardRef *shards) {
    if (h.shard_count == 0 || h.shard_count > kMaxShards || h.dimension == 0 ||
        static_cast<uint8_t>(h.routing) > 1)
        return Status::InvalidArgument;
    const size_t base = w.pos();
    w.u8(kShardRefsModeSharded);
    w.u8(static_cast<uint8_t>(h.routing));
    w.u16(h.shard_count);
    w.u16(h.dimension);
    w.u16(0);
    w.u64(0);
    for (uint16_t i = 0; i < h.shard_count; ++i) {
        const ShardRef &s = shards[i];
        const uint64_t want = static_cast<uint64_t>(s.centroid_count) * (static_cast<uint64_t>(h.dimension) + 1) * 4;
        if (s.shard_id != i + 1 || !shard_name_valid(s.name) || s.centroid_count > kMaxShardCentroids ||
            s.centroids.size != want || !shard_refs_detail::floats_ok(s.centroids, h.dimension))
            return Status::InvalidArgument;
        w.u16(s.shard_id);
        w.u16(static_cast<uint16_t>(s.name.size));
        w.u32(s.centroid_count);
        w.u64(s.file_size);
        w.u64(s.live_rows);
        w.bytes(ByteView(s.file_id, 16));
        w.bytes(ByteView(s.root_hash, 16));
        w.u32(s.epoch);
        w.u32(0);
        w.bytes(s.name);
        while ((w.pos() - base) % 8 != 0)
            w.u8(0);
        w.bytes(s.centroids);
        while ((w.pos() - base) % 8 != 0)
            w.u8(0);
    }
    return w.ok() ? Status::Ok : Status::InvalidArgument;
}

} // namespace rvf::core
