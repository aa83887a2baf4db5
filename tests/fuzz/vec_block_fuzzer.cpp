// Fuzz target: Layout S VEC_SEG decode (rvf/core/format/vec_seg.hpp) and every accessor.
// Input: byte 0 = mode, rest = payload. Mode bit 0 set: before the real parse, recompute each
// structurally decodable block's CRC32C so mutations reach the code behind the checksum.
// After a successful parse every element, vector copy and id is read, and the delta-id views
// are cross-checked (cursor vs. random access through a restart table).
#include <cstddef>
#include <cstdint>
#include <vector>

#include <rvf/core/format/vec_seg.hpp>

using namespace rvf::core;

#define FUZZ_CHECK(c)                                                                                                  \
    do {                                                                                                               \
        if (!(c))                                                                                                      \
            __builtin_trap();                                                                                          \
    } while (0)

namespace {
void fix_crcs(std::vector<uint8_t> &p) {
    if (p.size() < 4)
        return;
    const ByteView v(p.data(), p.size());
    const uint32_t n = load_u32_le(p.data());
    for (uint64_t i = 0; i < n && kVecDirHeaderSize + (i + 1) * kVecDirEntrySize <= p.size(); ++i) {
        const uint8_t *e = p.data() + kVecDirHeaderSize + i * kVecDirEntrySize;
        VecBlockInfo info{load_u32_le(e), load_u32_le(e + 4), load_u16_le(e + 8), e[10], e[11]};
        VecBlockView b;
        if (parse_vec_block(v, info, b, false) != Status::Ok)
            continue;
        const size_t crc_at = static_cast<size_t>(b.id_bytes.data - p.data()) + b.id_bytes.size;
        store_u32_le(p.data() + crc_at,
                     crc32c_portable(ByteView(p.data() + info.block_offset, crc_at - info.block_offset)));
    }
}

void exercise(const VecSegView &seg) {
    uint64_t total = 0;
    for (uint32_t i = 0; i < seg.block_count; ++i) {
        VecBlockView b;
        FUZZ_CHECK(seg.block(i, b) == Status::Ok);
        total += b.count();
        std::vector<float> f(b.dim());
        std::vector<uint8_t> raw(b.dim() * b.elem_size);
        volatile float sink = 0;
        for (uint32_t v = 0; v < b.count(); ++v) {
            for (uint32_t d = 0; d < b.dim(); ++d)
                sink = sink + b.element(v, d);
            const Status s = b.copy_vector_f32(v, f.data(), f.size());
            FUZZ_CHECK(s == Status::Ok || s == Status::InvalidArgument);
            FUZZ_CHECK(b.copy_vector_raw(v, raw.data(), raw.size()) == Status::Ok);
        }
        if (b.id_encoding == 0) {
            for (uint32_t k = 0; k < b.count(); ++k)
                (void)b.id(k);
            continue;
        }
        DeltaIdsView d = b.delta_ids();
        std::vector<uint64_t> ids;
        DeltaIdsCursor c = d.cursor();
        uint64_t id = 0;
        while (c.next(id)) {
            FUZZ_CHECK(ids.empty() || id >= ids.back()); // validated lists never decrease
            ids.push_back(id);
        }
        FUZZ_CHECK(ids.size() == b.count());
        std::vector<uint32_t> offs(d.restart_count());
        FUZZ_CHECK(d.fill_restart_offsets(offs.data(), offs.size()) == Status::Ok);
        FUZZ_CHECK(d.set_restart_offsets(offs.data(), offs.size()) == Status::Ok);
        for (size_t k = 0; k < ids.size(); k += 1 + ids.size() / 16)
            FUZZ_CHECK(d.at(k) == ids[k]);
        if (!ids.empty()) {
            const uint64_t probe = ids[ids.size() / 2];
            const uint64_t lb = d.lower_bound(probe);
            FUZZ_CHECK(lb <= ids.size() / 2 && ids[lb] == probe);
        }
    }
    FUZZ_CHECK(total == seg.total_vectors());
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    std::vector<uint8_t> p(data + 1, data + size);
    if (data[0] & 1)
        fix_crcs(p);
    VecSegView seg;
    if (VecSegView::parse(ByteView(p.data(), p.size()), seg) == Status::Ok)
        exercise(seg);
    return 0;
}
