// boot_bench — progressive open (rvf/progressive.hpp) of a store file through pread, phase by
// phase: Level-0 parse time, bytes and round trips per phase, time to the first answered query
// and its recall@10 (layer A + routing codes), time to full quality and its recall@10 (spec
// §10.1's acceptance table, on our data). Reported, never asserted (STYLE §29).
//
//   boot_bench PATH [--n 1000000] [--dim 128] [--queries 100] [--rebuild] [--no-compact] [--nprobe 4]
// PATH is built when missing (or with --rebuild) from the seeded Gaussian mixture of
// tests/cpp/support/ann_data.hpp (100 clusters, σ 0.5, seed 42; ids 1..n, batches of 50,000,
// index layers + routing codes written at close(), then compact() unless --no-compact: the
// compaction writes the rows partition by partition with a partition map, rvf/partition_map.hpp);
// otherwise reused as it is — pass the same --n/--dim so the held-out queries match.
// A partitioned file is also read as a query-driven HTTP client would: per query, the tail, one
// more wanted() (root + directory + map), then wanted_for(query, nprobe) in one parallel batch;
// printed: round trips, bytes and recall@10 of that first answer, then the recall-vs-bytes curve
// as the rest streams in (query() scans the held partitions among the nearest 64) until complete. Before the run the file's pages are dropped from the
// page cache (posix_fadvise DONTNEED), so reads are cold where the kernel honours it.
// Recall@10 is against the exact answer (QueryOptions::exact) of the completed store.
// One round trip = one wanted() batch, all its ranges read before the next wanted().
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <rvf/progressive.hpp>
#include <rvf/store.hpp>

#include "support/ann_data.hpp"

using namespace rvf;
using Clock = std::chrono::steady_clock;

namespace {

double ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

bool build_file(const std::string &path, const test::Matrix &base, bool compact) {
    std::filesystem::remove(path);
    std::filesystem::remove(path + ".lock");
    StoreOptions so;
    so.dimension = static_cast<uint16_t>(base.dim);
    so.partition_on_compact = true; // the partition map: wanted_for's query-directed first answer
    auto db = RvfStore::create(path, so);
    if (!db) {
        std::fprintf(stderr, "create: %s\n", db.error().to_string().c_str());
        return false;
    }
    const size_t batch = 50000;
    const auto t0 = Clock::now();
    for (size_t at = 0; at < base.n; at += batch) {
        const size_t c = std::min(batch, base.n - at);
        std::vector<uint64_t> ids(c);
        for (size_t i = 0; i < c; ++i)
            ids[i] = at + i + 1;
        auto r = db->ingest_batch(ids, std::span<const float>(base.row(at), c * base.dim));
        if (!r) {
            std::fprintf(stderr, "ingest: %s\n", r.error().to_string().c_str());
            return false;
        }
        std::fprintf(stderr, "  ingested %zu / %zu (%.0f s)\n", at + c, base.n, ms(t0, Clock::now()) / 1000);
    }
    if (compact) {
        const auto c0 = Clock::now();
        if (auto r = db->compact(); !r) {
            std::fprintf(stderr, "compact: %s\n", r.error().to_string().c_str());
            return false;
        }
        std::fprintf(stderr, "  compacted (partition map) in %.0f s\n", ms(c0, Clock::now()) / 1000);
    }
    if (auto r = db->close(); !r) {
        std::fprintf(stderr, "close: %s\n", r.error().to_string().c_str());
        return false;
    }
    std::fprintf(stderr, "  built %s in %.0f s\n", path.c_str(), ms(t0, Clock::now()) / 1000);
    return true;
}

double recall_now(const ProgressiveStore &p, const RvfStore &truth, const test::Matrix &q, double *query_ms) {
    double sum = 0, t = 0;
    for (size_t i = 0; i < q.n; ++i) {
        const std::span<const float> v(q.row(i), q.dim);
        const auto t0 = Clock::now();
        auto got = p.query(v, 10, {.ef_search = 100});
        t += ms(t0, Clock::now());
        auto want = truth.query(v, 10, {.exact = true});
        if (!got || !want)
            return -1;
        size_t hit = 0;
        for (const Neighbor &w : *want)
            for (const Neighbor &g : *got)
                hit += g.id == w.id ? 1 : 0;
        sum += want->empty() ? 1.0 : static_cast<double>(hit) / static_cast<double>(want->size());
    }
    if (query_ms)
        *query_ms = t / static_cast<double>(q.n);
    return sum / static_cast<double>(q.n);
}

bool read_range(int fd, const ByteRange &r, std::vector<uint8_t> &buf) {
    buf.resize(static_cast<size_t>(r.length));
    size_t got = 0;
    while (got < buf.size()) {
        const ssize_t n = ::pread(fd, buf.data() + got, buf.size() - got, static_cast<off_t>(r.offset + got));
        if (n <= 0)
            return false;
        got += static_cast<size_t>(n);
    }
    return true;
}

bool supply_batch(int fd, ProgressiveStore &p, const std::vector<ByteRange> &want, std::vector<uint8_t> &buf) {
    for (const ByteRange &r : want) {
        if (!read_range(fd, r, buf))
            return false;
        if (auto s = p.supply(r.offset, buf); !s) {
            std::fprintf(stderr, "supply: %s\n", s.error().to_string().c_str());
            return false;
        }
    }
    return true;
}

/// The query-driven first answer of a partitioned file, one fresh reader per query, then the
/// recall-vs-bytes curve of one reader streaming the rest.
int partition_run(const std::string &path, uint64_t size, const RvfStore &truth, const test::Matrix &q,
                  size_t nprobe) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0)
        return 1;
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    std::vector<uint8_t> buf;
    double sum_recall = 0, sum_ms = 0, sum_bytes = 0;
    uint64_t most_bytes = 0, hotset_bytes = 0;
    size_t most_rounds = 0;
    for (size_t i = 0; i < q.n; ++i) {
        const std::span<const float> v(q.row(i), q.dim);
        const auto t0 = Clock::now();
        auto p = ProgressiveStore::begin(size);
        size_t rounds = 0;
        while (!p->queryable()) {
            ++rounds;
            if (!supply_batch(fd, *p, p->wanted(), buf))
                return 1;
        }
        hotset_bytes = p->bytes_supplied();
        auto want = p->wanted_for(v, nprobe);
        if (!want)
            return 1;
        ++rounds;
        if (!supply_batch(fd, *p, *want, buf))
            return 1;
        auto got = p->query(v, 10);
        sum_ms += ms(t0, Clock::now());
        auto exact = truth.query(v, 10, {.exact = true});
        if (!got || !exact)
            return 1;
        size_t hit = 0;
        for (const Neighbor &w : *exact)
            for (const Neighbor &g : *got)
                hit += g.id == w.id ? 1 : 0;
        sum_recall += static_cast<double>(hit) / static_cast<double>(std::max<size_t>(1, exact->size()));
        sum_bytes += static_cast<double>(p->bytes_supplied());
        most_bytes = std::max(most_bytes, p->bytes_supplied());
        most_rounds = std::max(most_rounds, rounds);
    }
    const double n = static_cast<double>(q.n);
    std::printf("partitioned first answer (nprobe %zu, one reader per query): %zu round trips, %.0f bytes mean "
                "(%llu max, %.3f MB; hotset incl. tail %llu), recall@10 %.3f, %.2f ms mean incl. pread\n",
                nprobe, most_rounds, sum_bytes / n, static_cast<unsigned long long>(most_bytes),
                static_cast<double>(most_bytes) / 1e6, static_cast<unsigned long long>(hotset_bytes), sum_recall / n,
                sum_ms / n);
    // The curve: one reader, wanted() batches (4 MiB ranges), recall printed every ~5 % of the file.
    auto p = ProgressiveStore::begin(size);
    uint64_t next_print = 0;
    std::printf("recall-vs-bytes (stream order, query() before completion = held partitions among the nearest 64):\n");
    while (!p->complete()) {
        const auto want = p->wanted();
        if (want.empty())
            break;
        for (const ByteRange &r : want) { // range by range: the curve sees each 4 MiB arrive
            if (!supply_batch(fd, *p, {r}, buf))
                return 1;
            if (!p->queryable() || (p->bytes_supplied() < next_print && !p->complete()))
                continue;
            next_print = p->bytes_supplied() + size / 20;
            const double rec = recall_now(*p, truth, q, nullptr);
            std::printf("  %10.1f MB (%5.1f %%)  rows exact %9llu  recall@10 %.3f%s\n",
                        static_cast<double>(p->bytes_supplied()) / 1e6,
                        100.0 * static_cast<double>(p->bytes_supplied()) / static_cast<double>(size),
                        static_cast<unsigned long long>(p->rows_exact()), rec, p->complete() ? "  (complete)" : "");
        }
    }
    ::close(fd);
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: boot_bench PATH [--n 1000000] [--dim 128] [--queries 100] [--rebuild]\n");
        return 2;
    }
    const std::string path = argv[1];
    test::MixtureSpec spec;
    spec.n = 1000000;
    spec.queries = 100;
    bool rebuild = false, compact = true;
    size_t nprobe = 4;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--rebuild")
            rebuild = true;
        else if (a == "--no-compact")
            compact = false;
        else if (i + 1 < argc && a == "--nprobe")
            nprobe = std::strtoull(argv[++i], nullptr, 10);
        else if (i + 1 < argc && a == "--n")
            spec.n = std::strtoull(argv[++i], nullptr, 10);
        else if (i + 1 < argc && a == "--dim")
            spec.dim = std::strtoull(argv[++i], nullptr, 10);
        else if (i + 1 < argc && a == "--queries")
            spec.queries = std::strtoull(argv[++i], nullptr, 10);
        else {
            std::fprintf(stderr, "unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    test::Matrix base, queries;
    test::gaussian_mixture(spec, base, queries);
    if (rebuild || !std::filesystem::exists(path)) {
        std::fprintf(stderr, "building %zu x %zu ...\n", spec.n, spec.dim);
        if (!build_file(path, base, compact))
            return 1;
    }
    base = {};

    const int fd = ::open(path.c_str(), O_RDONLY);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0) {
        std::perror(path.c_str());
        return 1;
    }
    ::fsync(fd);
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    const uint64_t size = static_cast<uint64_t>(st.st_size);

    std::vector<uint8_t> buf;
    double read_ms = 0, supply_ms = 0, tail_supply_ms = 0;
    auto t0 = Clock::now();
    auto p = ProgressiveStore::begin(size);
    if (!p)
        return 1;
    size_t rounds = 0, rounds_first = 0;
    double boot_ms = -1, first_ms = -1, full_ms = -1;
    uint64_t bytes_first = 0;
    ProgressiveBytes at_first{};
    while (!p->complete()) {
        const auto want = p->wanted();
        if (want.empty())
            break;
        ++rounds;
        for (const ByteRange &r : want) {
            buf.resize(static_cast<size_t>(r.length));
            const auto r0 = Clock::now();
            size_t got = 0;
            while (got < buf.size()) {
                const ssize_t n = ::pread(fd, buf.data() + got, buf.size() - got, static_cast<off_t>(r.offset + got));
                if (n <= 0) {
                    std::perror("pread");
                    return 1;
                }
                got += static_cast<size_t>(n);
            }
            const auto r1 = Clock::now();
            const ProgressivePhase before = p->phase();
            auto s = p->supply(r.offset, buf);
            const auto r2 = Clock::now();
            read_ms += ms(r0, r1);
            supply_ms += ms(r1, r2);
            if (before == ProgressivePhase::Tail)
                tail_supply_ms += ms(r1, r2);
            if (!s) {
                std::fprintf(stderr, "supply: %s\n", s.error().to_string().c_str());
                return 1;
            }
        }
        if (boot_ms < 0 && p->phase() != ProgressivePhase::Tail)
            boot_ms = ms(t0, Clock::now());
        if (first_ms < 0 && p->queryable()) {
            first_ms = ms(t0, Clock::now());
            rounds_first = rounds;
            bytes_first = p->bytes_supplied();
            at_first = p->bytes_by_phase();
            // Time the first answer itself too (the clock keeps running for full quality).
            const auto q0 = Clock::now();
            (void)p->query(std::span<const float>(queries.row(0), queries.dim), 10);
            first_ms += ms(q0, Clock::now());
            break;
        }
    }
    // Recall at first answer needs the truth: finish loading, then come back to a fresh copy.
    const double first_query_ms = first_ms;
    ::close(fd);
    auto truth = RvfStore::open_readonly(path);
    if (!truth) {
        std::fprintf(stderr, "open: %s\n", truth.error().to_string().c_str());
        return 1;
    }
    double first_avg_ms = 0;
    const double first_recall = p->queryable() ? recall_now(*p, *truth, queries, &first_avg_ms) : -1;

    // Continue to full quality (the clock restarts where it stopped, recall excluded).
    const int fd2 = ::open(path.c_str(), O_RDONLY);
    const auto t1 = Clock::now();
    while (!p->complete()) {
        const auto want = p->wanted();
        if (want.empty())
            break;
        ++rounds;
        for (const ByteRange &r : want) {
            buf.resize(static_cast<size_t>(r.length));
            size_t got = 0;
            while (got < buf.size()) {
                const ssize_t n = ::pread(fd2, buf.data() + got, buf.size() - got, static_cast<off_t>(r.offset + got));
                if (n <= 0)
                    return 1;
                got += static_cast<size_t>(n);
            }
            if (auto s = p->supply(r.offset, buf); !s) {
                std::fprintf(stderr, "supply: %s\n", s.error().to_string().c_str());
                return 1;
            }
        }
    }
    full_ms = first_ms + ms(t1, Clock::now());
    ::close(fd2);
    double full_avg_ms = 0;
    const double full_recall = recall_now(*p, *truth, queries, &full_avg_ms);
    const ProgressiveBytes by = p->bytes_by_phase();

    std::printf("file %s: %llu bytes, %zu x %zu, whole_file=%d\n", path.c_str(), static_cast<unsigned long long>(size),
                spec.n, spec.dim, p->whole_file() ? 1 : 0);
    std::printf("boot (Level-0 root parsed): %.3f ms wall, %.3f ms CPU in supply(), tail bytes %llu\n", boot_ms,
                tail_supply_ms, static_cast<unsigned long long>(at_first.tail));
    std::printf("first answer: %.2f ms, %zu round trips, %llu bytes (%.2f %%: tail %llu, directory %llu, hotset %llu), "
                "recall@10 %.3f, %.3f ms/query\n",
                first_query_ms, rounds_first, static_cast<unsigned long long>(bytes_first),
                100.0 * static_cast<double>(bytes_first) / static_cast<double>(size),
                static_cast<unsigned long long>(at_first.tail), static_cast<unsigned long long>(at_first.directory),
                static_cast<unsigned long long>(at_first.hotset), first_recall, first_avg_ms);
    std::printf("until the first answer: %.2f ms in pread, %.2f ms in supply()\n", read_ms, supply_ms);
    std::printf("full quality: %.1f ms, %zu round trips, stream bytes %llu, recall@10 %.3f, %.3f ms/query\n", full_ms,
                rounds, static_cast<unsigned long long>(by.stream), full_recall, full_avg_ms);
    if (p->partitioned()) {
        if (int rc = partition_run(path, size, *truth, queries, nprobe); rc != 0)
            return rc;
    }
    std::printf("{\"n\":%zu,\"dim\":%zu,\"file_bytes\":%llu,\"boot_ms\":%.3f,\"first_query_ms\":%.2f,"
                "\"first_query_round_trips\":%zu,\"data_read_first_query_bytes\":%llu,\"first_query_recall_at_10\":%.3f,"
                "\"full_quality_ms\":%.1f,\"full_quality_recall_at_10\":%.3f,\"round_trips_total\":%zu}\n",
                spec.n, spec.dim, static_cast<unsigned long long>(size), boot_ms, first_query_ms, rounds_first,
                static_cast<unsigned long long>(bytes_first), first_recall, full_ms, full_recall, rounds);
    return 0;
}
