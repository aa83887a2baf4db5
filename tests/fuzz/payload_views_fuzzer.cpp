// Fuzz target: the smaller Layout S payload views — HOT_SEG, QUANT_SEG, SKETCH_SEG, META_SEG,
// METAIDX_SEG, the lock record and bare delta-id lists. Byte 0 picks the decoder; the rest is
// its input. Accepted inputs are walked through every accessor.
#include <cstddef>
#include <cstdint>
#include <vector>

#include <rvf/core/delta_ids.hpp>
#include <rvf/core/format/hot_seg.hpp>
#include <rvf/core/format/lock_file.hpp>
#include <rvf/core/format/meta_seg.hpp>
#include <rvf/core/format/metaidx_seg.hpp>
#include <rvf/core/format/quant_seg.hpp>
#include <rvf/core/format/sketch_seg.hpp>

using namespace rvf::core;

#define FUZZ_CHECK(c)                                                                                                  \
    do {                                                                                                               \
        if (!(c))                                                                                                      \
            __builtin_trap();                                                                                          \
    } while (0)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    const ByteView in(data + 1, size - 1);
    volatile uint64_t sink = 0;
    switch (data[0] % 7) {
    case 0: {
        HotSegView v;
        if (HotSegView::parse(in, v) != Status::Ok)
            break;
        HotEntryCursor c = v.cursor();
        HotEntry e;
        uint32_t n = 0;
        while (c.next(e)) {
            FUZZ_CHECK(e.vector.size == v.vector_bytes());
            for (uint16_t j = 0; j < e.neighbor_count; ++j)
                sink = sink + e.neighbor(j);
            ++n;
        }
        FUZZ_CHECK(n == v.header.vector_count);
        break;
    }
    case 1: {
        QuantSegView v;
        if (QuantSegView::parse(in, v) != Status::Ok)
            break;
        float acc = 0;
        if (v.quant_type == 0)
            for (uint16_t d = 0; d < v.dim; ++d)
                acc += v.min(d) + v.max(d);
        if (v.quant_type == 1)
            for (uint16_t m = 0; m < v.pq_m; ++m)
                for (uint16_t k = 0; k < v.pq_k; ++k)
                    for (uint16_t j = 0; j < v.pq_sub_dim; ++j)
                        acc += v.centroid(m, k, j);
        if (v.quant_type == 2 && v.has_thresholds())
            for (uint16_t d = 0; d < v.dim; ++d)
                acc += v.threshold(d);
        sink = sink + static_cast<uint64_t>(acc != acc);
        break;
    }
    case 2: {
        SketchSegView v;
        if (SketchSegView::parse(in, v) != Status::Ok)
            break;
        for (uint64_t id = 0; id < 64; ++id)
            sink = sink + v.estimate(id);
        std::vector<uint8_t> copy(in.data, in.data + in.size);
        sketch_touch(MutByteView(copy.data(), copy.size()), 7);
        SketchSegView w;
        FUZZ_CHECK(SketchSegView::parse(ByteView(copy.data(), copy.size()), w) == Status::Ok);
        break;
    }
    case 3: {
        MetaSegView v;
        if (MetaSegView::parse(in, v) != Status::Ok)
            break;
        for (uint16_t i = 0; i < v.header.field_count; ++i) {
            const ByteView d = v.field_data(i);
            FUZZ_CHECK(d.size <= in.size);
            sink = sink + v.field(i).field_offset;
        }
        break;
    }
    case 4: {
        MetaIdxSegView v;
        if (MetaIdxSegView::parse(in, v) == Status::Ok)
            FUZZ_CHECK(v.body.size + kMetaIdxHeaderSize == in.size);
        break;
    }
    case 5: {
        LockRecord r;
        if (decode_lock_file(in, r) != Status::Ok)
            break;
        uint8_t out[kLockFileSize];
        encode_lock_file(r, out);
        for (size_t i = 0; i < kLockFileSize; ++i)
            FUZZ_CHECK(out[i] == in.data[i]);
        break;
    }
    case 6: {
        if (in.size < 3)
            break;
        const uint32_t r = in.data[0] % 8;
        const uint64_t count = in.data[1];
        DeltaIdsView v;
        size_t used = 0;
        if (DeltaIdsView::parse(in.from(2), count, r, v, used) != Status::Ok)
            break;
        std::vector<uint64_t> ids;
        DeltaIdsCursor c = v.cursor();
        uint64_t id = 0;
        while (c.next(id))
            ids.push_back(id);
        FUZZ_CHECK(ids.size() == count);
        // Re-encoding reproduces the length for canonical (shortest-form) varints at most.
        size_t n = 0;
        FUZZ_CHECK(delta_ids_encoded_size(ids.data(), ids.size(), v.restart_interval, n) == Status::Ok);
        FUZZ_CHECK(n <= used);
        break;
    }
    }
    return 0;
}
