// Distance-kernel micro-benchmarks (rvf/distance.hpp), one set per kernel level this CPU runs:
//   f16 L2 384-d, f16-vs-f32-query L2 384-d, f32 L2 128-d, i8 dot 384-d, Hamming 1024 bits,
//   PQ ADC m=48 ksub=256, and an exact L2 scan of 100,000 × 128 f32 rows (bytes_per_second =
//   rows streamed from memory). Time per iteration = ns per distance (scan: per full scan).
// Prints only; asserts nothing. Run a Release build; `--benchmark_filter=avx2` etc. to narrow.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
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

void l2_f16_384(benchmark::State &st, const DistanceKernels *k) {
    Data d;
    const auto a = d.f16(384), b = d.f16(384);
    for (auto _ : st)
        benchmark::DoNotOptimize(k->l2sq_f16(a.data(), b.data(), 384));
}

void l2_f16_f32_384(benchmark::State &st, const DistanceKernels *k) {
    Data d;
    const auto a = d.f16(384);
    const auto q = d.f32(384);
    for (auto _ : st)
        benchmark::DoNotOptimize(k->l2sq_f16_f32(a.data(), q.data(), 384));
}

void l2_f32_128(benchmark::State &st, const DistanceKernels *k) {
    Data d;
    const auto a = d.f32(128), b = d.f32(128);
    for (auto _ : st)
        benchmark::DoNotOptimize(k->l2sq_f32(a.data(), b.data(), 128));
}

void dot_i8_384(benchmark::State &st, const DistanceKernels *k) {
    Data d;
    const auto a = d.bytes<int8_t>(384), b = d.bytes<int8_t>(384);
    for (auto _ : st)
        benchmark::DoNotOptimize(k->dot_i8(a.data(), b.data(), 384));
}

void hamming_1024(benchmark::State &st, const DistanceKernels *k) {
    Data d;
    const auto a = d.bytes<uint8_t>(128), b = d.bytes<uint8_t>(128);
    for (auto _ : st)
        benchmark::DoNotOptimize(k->hamming_bits(a.data(), b.data(), 128));
}

void pq_adc_48x256(benchmark::State &st, const DistanceKernels *k) {
    Data d;
    const auto table = d.f32(48 * 256);
    const auto codes = d.bytes<uint8_t>(48);
    for (auto _ : st)
        benchmark::DoNotOptimize(k->adc_pq(table.data(), codes.data(), 48, 256));
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
        add("l2sq_f16/384", l2_f16_384);
        add("l2sq_f16_f32/384", l2_f16_f32_384);
        add("l2sq_f32/128", l2_f32_128);
        add("dot_i8/384", dot_i8_384);
        add("hamming_bits/1024", hamming_1024);
        add("adc_pq/m48_k256", pq_adc_48x256);
        add("scan_l2sq_f32/100000x128", scan_f32_100k_x_128)->Unit(benchmark::kMillisecond);
    }
    benchmark::AddCustomContext("rvf_best_kernels", rvf::kernels().name);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
