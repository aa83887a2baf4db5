// vector_table.hpp — the store's in-memory vectors: rows in the storage dtype (f32, f16 or
// scalar-quantised i8), an id → slot map, tombstones, and the per-row sums that let the
// integer and half-precision kernels answer L2, inner product and cosine without dequantising.
#pragma once
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include <rvf/core/format/enums.hpp>
#include <rvf/store.hpp>

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
};

class VectorTable {
public:
    VectorTable() = default;
    VectorTable(uint16_t dim, StorageType storage) : dim_(dim), storage_(storage) {}

    uint16_t dim() const { return dim_; }
    StorageType storage() const { return storage_; }
    size_t slots() const { return ids_.size(); }
    size_t live() const { return by_id_.size(); }
    size_t dead() const { return ids_.size() - by_id_.size(); }

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
    bool remove(uint64_t id);
    bool contains(uint64_t id) const { return by_id_.count(id) != 0; }
    std::optional<uint32_t> slot_of(uint64_t id) const;
    uint64_t id_at(uint32_t slot) const { return ids_[slot]; }
    bool live_at(uint32_t slot) const { return alive_[slot] != 0; }
    size_t row_bytes() const;
    const uint8_t *row_ptr(uint32_t slot) const { return data_.data() + slot * row_bytes(); }
    void to_float(uint32_t slot, float *out) const;

    /// Distance between two stored rows (index build and repair).
    float distance_between(Metric m, uint32_t a, uint32_t b) const;

    PreparedQuery prepare(const float *q, Metric m) const;
    float distance(Metric m, uint32_t slot, const PreparedQuery &pq) const;

    /// Live ids in slot order.
    std::vector<uint64_t> live_ids() const;

private:
    void push_row_stats(uint32_t slot);

    uint16_t dim_ = 0;
    StorageType storage_ = StorageType::F32;
    std::optional<QuantRange> quant_;
    std::vector<uint8_t> data_;   ///< slots × row_bytes()
    std::vector<uint64_t> ids_;   ///< per slot
    std::vector<uint8_t> alive_;  ///< per slot
    std::vector<float> norm2_;    ///< per slot: |row|² of the dequantised row
    std::vector<float> code_sum_; ///< i8 only: Σ codes, Σ codes² per slot (2 floats)
    std::unordered_map<uint64_t, uint32_t> by_id_;
};

} // namespace rvf::store_detail
