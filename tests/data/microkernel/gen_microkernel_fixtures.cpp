// gen_microkernel_fixtures.cpp — writes the two stores the tile-simulator test reads
// (tests/js/microkernel_tile.test.mjs): the 5,000 × 64 vectors of the upstream fixture
// tests/data/upstream/l2-5000x64.rvf, re-ingested by our runtime (RvfStore, Layout S) as f16 and
// as i8 storage, in 10 batches of 500 (so 10 VEC segments, one block each).
//
//   build/<dir>: cmake -S . -B build/<dir> -DCMAKE_BUILD_TYPE=Release && cmake --build build/<dir> --target rvf_runtime
//   g++ -std=c++20 -O2 -Iruntime/include tests/data/microkernel/gen_microkernel_fixtures.cpp \
//       build/<dir>/runtime/librvf_runtime.a $(pkg-config --libs liblz4 libxxhash) -o /tmp/gen_mk
//   /tmp/gen_mk tests/data/upstream/l2-5000x64.rvf tests/data/microkernel
#include <cstdio>
#include <filesystem>
#include <vector>

#include <rvf/store.hpp>

int main(int argc, char **argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s <upstream l2-5000x64.rvf> <out dir>\n", argv[0]);
        return 2;
    }
    auto src = rvf::RvfStore::open_readonly(argv[1]);
    if (!src) {
        std::fprintf(stderr, "%s\n", src.error().to_string().c_str());
        return 1;
    }
    const auto st = src->status();
    const size_t n = st.total_vectors, dim = st.dimension;
    std::vector<uint64_t> ids(n);
    std::vector<float> rows(n * dim);
    for (size_t i = 0; i < n; ++i) {
        ids[i] = i;
        auto v = src->vector(i);
        if (!v || v->size() != dim) {
            std::fprintf(stderr, "vector %zu missing\n", i);
            return 1;
        }
        std::copy(v->begin(), v->end(), rows.begin() + static_cast<std::ptrdiff_t>(i * dim));
    }
    const std::pair<const char *, rvf::StorageType> kinds[] = {{"l2-5000x64-f16.rvf", rvf::StorageType::F16},
                                                                {"l2-5000x64-i8.rvf", rvf::StorageType::I8}};
    for (const auto &[name, storage] : kinds) {
        const auto path = (std::filesystem::path(argv[2]) / name).string();
        std::filesystem::remove(path);
        rvf::StoreOptions opt;
        opt.dimension = static_cast<uint16_t>(dim);
        opt.storage = storage;
        auto store = rvf::RvfStore::create(path, opt);
        if (!store) {
            std::fprintf(stderr, "%s: %s\n", path.c_str(), store.error().to_string().c_str());
            return 1;
        }
        for (size_t start = 0; start < n; start += 500) {
            const size_t count = std::min<size_t>(500, n - start);
            auto r = store->ingest_batch({ids.data() + start, count}, {rows.data() + start * dim, count * dim});
            if (!r || r->accepted != count) {
                std::fprintf(stderr, "%s: ingest failed\n", path.c_str());
                return 1;
            }
        }
        if (auto r = store->close(); !r) {
            std::fprintf(stderr, "%s: %s\n", path.c_str(), r.error().to_string().c_str());
            return 1;
        }
        std::printf("%s: %zu vectors, %s\n", path.c_str(), n, rvf::storage_type_name(storage));
    }
    return 0;
}
