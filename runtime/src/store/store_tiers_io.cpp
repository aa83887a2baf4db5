// store_tiers_io.cpp — the store side of temperature tiers: recording block accesses, choosing
// each block's tier at compaction, writing tiered VEC/QUANT/SKETCH segments and reading them
// back (store_boot.cpp calls the loaders for every QUANT, VEC and SKETCH segment, tiered or not).
// See store_tiers.hpp for the on-disk form and rvf/store.hpp (TieringPolicy) for the policy.
#include <algorithm>
#include <cstring>
#include <string>

#include <rvf/core/format/quant_seg.hpp>
#include <rvf/core/format/vec_seg.hpp>
#include <rvf/hash.hpp>

#include "store_impl.hpp"

namespace rvf {
namespace {

using store_detail::kTierBlockRows;
constexpr size_t kTieredRowsPerVecSegment = 64 * kTierBlockRows; // as untiered images: ≤ 65536 rows

uint8_t hot_dtype(uint8_t storage) {
    switch (static_cast<StorageType>(storage)) {
    case StorageType::F16:
        return static_cast<uint8_t>(core::DataType::F16);
    case StorageType::I8:
        return static_cast<uint8_t>(core::DataType::I8);
    case StorageType::F32:
        break;
    }
    return static_cast<uint8_t>(core::DataType::F32);
}

} // namespace

void RvfStore::Impl::record_access(const std::vector<Neighbor> &results) const {
    if (!tiering_enabled() || results.empty())
        return;
    std::vector<uint64_t> blocks;
    for (const Neighbor &n : results)
        if (auto slot = table.slot_of(n.id))
            blocks.push_back(*slot / kTierBlockRows);
    std::sort(blocks.begin(), blocks.end());
    blocks.erase(std::unique(blocks.begin(), blocks.end()), blocks.end());
    std::lock_guard<std::mutex> g(sketch_mutex);
    for (uint64_t b : blocks) // one access per block a query read, however many of its rows it returned
        sketch.record(b);
    sketch_dirty = true;
}

Result<std::vector<uint8_t>> RvfStore::Impl::encode_sketch() const {
    std::lock_guard<std::mutex> g(sketch_mutex);
    return sketch.to_sketch_seg();
}

Result<void> RvfStore::Impl::persist_sketch() {
    if (!tiering_enabled())
        return {};
    {
        std::lock_guard<std::mutex> g(sketch_mutex);
        if (!sketch_dirty)
            return {};
    }
    auto payload = encode_sketch();
    if (!payload)
        return payload.error();
    std::vector<PendingSegment> segs;
    segs.push_back({core::SegType::Sketch, 0, std::move(*payload)});
    if (auto r = commit(std::move(segs), core::kChainWitnessComputation, table.live()); !r)
        return r;
    std::lock_guard<std::mutex> g(sketch_mutex);
    sketch_dirty = false;
    return {};
}

Result<TierPlan> RvfStore::Impl::plan_tiers(const std::vector<uint64_t> &live) const {
    TierPlan p;
    p.models = table.models();
    const size_t n = live.size();
    // Compaction shifts rows down over deleted ones, so an image block can straddle old blocks:
    // it takes the estimate of the old block most of its rows come from (ties: the larger).
    std::vector<uint32_t> est((n + kTierBlockRows - 1) / kTierBlockRows, 0);
    {
        std::lock_guard<std::mutex> g(sketch_mutex);
        for (size_t b = 0; b < est.size(); ++b) {
            uint64_t best_rows = 0;
            for (size_t j = b * kTierBlockRows, end = std::min(n, j + kTierBlockRows); j < end;) {
                const uint64_t ob = *table.slot_of(live[j]) / kTierBlockRows; // slot order: runs per old block
                size_t run = j;
                while (run < end && *table.slot_of(live[run]) / kTierBlockRows == ob)
                    ++run;
                const uint32_t e = sketch.estimate(ob);
                if (run - j > best_rows || (run - j == best_rows && e > est[b])) {
                    best_rows = run - j;
                    est[b] = e;
                }
                j = run;
            }
        }
        auto fresh = AccessSketch::create(sketch.width(), sketch.depth(), sketch.auto_aging());
        if (!fresh)
            return fresh.error();
        p.sketch = std::move(*fresh);
    }
    // Explicit aging at compaction: the image's sketch starts from half of each estimate.
    for (size_t b = 0; b < est.size(); ++b)
        if (est[b] / 2 > 0)
            p.sketch.record(b, est[b] / 2);
    p.tiers.resize(n);
    bool need[3] = {false, false, false};
    for (size_t j = 0; j < n; ++j) {
        const Tier t = choose_tier(est[j / kTierBlockRows], config.hot_threshold, config.warm_threshold);
        p.tiers[j] = static_cast<uint8_t>(t);
        need[static_cast<size_t>(t)] = true;
    }
    // (Re)train a model only when no live row holds its codes (rows staying in a tier keep them).
    const std::array<uint64_t, 3> now = table.live_per_tier();
    const bool train_warm = need[1] && (!p.models.warm || now[1] == 0);
    const bool train_cold = need[2] && (!p.models.has(Tier::Cold) || now[2] == 0);
    if (train_warm || train_cold) {
        const size_t dim = config.dimension;
        std::vector<float> rows(n * dim);
        for (size_t j = 0; j < n; ++j)
            table.to_float(*table.slot_of(live[j]), rows.data() + j * dim);
        if (train_warm)
            p.models.warm = store_detail::train_warm(rows.data(), n, dim);
        if (train_cold)
            if (auto r = store_detail::train_cold(p.models, rows.data(), n, dim,
                                                  static_cast<ColdCodec>(config.cold_codec), config.pq_m);
                !r)
                return r.error();
    }
    return p;
}

Result<std::vector<PendingSegment>> RvfStore::Impl::tiered_data_segments(const std::vector<uint64_t> &live,
                                                                         const TierPlan *plan) const {
    const store_detail::TierModels &models = plan ? plan->models : table.models();
    std::vector<PendingSegment> out;
    auto q = store_detail::encode_tier_models(models);
    if (!q)
        return q.error();
    for (auto &payload : *q)
        out.push_back({core::SegType::Quant, 0, std::move(payload)});

    const size_t n = live.size(), dim = config.dimension;
    auto target = [&](size_t j) {
        return plan ? static_cast<Tier>(plan->tiers[j]) : table.tier_at(*table.slot_of(live[j]));
    };
    std::vector<float> f(dim);
    for (size_t s0 = 0; s0 < n; s0 += kTieredRowsPerVecSegment) {
        const size_t s1 = std::min(n, s0 + kTieredRowsPerVecSegment);
        std::vector<core::VecBlockInput> blocks;
        std::vector<std::vector<uint8_t>> codes;
        for (size_t b0 = 0 + s0; b0 < s1;) {
            const Tier t = target(b0);
            const size_t limit = std::min(s1, (b0 / kTierBlockRows + 1) * kTierBlockRows);
            size_t b1 = b0 + 1;
            while (b1 < limit && target(b1) == t)
                ++b1;
            const auto shape = store_detail::block_shape(models, t, hot_dtype(config.storage), config.dimension);
            if (!shape)
                return Error{Status::InvalidArgument, std::string("no model for the ") + tier_name(t) + " tier"};
            const size_t width = shape->dim * core::data_type_element_size(shape->dtype);
            std::vector<uint8_t> buf((b1 - b0) * width);
            bool sorted = true;
            for (size_t j = b0; j < b1; ++j) {
                const uint32_t slot = *table.slot_of(live[j]);
                uint8_t *dst = buf.data() + (j - b0) * width;
                sorted = sorted && (j == b0 || live[j - 1] <= live[j]);
                if (table.tier_at(slot) == t) { // same tier (and model): the codes as they are
                    std::memcpy(dst, table.row_ptr(slot), width);
                    continue;
                }
                table.to_float(slot, f.data()); // promotion or demotion: from the decoded values
                if (t == Tier::Hot)
                    table.narrow(f.data(), dst);
                else
                    models.encode(t, f.data(), dst);
            }
            core::VecBlockInput in;
            in.ids = live.data() + b0;
            in.count = static_cast<uint32_t>(b1 - b0);
            in.dim = shape->dim;
            in.dtype = shape->dtype;
            in.tier = static_cast<uint8_t>(t);
            in.id_encoding = static_cast<uint8_t>(sorted ? core::IdEncoding::DeltaVarint : core::IdEncoding::Raw);
            codes.push_back(std::move(buf));
            blocks.push_back(in);
            b0 = b1;
        }
        for (size_t i = 0; i < blocks.size(); ++i)
            blocks[i].rows = codes[i].data();
        uint64_t size = 0;
        if (core::Status s = core::vec_seg_encoded_size(blocks.data(), blocks.size(), size); s != core::Status::Ok)
            return Error{s, "tiered VEC segment encoding"};
        if (size > core::kMaxSegmentPayload)
            return Error{Status::SegmentTooLarge, "VEC segment of " + std::to_string(size) + " bytes"};
        std::vector<uint8_t> payload(static_cast<size_t>(size));
        core::ByteWriter w(core::MutByteView(payload.data(), payload.size()));
        if (core::Status s = core::encode_vec_seg(w, blocks.data(), blocks.size()); s != core::Status::Ok)
            return Error{s, "tiered VEC segment encoding"};
        out.push_back({core::SegType::Vec, 0, std::move(payload)});
    }
    return out;
}

Result<void> RvfStore::Impl::load_quant_segment(core::ByteView payload, const std::string &where, uint64_t offset) {
    core::QuantSegView q;
    if (Status s = core::QuantSegView::parse(payload, q); s != Status::Ok)
        return Error{s, where + " does not decode"};
    if (q.tier != static_cast<uint8_t>(core::TemperatureTier::Hot)) { // a warm or cold tier's model
        if (auto r = store_detail::load_tier_model(table.models(), payload, config.dimension); !r)
            return Error{r.status(), where + ": " + r.error().message};
        return {};
    }
    if (q.quant_type != static_cast<uint8_t>(core::QuantType::Scalar) || q.dim != config.dimension)
        return Error{Status::InvalidManifest, where + ": not a scalar range for this dimension"};
    table.set_quant({q.min(0), q.max(0)});
    quant_offset = offset;
    return {};
}

Result<void> RvfStore::Impl::load_vec_segment(core::ByteView payload, const std::string &where) {
    core::VecSegView v;
    if (Status s = core::VecSegView::parse(payload, v, crc32c_update); s != Status::Ok)
        return Error{s, where + " does not decode"};
    const auto storage_t = static_cast<StorageType>(config.storage);
    const size_t row_bytes = table.row_bytes();
    {
        uint64_t hot = 0;
        for (uint32_t bi = 0; bi < v.block_count; ++bi)
            if (v.block_info(bi).tier == static_cast<uint8_t>(Tier::Hot))
                hot += v.block_info(bi).vector_count;
        table.reserve_rows(v.total_vectors(), hot);
    }
    std::vector<uint8_t> row;
    for (uint32_t bi = 0; bi < v.block_count; ++bi) {
        core::VecBlockView blk;
        if (Status s = v.block(bi, blk); s != Status::Ok)
            return Error{s, where + " block " + std::to_string(bi)};
        const auto tier = static_cast<Tier>(blk.info.tier); // known: the block parser checked it
        if (tier == Tier::Hot) {
            if (blk.dim() != config.dimension)
                return Error{Status::DimensionMismatch, where + " holds dimension " + std::to_string(blk.dim())};
            if (blk.elem_size * blk.dim() != row_bytes)
                return Error{Status::InvalidManifest, where + " dtype differs from the store's"};
            if (storage_t == StorageType::I8 && !table.has_quant())
                return Error{Status::InvalidManifest, where + ": i8 rows before any QUANT_SEG"};
        } else {
            const auto shape = store_detail::block_shape(table.models(), tier, hot_dtype(config.storage),
                                                         config.dimension);
            if (!shape)
                return Error{Status::InvalidManifest, where + " block " + std::to_string(bi) + ": " +
                                                          tier_name(tier) + " rows without their QUANT_SEG model"};
            if (shape->dtype != blk.info.dtype || shape->dim != blk.dim())
                return Error{Status::InvalidManifest, where + " block " + std::to_string(bi) + ": dtype " +
                                                          std::to_string(blk.info.dtype) + " / width " +
                                                          std::to_string(blk.dim()) + " is not the " +
                                                          tier_name(tier) + " tier's"};
        }
        // Rows come out of the dim-major block a tile at a time (copy_rows_raw transposes).
        const size_t row_len = blk.elem_size * blk.dim();
        constexpr uint32_t kChunk = 256;
        row.resize(row_len * std::min<uint32_t>(kChunk, std::max<uint32_t>(1, blk.count())));
        const auto &pq = table.models().pq;
        auto ids = blk.delta_ids();
        auto cur = ids.cursor();
        for (uint32_t c0 = 0; c0 < blk.count(); c0 += kChunk) {
            const uint32_t cn = std::min(kChunk, blk.count() - c0);
            (void)blk.copy_rows_raw(c0, cn, row.data(), row.size());
            for (uint32_t j = 0; j < cn; ++j) {
                const uint32_t i = c0 + j;
                const uint8_t *r = row.data() + size_t{j} * row_len;
                uint64_t id = 0;
                if (blk.id_encoding == static_cast<uint8_t>(core::IdEncoding::Raw)) {
                    id = blk.id(i);
                } else if (!cur.next(id)) {
                    return Error{Status::InvalidManifest, where + ": id list ends early"};
                }
                if (tier == Tier::Cold && pq) // a PQ code names one of the k centroids
                    for (size_t b = 0; b < row_len; ++b)
                        if (r[b] >= pq->k)
                            return Error{Status::InvalidManifest, where + ": PQ code beyond the codebook"};
                if (table.contains(id))
                    table.remove(id);
                table.add_coded(id, tier, r);
            }
        }
    }
    return {};
}

void RvfStore::Impl::load_sketch_segment(core::ByteView payload, const std::string &where) {
    auto s = AccessSketch::from_sketch_seg(payload);
    if (!s) { // derived data (its hash already held): another writer's form is a warning, not a failure
        warnings.push_back(where + " ignored: " + s.error().message);
        return;
    }
    std::lock_guard<std::mutex> g(sketch_mutex);
    sketch = std::move(*s); // the latest SKETCH_SEG wins
    sketch_dirty = false;
}

} // namespace rvf
