// partial_index.hpp — what a progressive open can search with before the whole file is there:
// the HNSW graph layer by layer (LayeredHnsw: A, then B, C), the RVPQ routing codes of every
// graph row (rvf/routing_codes.hpp) and the exact rows of the VEC_SEGs that have arrived.
// Distances are exact for a row whose vector is here and the codes' approximation otherwise.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include <rvf/index_layers.hpp>
#include <rvf/routing_codes.hpp>
#include <rvf/store.hpp>

namespace rvf::progressive_detail {

class PartialIndex {
public:
    /// Errors: InvalidManifest when the codes do not belong to this layer A (graph tag, a graph
    /// node beyond the codes' slots) or to this store (dimension).
    static Result<PartialIndex> make(LayeredHnsw graph, RoutingCodes codes, uint16_t dim, Metric metric);

    LayeredHnsw &graph() { return *graph_; }
    uint8_t layers() const { return graph_->layers(); }
    /// Rows deleted after the index was written (JOURNAL_SEGs): never returned.
    void remove_ids(std::span<const uint64_t> ids);
    /// The rows of one VEC_SEG payload. `order` = the segment's position in the file: when an
    /// id was written twice, the later write is its live row. dtype f32/f16 (and i8 with
    /// `i8_range`); other block types (tiered codes) are skipped. Errors: those of the VEC codec.
    Result<void> add_vec_segment(core::ByteView payload, uint32_t order, const float *i8_range);
    size_t rows_exact() const { return rows_exact_; }

    Result<std::vector<Neighbor>> query(std::span<const float> q, size_t k, const QueryOptions &o) const;

private:
    PartialIndex() = default;
    const float *row(uint32_t slot) const { return row_order_[slot] ? rows_.data() + size_t{slot} * dim_ : nullptr; }

    std::optional<LayeredHnsw> graph_;
    RoutingCodes codes_;
    uint16_t dim_ = 0;
    Metric metric_ = Metric::L2;
    std::unordered_map<uint64_t, uint32_t> slot_of_; // live rows only
    std::vector<float> rows_;                        // slots × dim once the first VEC arrives
    std::vector<uint32_t> row_order_;                // per slot: 0 none, else the segment order + 1
    size_t rows_exact_ = 0;
};

} // namespace rvf::progressive_detail
