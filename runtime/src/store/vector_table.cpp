// vector_table.cpp — see vector_table.hpp.
#include "vector_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <rvf/core/distance/metric.hpp>
#include <rvf/core/f16.hpp>
#include <rvf/core/format/quant_seg.hpp>
#include <rvf/distance.hpp>

namespace rvf::store_detail {

QuantRange VectorTable::train_quant(const float *rows, size_t count, size_t dim) {
    QuantRange r{0, 0};
    bool first = true;
    for (size_t i = 0; i < count * dim; ++i) {
        const float v = rows[i];
        if (first) {
            r.min = r.max = v;
            first = false;
        } else {
            r.min = std::min(r.min, v);
            r.max = std::max(r.max, v);
        }
    }
    r.max = core::sq_fix_max(r.min, r.max);
    return r;
}

size_t VectorTable::row_bytes() const {
    switch (storage_) {
    case StorageType::F32:
        return size_t{dim_} * 4;
    case StorageType::F16:
        return size_t{dim_} * 2;
    case StorageType::I8:
        return dim_;
    }
    return 0;
}

void VectorTable::add(uint64_t id, const float *v) {
    std::vector<uint8_t> row(row_bytes());
    narrow(v, row.data());
    add_raw(id, row.data());
}

void VectorTable::narrow(const float *v, uint8_t *row) const {
    switch (storage_) {
    case StorageType::F32:
        std::memcpy(row, v, row_bytes());
        break;
    case StorageType::F16:
        for (size_t d = 0; d < dim_; ++d) {
            const uint16_t h = core::f32_to_f16(v[d]);
            std::memcpy(row + 2 * d, &h, 2);
        }
        break;
    case StorageType::I8: {
        const QuantRange q = quant_.value_or(QuantRange{});
        for (size_t d = 0; d < dim_; ++d)
            row[d] = static_cast<uint8_t>(static_cast<int>(core::sq_encode_value(v[d], q.min, q.max)) - 128);
        break;
    }
    }
}

void VectorTable::use_external_rows() {
    external_ = true;
    lazy_ = std::make_unique<LazyStats>();
}

uint8_t *VectorTable::owned_row_slot() {
    constexpr size_t kChunkRows = 4096;
    if (chunks_.empty() || chunk_used_ == kChunkRows) {
        chunks_.push_back(std::make_unique<uint8_t[]>(kChunkRows * row_bytes()));
        chunk_used_ = 0;
    }
    return chunks_.back().get() + chunk_used_++ * row_bytes();
}

void VectorTable::use_base(const IdTableView &ids, std::vector<const uint8_t *> runs,
                           const std::vector<uint32_t> &run_rows) {
    base_ids_ = ids;
    base_runs_ = std::move(runs);
    base_run_rows_ = run_rows.empty() || run_rows[0] == 0 ? 1 : run_rows[0];
    base_row_bytes_ = row_bytes();
    base_n_ = ids.rows();
    base_run_first_.clear();
    bool equal = true;
    for (size_t i = 0; i + 1 < run_rows.size(); ++i) // the last run may be shorter
        equal = equal && run_rows[i] == run_rows[0];
    equal = equal && (run_rows.empty() || run_rows.back() <= run_rows[0]);
    if (!equal) {
        uint32_t first = 0;
        for (uint32_t n : run_rows) {
            base_run_first_.push_back(first);
            first += n;
        }
    }
}

const uint8_t *VectorTable::base_row_in_runs(uint32_t slot) const {
    // The last run starting at or before slot (run 0 starts at 0; the caller checked slot < base_n_).
    const auto it = std::upper_bound(base_run_first_.begin(), base_run_first_.end(), slot);
    const size_t run = static_cast<size_t>(it - base_run_first_.begin()) - 1;
    return base_runs_[run] + size_t{slot - base_run_first_[run]} * base_row_bytes_;
}

void VectorTable::add_external(uint64_t id, const uint8_t *row) {
    const uint32_t slot = static_cast<uint32_t>(slots());
    ext_.push_back(row);
    ids_.push_back(id);
    alive_.push_back(1);
    by_id_[id] = slot;
    ++ext_in_place_;
}

void VectorTable::ensure_stats(Metric m) const {
    if (!external_ || !stats_needed(m, storage_) || lazy_->ready.load(std::memory_order_acquire))
        return;
    std::lock_guard<std::mutex> g(lazy_->mu);
    if (lazy_->ready.load(std::memory_order_relaxed))
        return;
    auto *self = const_cast<VectorTable *>(this); // derived data, filled once under the mutex
    self->norm2_.clear();
    self->code_sum_.clear();
    for (uint32_t s = 0; s < slots(); ++s)
        self->push_row_stats(s);
    lazy_->ready.store(true, std::memory_order_release);
}

void VectorTable::add_raw(uint64_t id, const uint8_t *row_bytes_in) {
    if (external_) { // a decoded block's row: owned, at a stable address
        uint8_t *dst = owned_row_slot();
        std::memcpy(dst, row_bytes_in, row_bytes());
        add_external(id, dst);
        --ext_in_place_;
        return;
    }
    const uint32_t slot = static_cast<uint32_t>(ids_.size());
    if (!tier_.empty()) {
        tier_.push_back(static_cast<uint8_t>(Tier::Hot));
        pos_.push_back(static_cast<uint32_t>(data_.size() / row_bytes()));
    }
    data_.insert(data_.end(), row_bytes_in, row_bytes_in + row_bytes());
    ids_.push_back(id);
    alive_.push_back(1);
    by_id_[id] = slot;
    push_row_stats(slot);
}

void VectorTable::reserve_rows(size_t rows, size_t hot_rows) {
    auto grow = [](auto &v, size_t extra) {
        const size_t want = v.size() + extra;
        if (want > v.capacity())
            v.reserve(std::max(want, 2 * v.capacity()));
    };
    if (!external_)
        grow(data_, hot_rows * row_bytes());
    else
        grow(ext_, rows);
    grow(ids_, rows);
    grow(alive_, rows);
    if (!external_)
        grow(norm2_, rows);
    if (storage_ == StorageType::I8 && !external_)
        grow(code_sum_, 2 * rows);
    if (!tier_.empty()) {
        grow(tier_, rows);
        grow(pos_, rows);
    }
    const size_t want = by_id_.size() + rows;
    if (want > by_id_.bucket_count())
        by_id_.reserve(std::max(want, 2 * by_id_.bucket_count()));
}

void VectorTable::start_tiers() {
    tier_.assign(ids_.size(), static_cast<uint8_t>(Tier::Hot));
    pos_.resize(ids_.size());
    for (uint32_t s = 0; s < pos_.size(); ++s)
        pos_[s] = s;
}

void VectorTable::add_coded(uint64_t id, Tier t, const uint8_t *code) {
    if (t == Tier::Hot)
        return add_raw(id, code);
    // (An external table is never tiered: the in-place open declines tiered stores.)
    if (tier_.empty())
        start_tiers();
    std::vector<uint8_t> &arr = t == Tier::Warm ? warm_ : cold_;
    const size_t n = models_.code_bytes(t, row_bytes());
    const uint32_t slot = static_cast<uint32_t>(ids_.size());
    tier_.push_back(static_cast<uint8_t>(t));
    pos_.push_back(static_cast<uint32_t>(n ? arr.size() / n : 0));
    arr.insert(arr.end(), code, code + n);
    ids_.push_back(id);
    alive_.push_back(1);
    by_id_[id] = slot;
    push_row_stats(slot);
}

const uint8_t *VectorTable::tier_row_ptr(uint32_t slot) const {
    const Tier t = static_cast<Tier>(tier_[slot]);
    const size_t n = models_.code_bytes(t, row_bytes());
    const std::vector<uint8_t> &arr = t == Tier::Hot ? data_ : t == Tier::Warm ? warm_ : cold_;
    return arr.data() + size_t{pos_[slot]} * n;
}

std::array<uint64_t, 3> VectorTable::live_per_tier() const {
    std::array<uint64_t, 3> n{};
    for (uint32_t s = 0; s < slots(); ++s)
        if (live_at(s))
            ++n[static_cast<size_t>(tier_at(s))];
    return n;
}

VectorTable::RowStats VectorTable::row_stats(uint32_t slot) const {
    thread_local std::vector<float> f;
    f.resize(dim_);
    to_float(slot, f.data());
    double n2 = 0;
    for (float x : f)
        n2 += double{x} * x;
    RowStats st;
    st.norm2 = static_cast<float>(n2);
    if (storage_ == StorageType::I8) { // hot rows only; warm/cold slots keep zeros (never read)
        const auto *c = reinterpret_cast<const int8_t *>(row_ptr(slot));
        for (size_t d = 0; d < dim_ && tier_at(slot) == Tier::Hot; ++d) {
            st.code_sum += c[d];
            st.code_sq += float(c[d]) * c[d];
        }
    }
    return st;
}

void VectorTable::push_row_stats(uint32_t slot) {
    const RowStats st = row_stats(slot);
    norm2_.push_back(st.norm2);
    if (storage_ == StorageType::I8) {
        code_sum_.push_back(st.code_sum);
        code_sum_.push_back(st.code_sq);
    }
}

bool VectorTable::remove(uint64_t id) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) {
        if (base_n_ == 0)
            return false;
        const auto s = base_ids_.find(id);
        return s && base_dead_.insert(*s).second;
    }
    alive_[it->second - base_n_] = 0;
    by_id_.erase(it);
    return true;
}

std::optional<uint32_t> VectorTable::slot_of(uint64_t id) const {
    auto it = by_id_.find(id);
    if (it != by_id_.end())
        return it->second;
    if (base_n_ == 0)
        return std::nullopt;
    // A base id added again later lives in by_id_ (found above); its base slot is dead.
    const auto s = base_ids_.find(id);
    if (!s || base_dead_.count(*s) != 0)
        return std::nullopt;
    return s;
}

void VectorTable::to_float(uint32_t slot, float *out) const {
    const uint8_t *p = row_ptr(slot);
    if (tier_at(slot) != Tier::Hot)
        return models_.decode(tier_at(slot), p, out);
    switch (storage_) {
    case StorageType::F32:
        std::memcpy(out, p, size_t{dim_} * 4);
        break;
    case StorageType::F16:
        for (size_t d = 0; d < dim_; ++d)
            out[d] = core::f16_to_f32(core::load_u16_le(p + 2 * d));
        break;
    case StorageType::I8: {
        const QuantRange q = quant_.value_or(QuantRange{});
        for (size_t d = 0; d < dim_; ++d)
            out[d] = core::sq_decode_value(static_cast<uint8_t>(static_cast<int8_t>(p[d]) + 128), q.min, q.max);
        break;
    }
    }
}

PreparedQuery VectorTable::prepare(const float *q, Metric m) const {
    ensure_stats(m);
    return prepare_local(q, m);
}

PreparedQuery VectorTable::prepare_local(const float *q, Metric m) const {
    PreparedQuery pq;
    pq.stats_per_row = external_ && stats_needed(m, storage_) && !lazy_->ready.load(std::memory_order_acquire);
    pq.q.assign(q, q + dim_);
    double n2 = 0;
    for (float x : pq.q)
        n2 += double{x} * x;
    pq.q_norm2 = static_cast<float>(n2);
    if (storage_ == StorageType::I8) {
        const QuantRange r = quant_.value_or(QuantRange{});
        pq.q_i8.resize(dim_);
        for (size_t d = 0; d < dim_; ++d) {
            pq.q_i8[d] = static_cast<int8_t>(static_cast<int>(core::sq_encode_value(q[d], r.min, r.max)) - 128);
            pq.q_i8_sum += pq.q_i8[d];
            pq.q_i8_sq += float(pq.q_i8[d]) * pq.q_i8[d];
        }
    }
    if (!tier_.empty())
        pq.tiers = prepare_tier_query(models_, q, m, !warm_.empty(), !cold_.empty());
    return pq;
}

float VectorTable::distance(Metric m, uint32_t slot, const PreparedQuery &pq) const {
    const DistanceKernels &k = kernels();
    const uint8_t *p = row_ptr(slot);
    const size_t n = dim_;
    if (m == Metric::Hamming) { // sign-bit Hamming on the dequantised row (rare path)
        std::vector<float> f(n);
        to_float(slot, f.data());
        return distance_f32(Metric::Hamming, f.data(), pq.q.data(), n);
    }
    if (!tier_.empty() && tier_[slot] != static_cast<uint8_t>(Tier::Hot))
        return tier_distance(models_, static_cast<Tier>(tier_[slot]), p, pq.tiers, m, norm2_[slot], pq.q_norm2);
    float dot = 0;
    switch (storage_) {
    case StorageType::F32: {
        const auto *row = reinterpret_cast<const float *>(p);
        if (m == Metric::L2)
            return k.l2sq_f32(row, pq.q.data(), n);
        dot = k.dot_f32(row, pq.q.data(), n);
        break;
    }
    case StorageType::F16: {
        const auto *row = reinterpret_cast<const uint16_t *>(p);
        if (m == Metric::L2)
            return k.l2sq_f16_f32(row, pq.q.data(), n);
        dot = k.dot_f16_f32(row, pq.q.data(), n);
        break;
    }
    case StorageType::I8: {
        // Both sides quantised with one range: v = c + s·code, so
        //   Σ(a−b)² = s²·Σ(ca−cb)²,  Σab = n·c² + c·s·(Σca + Σcb) + s²·Σca·cb.
        const QuantRange r = quant_.value_or(QuantRange{});
        const float s = r.scale(), c = r.offset();
        const auto *row = reinterpret_cast<const int8_t *>(p);
        if (m == Metric::L2)
            return s * s * static_cast<float>(k.l2sq_i8(row, pq.q_i8.data(), n));
        const float cd = static_cast<float>(k.dot_i8(row, pq.q_i8.data(), n));
        const RowStats st = pq.stats_per_row ? row_stats(slot) : RowStats{norm2_[slot], code_sum_[2 * slot], 0};
        dot = float(n) * c * c + c * s * (st.code_sum + pq.q_i8_sum) + s * s * cd;
        if (m == Metric::Cosine) {
            const float qn = float(n) * c * c + 2 * c * s * pq.q_i8_sum + s * s * pq.q_i8_sq;
            return core::dist::cosine_from_parts(dot, st.norm2, qn);
        }
        return core::dist::ip_distance(dot);
    }
    }
    if (m == Metric::Cosine)
        return core::dist::cosine_from_parts(dot, pq.stats_per_row ? row_stats(slot).norm2 : norm2_[slot],
                                             pq.q_norm2);
    return core::dist::ip_distance(dot);
}

float VectorTable::distance_between(Metric m, uint32_t a, uint32_t b) const {
    ensure_stats(m);
    const DistanceKernels &k = kernels();
    const size_t n = dim_;
    if (!tier_.empty() && (tier_[a] != 0 || tier_[b] != 0)) { // a coded row: compare decoded values
        thread_local std::vector<float> da, db;
        da.resize(n);
        db.resize(n);
        to_float(a, da.data());
        to_float(b, db.data());
        return distance_f32(m, da.data(), db.data(), n);
    }
    if (storage_ == StorageType::F32 && m != Metric::Hamming) {
        const auto *ra = reinterpret_cast<const float *>(row_ptr(a));
        const auto *rb = reinterpret_cast<const float *>(row_ptr(b));
        if (m == Metric::L2)
            return k.l2sq_f32(ra, rb, n);
        const float dot = k.dot_f32(ra, rb, n);
        return m == Metric::Cosine ? core::dist::cosine_from_parts(dot, norm2_[a], norm2_[b])
                                   : core::dist::ip_distance(dot);
    }
    if (storage_ == StorageType::I8 && m != Metric::Hamming) {
        const QuantRange r = quant_.value_or(QuantRange{});
        const float s = r.scale(), c = r.offset();
        const auto *ra = reinterpret_cast<const int8_t *>(row_ptr(a));
        const auto *rb = reinterpret_cast<const int8_t *>(row_ptr(b));
        if (m == Metric::L2)
            return s * s * static_cast<float>(k.l2sq_i8(ra, rb, n));
        const float dot = float(n) * c * c + c * s * (code_sum_[2 * a] + code_sum_[2 * b]) +
                          s * s * static_cast<float>(k.dot_i8(ra, rb, n));
        return m == Metric::Cosine ? core::dist::cosine_from_parts(dot, norm2_[a], norm2_[b])
                                   : core::dist::ip_distance(dot);
    }
    // f16 (and Hamming): one side widened to floats, the other read by the mixed kernel.
    thread_local std::vector<float> fa;
    fa.resize(n);
    to_float(a, fa.data());
    if (storage_ == StorageType::F16 && m != Metric::Hamming) {
        const auto *rb = reinterpret_cast<const uint16_t *>(row_ptr(b));
        if (m == Metric::L2)
            return k.l2sq_f16_f32(rb, fa.data(), n);
        const float dot = k.dot_f16_f32(rb, fa.data(), n);
        return m == Metric::Cosine ? core::dist::cosine_from_parts(dot, norm2_[b], norm2_[a])
                                   : core::dist::ip_distance(dot);
    }
    thread_local std::vector<float> fb;
    fb.resize(n);
    to_float(b, fb.data());
    return distance_f32(m, fa.data(), fb.data(), n);
}

std::vector<uint64_t> VectorTable::live_ids() const {
    std::vector<uint64_t> out;
    out.reserve(live());
    for (uint32_t s = 0; s < base_n_; ++s)
        if (live_at(s))
            out.push_back(base_ids_.id_at(s));
    for (size_t s = 0; s < ids_.size(); ++s)
        if (alive_[s])
            out.push_back(ids_[s]);
    return out;
}

bool VectorTable::compact_live() {
    if (!tier_.empty() || external_)
        return false;
    // Rows move only towards lower slots, so one forward pass with memmove never overwrites a
    // row it still has to read, and no second copy of the table is ever held.
    const size_t rb = row_bytes();
    const bool i8 = storage_ == StorageType::I8;
    size_t j = 0;
    for (size_t s = 0; s < ids_.size(); ++s) {
        if (!alive_[s])
            continue;
        if (j != s) {
            std::memmove(data_.data() + j * rb, data_.data() + s * rb, rb);
            ids_[j] = ids_[s];
            norm2_[j] = norm2_[s];
            if (i8) {
                code_sum_[2 * j] = code_sum_[2 * s];
                code_sum_[2 * j + 1] = code_sum_[2 * s + 1];
            }
        }
        alive_[j] = 1;
        by_id_[ids_[j]] = static_cast<uint32_t>(j);
        ++j;
    }
    data_.resize(j * rb);
    ids_.resize(j);
    alive_.resize(j);
    norm2_.resize(j);
    if (i8)
        code_sum_.resize(2 * j);
    return true;
}

} // namespace rvf::store_detail
