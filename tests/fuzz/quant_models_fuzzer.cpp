// Fuzz target: the hosted model loaders ScalarQuantizer / ProductQuantizer / BinaryQuantizer
// ::from_quant_seg and AccessSketch::from_sketch_seg (rvf/quantization.hpp, rvf/access_sketch.hpp).
// Byte 0 picks the loader (low 2 bits) and, for PQ, a padding width (the rest); the remaining bytes
// are the payload. A loaded model must re-encode to exactly its input, and encode / decode / ADC /
// Hamming / sketch updates on it must stay in bounds.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <rvf/access_sketch.hpp>
#include <rvf/quantization.hpp>

using namespace rvf;

#define FUZZ_CHECK(c)                                                                                                  \
    do {                                                                                                               \
        if (!(c))                                                                                                      \
            __builtin_trap();                                                                                          \
    } while (0)

namespace {

bool same(const Result<std::vector<uint8_t>> &r, core::ByteView in) {
    if (!r.ok() || r->size() != in.size)
        return false;
    for (size_t i = 0; i < in.size; ++i)
        if ((*r)[i] != in.data[i])
            return false;
    return true;
}

/// A deterministic probe vector derived from the input.
std::vector<float> probe(size_t dim, core::ByteView in) {
    std::vector<float> v(dim);
    for (size_t d = 0; d < dim; ++d)
        v[d] = static_cast<float>(in.size > 0 ? in.data[d % in.size] : 0) - 100.0f;
    return v;
}

void check_product(const ProductQuantizer &pq, core::ByteView in) {
    FUZZ_CHECK(same(pq.to_quant_seg(), in));
    const std::vector<float> v = probe(pq.dim, in);
    std::vector<uint8_t> codes(pq.m);
    pq.encode(v.data(), codes.data());
    for (uint8_t c : codes)
        FUZZ_CHECK(c < pq.k);
    std::vector<float> back(pq.dim), table(static_cast<size_t>(pq.m) * pq.k);
    pq.decode(codes.data(), back.data());
    pq.adc_table(v.data(), table.data());
    volatile float sink = pq.adc(table.data(), codes.data());
    (void)sink;
    for (auto &c : codes)
        c = 0xFF; // codes ≥ k are skipped, never read outside the table
    sink = pq.adc(table.data(), codes.data());
    pq.decode(codes.data(), back.data());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    const core::ByteView in(data + 1, size - 1);
    switch (data[0] & 3) {
    case 0: {
        auto q = ScalarQuantizer::from_quant_seg(in);
        if (!q.ok())
            break;
        FUZZ_CHECK(q->dim() > 0 && q->min.size() == q->max.size());
        FUZZ_CHECK(same(q->to_quant_seg(), in));
        const std::vector<float> v = probe(q->dim(), in);
        std::vector<uint8_t> codes(q->dim());
        std::vector<float> back(q->dim());
        q->encode(v.data(), codes.data());
        q->decode(codes.data(), back.data());
        volatile float sink = q->l2_quantized(codes.data(), codes.data());
        sink = q->prepare_query(v.data()).l2(codes.data());
        (void)sink;
        break;
    }
    case 1: {
        auto pq = ProductQuantizer::from_quant_seg(in);
        if (!pq.ok())
            break;
        FUZZ_CHECK(pq->codebook.size() == static_cast<size_t>(pq->m) * pq->k * pq->sub_dim);
        check_product(*pq, in);
        // The same codebook for a narrower vector (padding slots at the end of the last subspaces).
        const auto width = static_cast<uint16_t>(pq->m * pq->sub_dim);
        const auto narrow = static_cast<uint16_t>(width - (data[0] >> 2) % pq->m);
        auto pq2 = ProductQuantizer::from_quant_seg(in, narrow);
        FUZZ_CHECK(pq2.ok() && pq2->dim == narrow);
        check_product(*pq2, in);
        FUZZ_CHECK(ProductQuantizer::from_quant_seg(in, static_cast<uint16_t>(width + 1)).status() ==
                       Status::DimensionMismatch ||
                   width == UINT16_MAX);
        break;
    }
    case 2: {
        auto b = BinaryQuantizer::from_quant_seg(in);
        if (!b.ok())
            break;
        FUZZ_CHECK(b->threshold.empty() || b->threshold.size() == b->dim);
        FUZZ_CHECK(same(b->to_quant_seg(), in));
        const std::vector<float> v = probe(b->dim, in);
        std::vector<uint8_t> x(BinaryQuantizer::code_size(b->dim)), y(x.size());
        b->encode_row(v.data(), x.data());
        BinaryQuantizer::encode(v.data(), b->dim, y.data());
        FUZZ_CHECK(b->hamming(x.data(), x.data(), b->dim) == 0);
        FUZZ_CHECK(b->hamming(x.data(), y.data(), b->dim) <= b->dim);
        break;
    }
    case 3: {
        auto s = AccessSketch::from_sketch_seg(in);
        if (!s.ok())
            break;
        FUZZ_CHECK(s->counters().size() == static_cast<size_t>(s->width()) * s->depth());
        FUZZ_CHECK(same(s->to_sketch_seg(), in));
        const uint64_t before = s->total_accesses();
        const uint32_t e = s->estimate(42);
        s->record(42, 3);
        FUZZ_CHECK(s->total_accesses() == before + 3);
        // Aging may fire inside the record; otherwise the estimate cannot drop.
        FUZZ_CHECK(s->estimate(42) >= e || (before >> 16) != ((before + 3) >> 16));
        s->decay();
        FUZZ_CHECK(s->estimate(42) <= 127);
        break;
    }
    }
    return 0;
}
