// `rvf demo [DIR] [--vectors N]`: the README's main job on an embedded default — builds a store
// of N (default 20,000; a multiple of 1,000) seeded random 128-d vectors with metadata, queries it (with and without a filter), deletes
// by filter, compacts, reopens, verifies, and exports Layout R; prints what each step took.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "rvf/store.hpp"
#include "tools/commands.hpp"

namespace rvf::tools {
namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

int fail(const char *step, const Error &e) {
    std::fprintf(stderr, "demo: %s failed: %s\n", step, e.to_string().c_str());
    return 1;
}

} // namespace

int demo_command(int argc, char **argv) {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / "rvf-demo";
    size_t n_vectors = 20000;
    for (int i = 0; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--vectors" && i + 1 < argc)
            n_vectors = std::strtoull(argv[++i], nullptr, 10);
        else
            dir = a;
    }
    if (n_vectors == 0 || n_vectors % 1000 != 0 || n_vectors > 10'000'000) {
        std::fprintf(stderr, "usage: rvf demo [DIR] [--vectors N]   (N a multiple of 1000, ≤ 10,000,000)\n");
        return 2;
    }
    fs::create_directories(dir);
    const std::string path = (dir / "demo.rvf").string();
    fs::remove(path);
    fs::remove(path + ".lock");
    const size_t kN = n_vectors;
    constexpr size_t kDim = 128, kBatch = 1000;
    std::mt19937 rng(42);
    std::normal_distribution<float> nd;
    std::vector<float> rows(kN * kDim);
    for (float &x : rows)
        x = nd(rng);

    StoreOptions o;
    o.dimension = kDim;
    o.metric = Metric::Cosine;
    auto t0 = std::chrono::steady_clock::now();
    auto s = RvfStore::create(path, o);
    if (!s)
        return fail("create", s.error());
    for (size_t b = 0; b < kN / kBatch; ++b) {
        std::vector<uint64_t> ids(kBatch);
        std::vector<std::vector<MetadataEntry>> meta(kBatch);
        for (size_t i = 0; i < kBatch; ++i) {
            ids[i] = b * kBatch + i;
            meta[i] = {{1, MetadataValue::str(ids[i] % 3 == 0 ? "news" : ids[i] % 3 == 1 ? "blog" : "paper")},
                       {2, MetadataValue::u64(2000 + ids[i] % 25)}};
        }
        auto r = s->ingest_batch(ids, std::span(rows).subspan(b * kBatch * kDim, kBatch * kDim), meta);
        if (!r)
            return fail("ingest", r.error());
    }
    std::printf("ingested %zu x %zu-d vectors in %zu batches (fsync each): %.0f ms\n", kN, kDim, kN / kBatch,
                ms_since(t0));

    const std::vector<float> q(rows.begin() + 7 * kDim, rows.begin() + 8 * kDim);
    t0 = std::chrono::steady_clock::now();
    auto res = s->query(q, 5);
    if (!res)
        return fail("query", res.error());
    std::printf("top-5 for vector 7 (%.2f ms):", ms_since(t0));
    for (const auto &n : *res)
        std::printf(" %llu(%.4f)", static_cast<unsigned long long>(n.id), n.distance);
    std::printf("\n");

    const FilterExpr f = FilterExpr::all_of(
        {FilterExpr::eq(1, MetadataValue::str("paper")), FilterExpr::range(2, MetadataValue::u64(2010), MetadataValue::u64(2015))});
    QueryOptions qo;
    qo.filter = &f;
    res = s->query(q, 5, qo);
    if (!res)
        return fail("filtered query", res.error());
    std::printf("top-5 with kind == \"paper\" and 2010 <= year < 2015:");
    for (const auto &n : *res)
        std::printf(" %llu", static_cast<unsigned long long>(n.id));
    std::printf("\n");

    auto d = s->remove_by_filter(FilterExpr::eq(1, MetadataValue::str("news")));
    if (!d)
        return fail("delete", d.error());
    const auto before = s->status().file_size;
    t0 = std::chrono::steady_clock::now();
    auto c = s->compact();
    if (!c)
        return fail("compact", c.error());
    std::printf("deleted %llu \"news\" vectors; compaction %llu -> %llu bytes in %.0f ms\n",
                static_cast<unsigned long long>(d->deleted), static_cast<unsigned long long>(before),
                static_cast<unsigned long long>(s->status().file_size), ms_since(t0));
    if (auto r = s->close(); !r)
        return fail("close", r.error());

    auto ro = RvfStore::open_readonly(path);
    if (!ro)
        return fail("reopen", ro.error());
    const VerifyReport v = ro->verify();
    std::printf("reopened: %llu live vectors, epoch %u; verify %s (%llu segments, %llu witness entries)\n",
                static_cast<unsigned long long>(ro->status().total_vectors), ro->status().current_epoch,
                v.ok ? "OK" : "FAILED", static_cast<unsigned long long>(v.segments_checked),
                static_cast<unsigned long long>(v.witness_entries_checked));
    auto r = ro->export_layout_r();
    if (!r)
        return fail("export", r.error());
    std::printf("Layout R export for upstream tools: %zu bytes\nfile: %s\n", r->size(), path.c_str());
    return v.ok ? 0 : 1;
}

} // namespace rvf::tools
