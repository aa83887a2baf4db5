// routing_codes.cpp — the RVPQ routing-codes payload (rvf/routing_codes.hpp): training, encoding
// and strict decoding.
#include <algorithm>
#include <cstring>

#include <rvf/core/varint.hpp>
#include <rvf/routing_codes.hpp>

namespace rvf {
namespace {

using core::ByteView;

constexpr size_t kMaxTrainRows = 16384; // 64 · k for k = 256: k-means quality saturates there
constexpr unsigned kTrainIterations = 8;

size_t pad8(size_t n) { return (n + 7) & ~size_t{7}; }

Error corrupt(Status s, const char *what) { return Error{s, std::string("routing codes: ") + what}; }

bool zero(ByteView v, size_t from, size_t to) {
    for (size_t i = from; i < to; ++i)
        if (v.data[i] != 0)
            return false;
    return true;
}

} // namespace

bool is_routing_codes(ByteView payload) {
    return payload.size >= 4 && std::memcmp(payload.data, kRoutingCodesMagic, 4) == 0;
}

uint16_t routing_code_size(uint16_t dim, size_t row_bytes) {
    // 1/16 of an f32 row keeps the hotset (layer A + codes + ids) near 6-8 % of a 128-d file;
    // narrow rows (f16, i8) get at least one byte per 8 dimensions.
    const size_t m = std::clamp<size_t>(std::max<size_t>(row_bytes / 16, dim / 8), 1, std::max<size_t>(1, dim));
    return static_cast<uint16_t>(m);
}

Result<RoutingCodes> build_routing_codes(core::Metric metric, uint64_t graph_tag, uint16_t dim, uint16_t code_size,
                                         std::span<const float> rows, std::span<const uint64_t> ids,
                                         std::span<const uint8_t> live) {
    const size_t n = ids.size();
    if (dim == 0 || rows.size() != n * dim || live.size() != n || n == 0)
        return Error{Status::InvalidArgument, "routing codes need one row, id and live flag per slot"};
    // Train on live rows only (dead ones may be anything), a fixed stride through them.
    std::vector<size_t> live_slots;
    for (size_t s = 0; s < n; ++s)
        if (live[s])
            live_slots.push_back(s);
    if (live_slots.empty())
        live_slots.push_back(0);
    const size_t take = std::min(live_slots.size(), kMaxTrainRows);
    std::vector<float> sample(take * dim);
    for (size_t i = 0; i < take; ++i) {
        const size_t s = live_slots[i * live_slots.size() / take];
        std::memcpy(sample.data() + i * dim, rows.data() + s * dim, dim * sizeof(float));
    }
    const uint16_t k = static_cast<uint16_t>(std::min<size_t>(256, take));
    auto pq = ProductQuantizer::train(sample.data(), take, dim, code_size, k, kTrainIterations);
    if (!pq)
        return pq.error();
    RoutingCodes c;
    c.metric = metric;
    c.graph_tag = graph_tag;
    c.pq = std::move(*pq);
    c.ids.assign(ids.begin(), ids.end());
    c.live.assign(live.begin(), live.end());
    c.codes.resize(n * c.pq.m);
    c.pq.encode_batch(rows.data(), n, c.codes.data());
    return c;
}

Result<std::vector<uint8_t>> encode_routing_codes(const RoutingCodes &c) {
    auto quant = c.pq.to_quant_seg();
    if (!quant)
        return quant.error();
    if (c.live.size() != c.slots() || c.codes.size() != c.slots() * c.pq.m || quant->size() > UINT32_MAX)
        return Error{Status::InvalidArgument, "routing codes: inconsistent sizes"};
    std::vector<uint8_t> ids;
    uint64_t prev = 0;
    uint8_t buf[core::kMaxVarintBytes];
    for (uint64_t id : c.ids) {
        const size_t len = core::encode_varint(core::zigzag_encode(static_cast<int64_t>(id - prev)), buf);
        ids.insert(ids.end(), buf, buf + len);
        prev = id;
    }
    if (ids.size() > UINT32_MAX)
        return Error{Status::InvalidArgument, "routing codes: id list beyond 4 GiB"};
    const size_t bitmap = (c.slots() + 7) / 8;
    std::vector<uint8_t> out(kRoutingCodesHeaderSize + pad8(quant->size()) + pad8(ids.size()) + pad8(bitmap) +
                             c.codes.size());
    uint8_t *p = out.data();
    std::memcpy(p, kRoutingCodesMagic, 4);
    core::store_u16_le(p + 4, kRoutingCodesVersion);
    p[6] = static_cast<uint8_t>(c.metric);
    core::store_u64_le(p + 8, c.graph_tag);
    core::store_u64_le(p + 16, c.slots());
    core::store_u32_le(p + 24, static_cast<uint32_t>(quant->size()));
    core::store_u32_le(p + 28, static_cast<uint32_t>(ids.size()));
    core::store_u16_le(p + 32, c.pq.m);
    core::store_u16_le(p + 34, c.pq.dim);
    size_t at = kRoutingCodesHeaderSize;
    std::memcpy(p + at, quant->data(), quant->size());
    at += pad8(quant->size());
    std::memcpy(p + at, ids.data(), ids.size());
    at += pad8(ids.size());
    for (size_t s = 0; s < c.slots(); ++s)
        if (c.live[s])
            p[at + s / 8] |= static_cast<uint8_t>(1u << (s % 8));
    at += pad8(bitmap);
    std::memcpy(p + at, c.codes.data(), c.codes.size());
    return out;
}

Result<RoutingCodes> decode_routing_codes(ByteView payload) {
    if (payload.size < kRoutingCodesHeaderSize)
        return corrupt(Status::TruncatedSegment, "payload shorter than its header");
    const uint8_t *p = payload.data;
    if (!is_routing_codes(payload))
        return corrupt(Status::InvalidMagic, "no RVPQ magic");
    if (core::load_u16_le(p + 4) != kRoutingCodesVersion)
        return corrupt(Status::InvalidVersion, "unknown version");
    if (!core::metric_known(p[6]) || p[7] != 0 || !zero(payload, 36, kRoutingCodesHeaderSize))
        return corrupt(Status::InvalidManifest, "bad metric, flags or reserved bytes");
    RoutingCodes c;
    c.metric = static_cast<core::Metric>(p[6]);
    c.graph_tag = core::load_u64_le(p + 8);
    const uint64_t slots = core::load_u64_le(p + 16);
    const size_t quant_len = core::load_u32_le(p + 24), ids_len = core::load_u32_le(p + 28);
    const uint16_t code_size = core::load_u16_le(p + 32), dim = core::load_u16_le(p + 34);
    // Every section must fit in what is left before sizes derived from untrusted counts are used.
    size_t at = kRoutingCodesHeaderSize;
    auto take = [&](size_t len, ByteView &out) -> bool {
        if (len > payload.size - at || pad8(len) > payload.size - at)
            return false;
        out = payload.sub(at, len);
        if (!zero(payload, at + len, at + pad8(len)))
            return false;
        at += pad8(len);
        return true;
    };
    ByteView quant, ids, bitmap;
    if (code_size == 0 || dim == 0 || slots > payload.size || !take(quant_len, quant) || !take(ids_len, ids))
        return corrupt(Status::TruncatedSegment, "sections extend past the payload");
    const size_t n = static_cast<size_t>(slots);
    if (!take((n + 7) / 8, bitmap))
        return corrupt(Status::TruncatedSegment, "live bitmap extends past the payload");
    if (n != 0 && code_size > (payload.size - at) / n)
        return corrupt(Status::TruncatedSegment, "codes extend past the payload");
    if (payload.size - at != n * code_size)
        return corrupt(Status::InvalidManifest, "bytes after the codes");
    auto pq = ProductQuantizer::from_quant_seg(quant, dim);
    if (!pq)
        return Error{pq.status(), "routing codes codebook: " + pq.error().message};
    c.pq = std::move(*pq);
    if (c.pq.m != code_size)
        return corrupt(Status::InvalidManifest, "code_size differs from the codebook's subspace count");
    if (n % 8 != 0 && (bitmap.data[n / 8] >> (n % 8)) != 0)
        return corrupt(Status::InvalidManifest, "live bits set past the last slot");
    c.ids.resize(n); // n ≤ payload size: bounded by bytes actually held
    size_t pos = 0;
    uint64_t prev = 0;
    for (size_t s = 0; s < n; ++s) {
        uint64_t z = 0;
        const size_t before = pos;
        if (!core::decode_varint(ids, &pos, &z) || pos - before != core::varint_size(z))
            return corrupt(Status::InvalidManifest, "id list does not decode (or is not minimal)");
        prev += static_cast<uint64_t>(core::zigzag_decode(z));
        c.ids[s] = prev;
    }
    if (pos != ids.size)
        return corrupt(Status::InvalidManifest, "id list longer than its slots");
    c.live.resize(n);
    for (size_t s = 0; s < n; ++s)
        c.live[s] = (bitmap.data[s / 8] >> (s % 8)) & 1u;
    c.codes.assign(payload.data + at, payload.data + payload.size);
    return c;
}

} // namespace rvf
