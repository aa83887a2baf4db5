// VEC segment compression on a whole store: for none / LZ4 / ZSTD, the file size of an N × dim
// f32 store (ingested in 10K-row commits, then compacted into ~4 MiB segments), the time of
// open_readonly (which decodes every VEC segment) and the decode rate of segment_payload over
// the file's compressed VEC segments alone. Two seeded data sets: gaussian rows (what float
// embeddings look like to a byte codec) and SIFT-like rows (small non-negative integers as f32).
// Plain executable, prints only:
//   rvf_compression_bench [--rows 100000] [--dim 128] [--dir /tmp] [--reps 5]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <rvf/compression.hpp>
#include <rvf/file_report.hpp>
#include <rvf/store.hpp>

using namespace rvf;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<float> rows_for(const std::string &kind, size_t n, size_t dim) {
    std::mt19937 rng(2024);
    std::normal_distribution<float> nd;
    std::vector<float> v(n * dim);
    for (float &x : v)
        x = kind == "gaussian" ? nd(rng) : std::min(255.0f, std::round(std::fabs(nd(rng)) * 24.0f));
    return v;
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::vector<uint8_t> read_all(const std::string &path) {
    std::vector<uint8_t> b(std::filesystem::file_size(path));
    FILE *f = std::fopen(path.c_str(), "rb");
    if (!f || std::fread(b.data(), 1, b.size(), f) != b.size())
        std::abort();
    std::fclose(f);
    return b;
}

} // namespace

int main(int argc, char **argv) {
    size_t n = 100000, dim = 128;
    int reps = 5;
    std::string dir = "/tmp";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--rows")
            n = std::strtoull(argv[i + 1], nullptr, 10);
        else if (a == "--dim")
            dim = std::strtoull(argv[i + 1], nullptr, 10);
        else if (a == "--dir")
            dir = argv[i + 1];
        else if (a == "--reps")
            reps = std::atoi(argv[i + 1]);
        else {
            std::fprintf(stderr, "unknown flag %s (--rows, --dim, --dir, --reps)\n", a.c_str());
            return 2;
        }
    }
    std::printf("%zu x %zu f32, %d reps (best)\n", n, dim, reps);
    std::printf("%-9s %-5s %12s %7s %10s %12s %12s\n", "data", "codec", "file bytes", "ratio", "write s",
                "open_ro ms", "decode MB/s");
    for (const std::string kind : {"gaussian", "sift-like"}) {
        const std::vector<float> rows = rows_for(kind, n, dim);
        double plain = 0;
        for (Compression c : {Compression::None, Compression::Lz4, Compression::Zstd}) {
            const char *name = c == Compression::None ? "none" : c == Compression::Lz4 ? "lz4" : "zstd";
            const std::string path = dir + "/rvf-compression-bench-" + name + ".rvf";
            std::filesystem::remove(path);
            StoreOptions o;
            o.dimension = uint16_t(dim);
            o.compression = c;
            o.index = IndexMode::Off;
            const auto t0 = Clock::now();
            {
                auto s = RvfStore::create(path, o);
                if (!s) {
                    std::fprintf(stderr, "%s\n", s.error().to_string().c_str());
                    return 1;
                }
                const size_t batch = 10000;
                for (size_t at = 0; at < n; at += batch) {
                    const size_t m = std::min(batch, n - at);
                    std::vector<uint64_t> ids(m);
                    for (size_t i = 0; i < m; ++i)
                        ids[i] = at + i;
                    if (!s->ingest_batch(ids, std::span<const float>(rows.data() + at * dim, m * dim)))
                        return 1;
                }
                if (!s->compact())
                    return 1;
            }
            const double write_s = seconds_since(t0);
            const double size = double(std::filesystem::file_size(path));
            if (c == Compression::None)
                plain = size;
            double open_ms = 1e30;
            for (int r = 0; r < reps; ++r) {
                const auto t1 = Clock::now();
                auto s = RvfStore::open_readonly(path);
                if (!s)
                    return 1;
                open_ms = std::min(open_ms, seconds_since(t1) * 1e3);
            }
            // Decode alone: segment_payload over the compressed VEC segments.
            const std::vector<uint8_t> file = read_all(path);
            const FileReport rep = inspect_file(core::ByteView(file.data(), file.size()));
            double best = 1e30, decoded = 0;
            for (int r = 0; r < reps; ++r) {
                decoded = 0;
                const auto t2 = Clock::now();
                for (const SegmentRecord &sr : rep.segments) {
                    if ((sr.header.flags & core::SegFlag::Compressed) == 0)
                        continue;
                    auto out = segment_payload(sr.header, core::ByteView(file.data() + sr.offset + 64,
                                                                         size_t(sr.header.payload_length)));
                    if (!out)
                        return 1;
                    decoded += double(out->size());
                }
                best = std::min(best, seconds_since(t2));
            }
            std::printf("%-9s %-5s %12.0f %7.3f %10.2f %12.1f %12.0f\n", kind.c_str(), name, size, plain / size,
                        write_s, open_ms, decoded > 0 ? decoded / best / 1e6 : 0.0);
            std::filesystem::remove(path);
        }
    }
    return 0;
}
