// Distance-kernel micro-benchmarks (rvf/distance.hpp), one set per kernel level this CPU runs
// (scalar, sse4.2, avx2, avx512; simd128 where built). ns per distance at 128 and 384 dims for
//   f32 (L2, dot), f16 (L2, dot, f16-vs-f32-query L2), i8 (L2, dot), binary (Hamming over a
//   dims-bit code, and 1024 bits), PQ ADC (m = dims / 8 subspaces × 256 centroids),
// plus an exact L2 scan of 100,000 × 128 f32 rows (bytes_per_second = rows streamed from memory).
// Names "<level>/<kernel>/<dims>". Prints only; asserts nothing. Run a Release build;
// `--benchmark_filter=avx2` or `--benchmark_filter=/384` to narrow.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <rvf/core/f16.hpp>
#include <rvf/distance.hpp>

namespace {

using rvf::DistanceKernels;
using rvf::KernelLevel;

struct Data {
    std::mt19937 rng{42};
    std::vector<float> f32(size_t n) {
        std::uniform_real_distribution<float> d(-1.0f, 1.0f);
        std::vector<float> v(n);
        for (auto &x : v)
            x = d(rng);
        return v;
    }
    std::vector<uint16_t> f16(size_t n) {
        std::vector<uint16_t> v(n);
        for (size_t i = 0; const float x : f32(n))
            v[i++] = rvf::core::f32_to_f16(x);
        return v;
    }
    template <typename T> std::vector<T> bytes(size_t n) {
        std::uniform_int_distribution<int> d(0, 255);
        std::vector<T> v(n);
        for (auto &x : v)
            x = static_cast<T>(static_cast<uint8_t>(d(rng)));
        return v;
    }
};

// Each benchmark takes the dimension as its argument (state.range(0)).
size_t dims(const benchmark::State &st) { return static_cast<size_t>(st.range(0)); }

void l2_f32(benchmark::State &st, const DistanceKernels *k) {
    Data d;
    const auto a = d.f32(dims(st)), b = d.f32(dims(st));
    for (auto _ : st)
        benchmark::DoNotOptimize(k->l2sq_f32(a.data(), b.data(), dims(st)));
}

void dot_f32(benchmark::State &st, const DistanceKernels *k) {
    Data d;
    const auto a = d.f32(dims(st)), b = d.f32(dims(st));
    for (auto _ : st)
        benchmark::DoNotOptimize(k->dot_f32(a.data(), b.data(), dims(st)));
}

void l2_f16(benchmark::State &st, const DistanceKernels *k) {
    Data d;
    const auto a = d.f16(dims(st)), b = d.f16(dims(st));
    for (auto _ : st)
        benchmark::DoNotOptimize(k->l2sq_f16(a.data(), b.data(), dims(st)));
}

void dot_f16(benchmark::State &st, const DistanceKernels *k) {
    Data d;
    const auto a = d.f16(dims(st)), b = d.f16(dims(st));
    for (auto _ : st)
        benchmark::DoNotOptimize(k->dot_f16(a.data(), b.data(), dims(st)));
}

void l2_f16_f32(benchmark::State &st, const DistanceKernels *k) {
    Data d;
    const auto a = d.f16(dims(st));
    const auto q = d.f32(dims(st));
    for (auto _ : st)
        benchmark::DoNotOptimize(k->l2sq_f16_f32(a.data(), q.data(), dims(st)));
}

void l2_i8(benchmark::State &st, const DistanceKernels *k) {
    Data d;
    const auto a = d.bytes<int8_t>(dims(st)), b = d.bytes<int8_t>(dims(st));
    for (auto _ : st)
        benchmark::DoNotOptimize(k->l2sq_i8(a.data(), b.data(), dims(st)));
}

void dot_i8(benchmark::State &st, const DistanceKernels *k) {
    Data d;
    const auto a = d.bytes<int8_t>(dims(st)), b = d.bytes<int8_t>(dims(st));
    for (auto _ : st)
        benchmark::DoNotOptimize(k->dot_i8(a.data(), b.data(), dims(st)));
}

/// Binary quantisation: one bit per dimension, so a 128-d vector is a 16-byte code.
void hamming(benchmark::State &st, const DistanceKernels *k) {
    Data d;
    const size_t nbytes = dims(st) / 8;
    const auto a = d.bytes<uint8_t>(nbytes), b = d.bytes<uint8_t>(nbytes);
    for (auto _ : st)
        benchmark::DoNotOptimize(k->hamming_bits(a.data(), b.data(), nbytes));
}

/// PQ with 8-dimensional subspaces (m = dims / 8) and 256 centroids each: one table lookup per
/// subspace (the table is built once per query, outside the loop).
void pq_adc(benchmark::State &st, const DistanceKernels *k) {
    Data d;
    const size_t m = dims(st) / 8;
    const auto table = d.f32(m * 256);
    const auto codes = d.bytes<uint8_t>(m);
    for (auto _ : st)
        benchmark::DoNotOptimize(k->adc_pq(table.data(), codes.data(), m, 256));
}

// Exact scan: every row against one query, distances written out (as a top-k pass would read
// them). 51 MB of rows, so this measures memory bandwidth as much as the kernel.
void scan_f32_100k_x_128(benchmark::State &st, const DistanceKernels *k) {
    constexpr size_t kRows = 100'000, kDim = 128;
    Data d;
    const auto rows = d.f32(kRows * kDim);
    const auto q = d.f32(kDim);
    std::vector<float> out(kRows);
    for (auto _ : st) {
        for (size_t r = 0; r < kRows; ++r)
            out[r] = k->l2sq_f32(rows.data() + r * kDim, q.data(), kDim);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * static_cast<int64_t>(kRows * kDim * sizeof(float)));
}

} // namespace

int main(int argc, char **argv) {
    benchmark::Initialize(&argc, argv);
    for (KernelLevel level :
         {KernelLevel::Scalar, KernelLevel::Sse, KernelLevel::Avx2, KernelLevel::Avx512, KernelLevel::Simd128}) {
        const DistanceKernels *k = rvf::kernels_for(level);
        if (!k)
            continue;
        // Names "<level>/<kernel>/<size>" (appended, not operator+: GCC 12 -Wrestrict false positive).
        auto add = [k](const char *what, void (*fn)(benchmark::State &, const DistanceKernels *)) {
            std::string name(k->name);
            name.append("/").append(what);
            return benchmark::RegisterBenchmark(name.c_str(), fn, k);
        };
        using Fn = void (*)(benchmark::State &, const DistanceKernels *);
        const std::pair<const char *, Fn> per_dim[] = {{"l2sq_f32", l2_f32}, {"dot_f32", dot_f32},
                                                       {"l2sq_f16", l2_f16}, {"dot_f16", dot_f16},
                                                       {"l2sq_f16_f32", l2_f16_f32}, {"l2sq_i8", l2_i8},
                                                       {"dot_i8", dot_i8}, {"adc_pq_k256", pq_adc}};
        for (const auto &[what, fn] : per_dim)
            add(what, fn)->Arg(128)->Arg(384);
        add("hamming_bits", hamming)->Arg(128)->Arg(384)->Arg(1024);
        add("scan_l2sq_f32/100000x128", scan_f32_100k_x_128)->Unit(benchmark::kMillisecond);
    }
    benchmark::AddCustomContext("rvf_best_kernels", rvf::kernels().name);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
