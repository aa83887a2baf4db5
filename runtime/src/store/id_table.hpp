// id_table.hpp — the persisted id → row table (Layout S extension, docs/format-id-table.md):
// written by compactions next to their row-major VEC segments so a read-only open can answer
// id → row by binary search where the table lies in the file mapping, instead of decoding every
// VEC id map into a hash map at open (O(N) time and ~56 bytes a row of anonymous memory).
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/result.hpp>

namespace rvf::store_detail {

inline constexpr uint8_t kIdTableMagic[4] = {'R', 'V', 'I', 'D'};
inline constexpr uint16_t kIdTableVersion = 1;
inline constexpr size_t kIdTableHeaderSize = 32;
/// Compactions of fewer live rows write no table: decoding their ids at open costs microseconds,
/// and the table's 20 bytes a row would make compacting a small store grow its file.
inline constexpr size_t kIdTableMinRows = 1024;
inline constexpr size_t kIdTableSegmentRecord = 16;
inline constexpr size_t kIdTableFooter = 8;

/// A VEC segment the table covers: its segment id and how many rows (slots) it holds.
struct IdTableSegment {
    uint64_t segment_id = 0;
    uint32_t rows = 0;
};

/// Payload for `ids` (one per row, in slot order; unique) held by `segments` in that order.
std::vector<uint8_t> encode_id_table(std::span<const uint64_t> ids, std::span<const IdTableSegment> segments);

/// The same, with the segments as a rewrite records them (segment id, rows).
std::vector<uint8_t> encode_id_table(std::span<const uint64_t> ids,
                                     const std::vector<std::pair<uint64_t, uint32_t>> &segments);

/// Does this INDEX_SEG payload start with the id-table magic?
bool is_id_table(core::ByteView payload);

/// Bytes of the payload before the arrays (header + segment list, padded): what an open reads.
/// Returns 0 when `head` (at least kIdTableHeaderSize bytes) is not a table of this version.
size_t id_table_prefix_size(core::ByteView head);

/// A checked view of a table where it lies. Only the header, the segment list and the sizes are
/// checked (O(segments)); the arrays are untrusted and every lookup bounds-checks what it reads.
class IdTableView {
public:
    /// Checks magic, version, zero flags and reserved fields, sizes adding up to the payload and
    /// the footer. Reads the header and segment list only.
    static Result<IdTableView> parse(core::ByteView payload);

    uint32_t rows() const { return n_; }
    const std::vector<IdTableSegment> &segments() const { return segments_; }
    /// The id stored for `row` (row < rows()).
    uint64_t id_at(uint32_t row) const { return core::load_u64_le(row_ids_ + 8 * size_t{row}); }
    /// Binary search of the sorted ids. A row is returned only when it is < rows() and the row's
    /// own id agrees, so a damaged table can hide or misname rows but never point outside.
    std::optional<uint32_t> find(uint64_t id) const;

private:
    uint32_t n_ = 0;
    std::vector<IdTableSegment> segments_;
    const uint8_t *row_ids_ = nullptr;    ///< u64[n]: id of each row
    const uint8_t *sorted_ids_ = nullptr; ///< u64[n]: the ids ascending
    const uint8_t *sorted_rows_ = nullptr; ///< u32[n]: row of sorted_ids_[i]
};

} // namespace rvf::store_detail
