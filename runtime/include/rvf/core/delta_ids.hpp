// rvf/core/delta_ids.hpp — delta + LEB128 coding of ascending u64 id lists (spec §6.2, §6.7).
//
//  entry i                      stored as (unsigned LEB128, 1-10 bytes)
//  i % R == 0  (restart point)  the absolute id
//  otherwise                    id[i] − id[i−1]
//
// R = restart interval (VEC_SEG and META_SEG use 128). The byte stream has no length field: its
// end is found by decoding `count` values, so a view walks it once at parse time and then keeps
// only the trimmed bytes. Random access goes through restart points: a caller-held table of
// their byte offsets (fill_restart_offsets) makes at(i) cost at most R steps; without one it
// walks from the start.
//
// Strictness: the decoded list must be non-decreasing — a delta that overflows u64 or a restart
// value below its predecessor is rejected (InvalidManifest). The encoder refuses input that is
// not non-decreasing (InvalidArgument). Freestanding.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "bytes.hpp"
#include "status.hpp"

namespace rvf::core {

inline constexpr uint32_t kDefaultRestartInterval = 128;

/// Number of restart points in a list of `count` entries: ceil(count / R).
constexpr size_t delta_restart_count(uint64_t count, uint32_t restart_interval) {
    return restart_interval == 0 || count == 0 ? 0 : static_cast<size_t>((count - 1) / restart_interval + 1);
}

/// Append ids[0..count) to `w`. Use a counting ByteWriter to size first.
/// Returns InvalidArgument (restart_interval 0, null ids with count > 0, or ids decreasing),
/// OutOfMemory when `w` runs out of room, else Ok.
constexpr Status encode_delta_ids(ByteWriter &w, const uint64_t *ids, size_t count, uint32_t restart_interval) {
    if (restart_interval == 0 || (count > 0 && ids == nullptr))
        return Status::InvalidArgument;
    uint64_t prev = 0;
    for (size_t i = 0; i < count; ++i) {
        if (i > 0 && ids[i] < prev)
            return Status::InvalidArgument;
        const uint64_t v = (i % restart_interval == 0) ? ids[i] : ids[i] - prev;
        if (!w.varint(v))
            return Status::OutOfMemory;
        prev = ids[i];
    }
    return Status::Ok;
}

/// Encoded size in bytes (Ok) or the encoder's argument error.
constexpr Status delta_ids_encoded_size(const uint64_t *ids, size_t count, uint32_t restart_interval, size_t &size) {
    ByteWriter counter;
    RVF_TRY(encode_delta_ids(counter, ids, count, restart_interval));
    size = counter.pos();
    return Status::Ok;
}

/// Sequential decoder over a validated stream (see DeltaIdsView::cursor).
class DeltaIdsCursor {
public:
    constexpr DeltaIdsCursor(ByteView bytes, uint64_t count, uint32_t restart_interval, uint64_t first_index = 0,
                             size_t byte_offset = 0)
        : r_(bytes), count_(count), restart_(restart_interval), i_(first_index) {
        r_.seek(byte_offset);
    }
    /// Next id; false at the end (or, only for unvalidated input, on malformed bytes).
    constexpr bool next(uint64_t &id) {
        if (i_ >= count_ || restart_ == 0)
            return false;
        const uint64_t v = r_.varint();
        if (!r_.ok())
            return false;
        if (i_ % restart_ == 0) {
            prev_ = v;
        } else {
            uint64_t s = 0;
            if (add_overflows(prev_, v, &s))
                return false;
            prev_ = s;
        }
        ++i_;
        id = prev_;
        return true;
    }
    constexpr uint64_t index() const { return i_; }
    constexpr size_t byte_pos() const { return r_.pos(); }

private:
    ByteReader r_;
    uint64_t count_;
    uint32_t restart_;
    uint64_t i_;
    uint64_t prev_ = 0;
};

/// Validated, zero-copy view of a delta-coded id list.
struct DeltaIdsView {
    ByteView bytes; // exactly the encoded ids (trimmed by parse)
    uint64_t count = 0;
    uint32_t restart_interval = kDefaultRestartInterval;
    const uint32_t *restart_offsets = nullptr; // optional, caller-owned: byte offset of each restart point

    /// Walk `count` values at the start of `src`, validating each. On Ok, `out.bytes` covers
    /// exactly the consumed bytes (also returned in `consumed`).
    /// Errors: TruncatedSegment (bytes end early), InvalidManifest (a varint over 10 bytes or
    /// beyond u64, restart_interval 0 with count > 0, a delta that overflows, a restart value
    /// below its predecessor).
    static constexpr Status parse(ByteView src, uint64_t count, uint32_t restart_interval, DeltaIdsView &out,
                                  size_t &consumed) {
        if (count > 0 && restart_interval == 0)
            return RVF_CORRUPT(Status::InvalidManifest);
        if (count > src.size) // every value takes at least one byte
            return RVF_CORRUPT(Status::TruncatedSegment);
        ByteReader r(src);
        uint64_t prev = 0;
        for (uint64_t i = 0; i < count; ++i) {
            const size_t left = r.remaining();
            const uint64_t v = r.varint();
            if (!r.ok()) // with ≥ 10 bytes left only an over-long/overflowing varint can fail
                return RVF_CORRUPT(left >= 10 ? Status::InvalidManifest : Status::TruncatedSegment);
            if (i % restart_interval == 0) {
                if (i > 0 && v < prev)
                    return RVF_CORRUPT(Status::InvalidManifest);
                prev = v;
            } else if (add_overflows(prev, v, &prev)) {
                return RVF_CORRUPT(Status::InvalidManifest);
            }
        }
        out = DeltaIdsView{};
        out.bytes = src.sub(0, r.pos());
        out.count = count;
        out.restart_interval = restart_interval == 0 ? kDefaultRestartInterval : restart_interval;
        consumed = r.pos();
        return Status::Ok;
    }

    constexpr size_t restart_count() const { return delta_restart_count(count, restart_interval); }

    /// Write the byte offset of every restart point into out[0..restart_count()).
    /// InvalidArgument if `n` is too small.
    constexpr Status fill_restart_offsets(uint32_t *out, size_t n) const {
        const size_t need = restart_count();
        if (n < need || (need > 0 && out == nullptr) || bytes.size > UINT32_MAX)
            return Status::InvalidArgument;
        ByteReader r(bytes);
        for (uint64_t i = 0; i < count; ++i) {
            if (i % restart_interval == 0)
                out[i / restart_interval] = static_cast<uint32_t>(r.pos());
            r.varint();
        }
        return r.ok() ? Status::Ok : Status::InvalidArgument;
    }

    /// Adopt a restart-offset table (e.g. from fill_restart_offsets, or one stored on disk).
    /// Checked for shape: n == restart_count(), first offset 0, strictly ascending, inside the
    /// stream. A table that passes but lies still cannot make at() read out of bounds.
    constexpr Status set_restart_offsets(const uint32_t *offsets, size_t n) {
        if (n != restart_count() || (n > 0 && offsets == nullptr))
            return RVF_CORRUPT(Status::InvalidManifest);
        for (size_t k = 0; k < n; ++k) {
            if (offsets[k] >= bytes.size || (k == 0 && offsets[k] != 0) || (k > 0 && offsets[k] <= offsets[k - 1]))
                return RVF_CORRUPT(Status::InvalidManifest);
        }
        restart_offsets = n ? offsets : nullptr;
        return Status::Ok;
    }

    constexpr DeltaIdsCursor cursor() const { return DeltaIdsCursor(bytes, count, restart_interval); }

    /// Id at index i (< count). With a restart table: ≤ R varint steps; without: i + 1 steps.
    /// Returns 0 for i ≥ count.
    constexpr uint64_t at(uint64_t i) const {
        if (i >= count)
            return 0;
        uint64_t start = 0;
        size_t off = 0;
        if (restart_offsets != nullptr) {
            start = i - i % restart_interval;
            off = restart_offsets[start / restart_interval];
        }
        DeltaIdsCursor c(bytes, count, restart_interval, start, off);
        uint64_t id = 0;
        for (uint64_t k = start; k <= i; ++k)
            if (!c.next(id))
                return 0;
        return id;
    }

    /// Index of the first id ≥ `id` (count if none). Binary search over restart points when a
    /// restart table is set, else a linear scan.
    constexpr uint64_t lower_bound(uint64_t id) const {
        uint64_t first = 0;
        if (restart_offsets != nullptr && count > 0) {
            // Largest restart point whose absolute value is < id; the answer lies after it.
            size_t lo = 0, hi = restart_count();
            while (lo < hi) {
                const size_t mid = lo + (hi - lo) / 2;
                ByteReader r(bytes);
                r.seek(restart_offsets[mid]);
                if (r.varint() < id)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo > 0)
                first = static_cast<uint64_t>(lo - 1) * restart_interval;
        }
        size_t off = restart_offsets != nullptr && first > 0 ? restart_offsets[first / restart_interval] : 0;
        DeltaIdsCursor c(bytes, count, restart_interval, first, off);
        uint64_t v = 0;
        while (c.next(v))
            if (v >= id)
                return c.index() - 1;
        return count;
    }
};

} // namespace rvf::core
