// Fuzz target: metadata persistence and filter decoding. Byte 0 picks the entry point, the rest
// is its input:
//   0  MetadataTable::load_meta_seg — accepted payloads must re-encode and reload to the same rows
//   1  MetadataTable::check_metaidx_seg against a fixed table (its own indexes are the seeds)
//   2  filter_from_wire — accepted filters must re-encode to bytes that decode to the same filter,
//      and prefilter_ids must equal brute-force evaluate on a small table
//   3  filter_from_json — accepted filters must survive the binary form
// Any failure must be a typed Status; a crash, leak or broken invariant traps.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <rvf/filter.hpp>
#include <rvf/metadata.hpp>

using namespace rvf;

#define FUZZ_CHECK(c)                                                                                                  \
    do {                                                                                                               \
        if (!(c))                                                                                                      \
            __builtin_trap();                                                                                          \
    } while (0)

namespace {

// The table whose METAIDX payloads seed mode 1 (the corpus was written from this exact table).
const MetadataTable &fixed_table() {
    static const MetadataTable t = [] {
        MetadataTable m;
        for (uint64_t i = 0; i < 600; ++i) {
            std::vector<MetadataEntry> r = {
                {1, MetadataValue::u64(i % 97)},
                {2, MetadataValue::i64(static_cast<int64_t>(i % 13) - 6)},
                {3, MetadataValue::f64(i % 11 == 0 ? std::nan("") : static_cast<double>(i % 5) - 2.0)},
                {4, MetadataValue::str("s" + std::to_string(i % 17))}};
            if (i % 3 == 0)
                r.push_back({5, MetadataValue::boolean(i % 2 == 0)});
            if (i % 4 == 0)
                r.push_back({6, MetadataValue::bytes(std::string(1, static_cast<char>(i % 256)))});
            m.put(i * 3 + 1, r);
        }
        return m;
    }();
    return t;
}

void check_filter(const FilterExpr &f) {
    auto w = filter_to_wire(f);
    FUZZ_CHECK(w.ok());
    auto back = filter_from_wire(core::ByteView(w->data(), w->size()));
    FUZZ_CHECK(back.ok() && back.value() == f);
    const MetadataTable &t = fixed_table();
    static const std::vector<uint64_t> ids = t.ids();
    std::vector<uint64_t> brute;
    for (uint64_t id : ids)
        if (evaluate(f, t, id))
            brute.push_back(id);
    FUZZ_CHECK(prefilter_ids(f, t) == brute);
    FUZZ_CHECK(matches_without_metadata(f) == evaluate(f, t, 0));
    const double s = estimate_selectivity(f, t, ids.size() + 10);
    FUZZ_CHECK(s >= 0.0 && s <= 1.0);
    (void)validate_filter(f, t);
    (void)filter_from_json(filter_to_json(f)); // must not crash (strings may be re-encoded)
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    const core::ByteView in(data + 1, size - 1);
    switch (data[0] % 4) {
    case 0: {
        MetadataTable t;
        t.put(1, {{9, MetadataValue::str("pre-existing")}});
        auto r = t.load_meta_seg(in);
        if (!r.ok()) {
            FUZZ_CHECK(r.status() != Status::Ok);
            FUZZ_CHECK(t.size() == 1 && t.get(1) != nullptr); // untouched on error
            break;
        }
        const std::vector<uint64_t> ids = t.ids();
        auto seg = t.encode_meta_seg(ids);
        FUZZ_CHECK(seg.ok());
        MetadataTable u;
        FUZZ_CHECK(u.load_meta_seg(core::ByteView(seg->data(), seg->size())).ok());
        FUZZ_CHECK(u.size() == t.size());
        for (uint64_t id : ids)
            FUZZ_CHECK(u.get(id) != nullptr && *u.get(id) == *t.get(id));
        auto idx = t.encode_metaidx_segs();
        FUZZ_CHECK(idx.ok());
        for (const auto &p : *idx)
            FUZZ_CHECK(t.check_metaidx_seg(core::ByteView(p.data(), p.size())).ok());
        break;
    }
    case 1: {
        auto r = fixed_table().check_metaidx_seg(in);
        FUZZ_CHECK(r.ok() || !r.error().message.empty());
        break;
    }
    case 2: {
        auto f = filter_from_wire(in);
        if (!f.ok()) {
            FUZZ_CHECK(f.status() == Status::FilterParseError);
            break;
        }
        check_filter(f.value());
        break;
    }
    default: {
        auto f = filter_from_json(std::string_view(reinterpret_cast<const char *>(in.data), in.size));
        if (!f.ok()) {
            FUZZ_CHECK(f.status() == Status::FilterParseError);
            break;
        }
        check_filter(f.value());
        break;
    }
    }
    return 0;
}
