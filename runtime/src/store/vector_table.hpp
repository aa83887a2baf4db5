// vector_table.hpp — the store's in-memory vectors: rows in the storage dtype (f32, f16 or
// scalar-quantised i8), an id → slot map, tombstones, and the per-row sums that let the
// integer and half-precision kernels answer L2, inner product and cosine without dequantising.
// A tiered store (store_tiers.hpp) also holds warm and cold rows as codes: each slot then has a
// tier and a position in that tier's array; a table with only hot rows keeps the plain
// slot·row_bytes layout (no per-slot overhead).
// A read-only store opened in place (issue 17) uses "external rows": each slot's row is a
// pointer into the file mapping (or into chunks the table owns, for blocks that had to be
// decoded), and the per-row sums are computed on first need instead of at open, so opening
// touches no row.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <rvf/core/format/enums.hpp>
#include <rvf/store.hpp>

#include "id_table.hpp"
#include "store_tiers.hpp"

namespace rvf::store_detail {

/// Global scalar-quantisation range for i8 storage: code = sq_encode(v, min, max) ∈ [0, 255],
/// stored as code − 128. One range for every dimension keeps Δcode proportional to Δvalue, so
/// L2 is scale² · the i8 kernel's sum and dot products follow from per-row code sums.
struct QuantRange {
    float min = 0, max = 1;
    float scale() const { return (max - min) / 255.0f; }
    /// Value of code 0 in i8 terms (code −128 ↦ min): v = offset() + scale() · i8.
    float offset() const { return min + 128.0f * scale(); }
};

/// A query prepared once per search for the table's dtype.
struct PreparedQuery {
    std::vector<float> q;
    float q_norm2 = 0;
    std::vector<int8_t> q_i8; ///< i8 storage only
    float q_i8_sum = 0, q_i8_sq = 0;
    TierQuery tiers; ///< warm/cold tables, when the table has such rows
    /// prepare_local on an external table whose per-row sums were never computed: distance()
    /// computes each scored row's sums itself (the same values) instead of reading the arrays.
    bool stats_per_row = false;
};

class VectorTable {
public:
    VectorTable() = default;
    VectorTable(uint16_t dim, StorageType storage) : dim_(dim), storage_(storage) {}

    uint16_t dim() const { return dim_; }
    StorageType storage() const { return storage_; }
    size_t slots() const { return base_n_ + ids_.size(); }
    size_t live() const { return by_id_.size() + base_n_ - base_dead_.size(); }
    size_t dead() const { return slots() - live(); }

    bool has_quant() const { return quant_.has_value(); }
    const std::optional<QuantRange> &quant() const { return quant_; }
    void set_quant(QuantRange r) { quant_ = r; }
    void clear_quant() { quant_.reset(); }
    /// Range covering these rows (the i8 training rule: max widened when the range is ~0).
    static QuantRange train_quant(const float *rows, size_t count, size_t dim);

    /// Append a row (floats; narrowed to the dtype). A live duplicate id is the caller's error.
    void add(uint64_t id, const float *v);
    /// Append a row already in the storage dtype (file load: no re-quantisation).
    void add_raw(uint64_t id, const uint8_t *row_bytes);

    /// Switch an empty, untiered table to external rows (see the header comment). The rows
    /// handed to add_external must outlive the table (the store keeps the mapping).
    void use_external_rows();
    bool external_rows() const { return external_; }
    /// External mode: append a row that stays where it is (row_bytes() bytes at `row`).
    void add_external(uint64_t id, const uint8_t *row);
    /// Rows referenced in place (not copied) so far.
    size_t external_row_count() const { return ext_in_place_ + base_n_; }
    /// External mode, before any row: slots [0, ids.rows()) are the rows of a persisted id table
    /// (id_table.hpp) — ids and id → slot read from the table where it lies, row j of run r at
    /// runs[r] + j·row_bytes() with every run but the last holding run_rows rows. Nothing per row
    /// is built; later rows (add_external) and deletions (remove) are kept beside it.
    /// run_rows[i]: rows of runs[i]. Equal sizes (the last may be shorter) take a division per
    /// row; a partitioned compaction's runs (one per partition) take a binary search.
    void use_base(const IdTableView &ids, std::vector<const uint8_t *> runs, const std::vector<uint32_t> &run_rows);
    /// Slots served by a persisted id table (0: none).
    size_t base_rows() const { return base_n_; }
    /// Make room for `rows` more slots, `hot_rows` of them hot, growing geometrically (a file's
    /// open calls this once per VEC segment; exact reservations would copy quadratically).
    void reserve_rows(size_t rows, size_t hot_rows);
    /// Append a row held as tier t's code (models().code_bytes(t) bytes; hot = add_raw).
    /// The model for t must be set.
    void add_coded(uint64_t id, Tier t, const uint8_t *code);
    /// Narrow floats to the hot storage dtype (row_bytes() bytes) as add() would.
    void narrow(const float *v, uint8_t *row) const;

    const TierModels &models() const { return models_; }
    TierModels &models() { return models_; }
    bool tiered() const { return !tier_.empty(); }
    Tier tier_at(uint32_t slot) const { return tier_.empty() ? Tier::Hot : static_cast<Tier>(tier_[slot]); }
    /// Bytes of slot's row in its tier's representation.
    size_t row_size(uint32_t slot) const { return models_.code_bytes(tier_at(slot), row_bytes()); }
    /// Live rows per tier (index: Tier).
    std::array<uint64_t, 3> live_per_tier() const;
    bool remove(uint64_t id);
    bool contains(uint64_t id) const { return slot_of(id).has_value(); }
    std::optional<uint32_t> slot_of(uint64_t id) const;
    uint64_t id_at(uint32_t slot) const { return slot < base_n_ ? base_ids_.id_at(slot) : ids_[slot - base_n_]; }
    bool live_at(uint32_t slot) const {
        if (slot < base_n_)
            return base_dead_.empty() || base_dead_.count(slot) == 0;
        return alive_[slot - base_n_] != 0;
    }
    size_t row_bytes() const; ///< hot rows (the storage dtype)
    /// The slot's row in its tier's representation (row_size(slot) bytes).
    const uint8_t *row_ptr(uint32_t slot) const {
        if (external_) {
            if (slot < base_n_)
                return base_run_first_.empty()
                           ? base_runs_[slot / base_run_rows_] + size_t{slot % base_run_rows_} * base_row_bytes_
                           : base_row_in_runs(slot);
            return ext_[slot - base_n_];
        }
        if (tier_.empty())
            return data_.data() + size_t{slot} * row_bytes();
        return tier_row_ptr(slot);
    }
    void to_float(uint32_t slot, float *out) const;

    /// Distance between two stored rows (index build and repair).
    float distance_between(Metric m, uint32_t a, uint32_t b) const;

    PreparedQuery prepare(const float *q, Metric m) const;
    /// As prepare(), for a query that scores a few rows (QueryOptions::nprobe): an external
    /// table does not compute every row's sums first (cosine, i8 inner product), which on a
    /// cold mapping would read the whole file; distance() derives the sums of the rows it
    /// scores. Same distances as prepare() to the bit.
    PreparedQuery prepare_local(const float *q, Metric m) const;
    float distance(Metric m, uint32_t slot, const PreparedQuery &pq) const;

    /// Make sure the per-row sums (|row|², i8 code sums) exist for metric m. A no-op except
    /// for an external table, which computes them for every slot at the first metric needing them
    /// (thread-safe; queries on a read-only store run concurrently).
    void ensure_stats(Metric m) const;

    /// Live ids in slot order.
    std::vector<uint64_t> live_ids() const;
    /// Drop dead slots in place, keeping live rows in slot order (slot j = live_ids()[j]): what a
    /// compacted file holds, adopted without reading the file back. Untiered tables only (a
    /// tiered compaction re-codes rows); returns false, changing nothing, for a tiered table.
    bool compact_live();

private:
    void push_row_stats(uint32_t slot);
    struct RowStats {
        float norm2 = 0, code_sum = 0, code_sq = 0;
    };
    /// |row|² of the dequantised row and (i8) the code sums: what push_row_stats stores.
    RowStats row_stats(uint32_t slot) const;
    static bool stats_needed(Metric m, StorageType s) {
        return m == Metric::Cosine || (s == StorageType::I8 && m == Metric::InnerProduct);
    }
    uint8_t *owned_row_slot(); ///< external mode: room for one more owned row
    const uint8_t *tier_row_ptr(uint32_t slot) const;
    /// First non-hot row: give every existing slot an explicit (hot, position) entry.
    void start_tiers();

    uint16_t dim_ = 0;
    StorageType storage_ = StorageType::F32;
    std::optional<QuantRange> quant_;
    std::vector<uint8_t> data_;   ///< hot rows × row_bytes() (all slots while untiered)
    TierModels models_;
    std::vector<uint8_t> tier_;   ///< per slot when tiered (empty: every row hot, slot = position)
    std::vector<uint32_t> pos_;   ///< per slot when tiered: row index within its tier's array
    std::vector<uint8_t> warm_;   ///< warm codes
    std::vector<uint8_t> cold_;   ///< cold codes
    std::vector<uint64_t> ids_;   ///< per slot
    std::vector<uint8_t> alive_;  ///< per slot
    std::vector<float> norm2_;    ///< per slot: |row|² of the dequantised row
    std::vector<float> code_sum_; ///< i8 only: Σ codes, Σ codes² per slot (2 floats)
    std::unordered_map<uint64_t, uint32_t> by_id_;

    // External rows (read-only in-place open).
    struct LazyStats {
        std::mutex mu;
        std::atomic<bool> ready{false};
    };
    bool external_ = false;
    std::vector<const uint8_t *> ext_;                ///< per slot from base_n_ on: the row
    std::vector<std::unique_ptr<uint8_t[]>> chunks_;  ///< owned rows of decoded blocks
    size_t chunk_used_ = 0;                           ///< rows used in chunks_.back()
    size_t ext_in_place_ = 0;
    std::unique_ptr<LazyStats> lazy_;                 ///< external mode: stats computed on first need

    // Persisted id table (use_base): slots [0, base_n_); ids_, alive_ and ext_ then hold the
    // slots from base_n_ on, by_id_ only their ids.
    uint32_t base_n_ = 0;
    uint32_t base_run_rows_ = 1;
    size_t base_row_bytes_ = 0;
    std::vector<const uint8_t *> base_runs_;
    std::vector<uint32_t> base_run_first_; ///< first slot of each run; empty when the runs are equal
    const uint8_t *base_row_in_runs(uint32_t slot) const;
    IdTableView base_ids_;
    std::unordered_set<uint32_t> base_dead_; ///< base slots deleted or replaced since the table was written
};

} // namespace rvf::store_detail
