// Codec micro-benchmarks: MB/s of the byte-level work every commit and every open does.
//   varint     LEB128 encode/decode (rvf/core/varint.hpp) of ascending-id deltas (1-2 bytes each,
//              as VEC_SEG / INDEX adjacency lists hold them) and of random u64 (up to 10 bytes)
//   crc32c     rvf::crc32c (SSE4.2 when the CPU has it) and the portable table version
//   xxh3_128   rvf::xxh3_128, the Layout S content hash of every segment
//   lz4        rvf::lz4_compress and rvf::segment_payload (the LZ4 read path) on f32 rows of
//              clustered data (incompressible: measures how fast the store gives up and keeps the
//              payload raw) and on metadata-like text rows (compressible)
// Sizes: 4 KiB (one manifest root) and 1 MiB (a VEC segment). bytes_per_second counts the
// uncompressed / decoded bytes. Prints only; asserts nothing. Run a Release build.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <rvf/compression.hpp>
#include <rvf/core/format/segment_header.hpp>
#include <rvf/core/hash/crc32c.hpp>
#include <rvf/core/varint.hpp>
#include <rvf/hash.hpp>

namespace {

using rvf::core::ByteView;

std::vector<uint8_t> random_bytes(size_t n) {
    std::mt19937_64 rng(7);
    std::vector<uint8_t> v(n);
    for (auto &b : v)
        b = static_cast<uint8_t>(rng());
    return v;
}

/// Clustered f32 vectors (a few centres + small noise), what a VEC segment holds: the mantissas
/// are close to random, so LZ4 finds nothing. text = metadata-like records instead
/// ({"doc":N,"lang":"en","tag":"news"}), which compress several-fold.
std::vector<uint8_t> payload(size_t bytes, bool text) {
    std::mt19937 rng(11);
    std::normal_distribution<float> g(0.0f, 1.0f);
    constexpr size_t kDim = 128;
    std::vector<float> centres(8 * kDim);
    for (auto &c : centres)
        c = g(rng);
    std::vector<uint8_t> out;
    out.reserve(bytes + 64);
    static const char *const kLang[] = {"en", "de", "fr", "ja"};
    static const char *const kTag[] = {"news", "blog", "paper", "forum", "wiki"};
    for (uint32_t doc = 0; out.size() < bytes; ++doc) {
        if (text) {
            const std::string rec = "{\"doc\":" + std::to_string(doc) + ",\"lang\":\"" + kLang[rng() % 4] +
                                    "\",\"tag\":\"" + kTag[rng() % 5] + "\"}";
            out.insert(out.end(), rec.begin(), rec.end());
            continue;
        }
        const float *c = &centres[(rng() % 8) * kDim];
        for (size_t d = 0; d < kDim; ++d) {
            const float x = c[d] + 0.1f * g(rng);
            uint8_t b[4];
            __builtin_memcpy(b, &x, 4);
            out.insert(out.end(), b, b + 4);
        }
    }
    out.resize(bytes);
    return out;
}

/// Values to varint-code: deltas of a sorted id list with gaps of 1..200 (1-2 bytes each), or
/// random u64 (mostly 9-10 bytes).
std::vector<uint64_t> varint_values(size_t n, bool deltas) {
    std::mt19937_64 rng(3);
    std::vector<uint64_t> v(n);
    for (auto &x : v)
        x = deltas ? 1 + rng() % 200 : rng();
    return v;
}

void varint_encode(benchmark::State &st, bool deltas) {
    const auto values = varint_values(1 << 16, deltas);
    std::vector<uint8_t> buf(values.size() * rvf::core::kMaxVarintBytes);
    size_t bytes = 0;
    for (auto _ : st) {
        bytes = 0;
        for (uint64_t v : values)
            bytes += rvf::core::encode_varint(v, buf.data() + bytes);
        benchmark::DoNotOptimize(buf.data());
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations() * bytes));
    st.counters["bytes_per_value"] = static_cast<double>(bytes) / static_cast<double>(values.size());
}

void varint_decode(benchmark::State &st, bool deltas) {
    const auto values = varint_values(1 << 16, deltas);
    std::vector<uint8_t> buf(values.size() * rvf::core::kMaxVarintBytes);
    size_t bytes = 0;
    for (uint64_t v : values)
        bytes += rvf::core::encode_varint(v, buf.data() + bytes);
    const ByteView in(buf.data(), bytes);
    for (auto _ : st) {
        size_t pos = 0;
        uint64_t sum = 0, v = 0;
        while (pos < in.size && rvf::core::decode_varint(in, &pos, &v))
            sum += v;
        benchmark::DoNotOptimize(sum);
    }
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations() * bytes));
}

void crc32c_dispatch(benchmark::State &st) {
    const auto data = random_bytes(static_cast<size_t>(st.range(0)));
    for (auto _ : st)
        benchmark::DoNotOptimize(rvf::crc32c(ByteView(data.data(), data.size())));
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * st.range(0));
    st.SetLabel(rvf::crc32c_hardware_available() ? "sse4.2" : "portable");
}

void crc32c_portable(benchmark::State &st) {
    const auto data = random_bytes(static_cast<size_t>(st.range(0)));
    for (auto _ : st)
        benchmark::DoNotOptimize(rvf::core::crc32c_portable(ByteView(data.data(), data.size())));
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * st.range(0));
}

void xxh3_128(benchmark::State &st) {
    const auto data = random_bytes(static_cast<size_t>(st.range(0)));
    uint8_t out[16];
    for (auto _ : st) {
        rvf::xxh3_128(ByteView(data.data(), data.size()), out);
        benchmark::DoNotOptimize(out);
    }
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * st.range(0));
}

void lz4_compress(benchmark::State &st, bool text) {
    const auto raw = payload(static_cast<size_t>(st.range(0)), text);
    size_t packed = raw.size();
    for (auto _ : st) {
        auto c = rvf::lz4_compress(ByteView(raw.data(), raw.size()));
        packed = c ? c->size() : raw.size(); // nullopt: would not save space (stored raw)
        benchmark::DoNotOptimize(c);
    }
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * st.range(0));
    st.counters["ratio"] = static_cast<double>(raw.size()) / static_cast<double>(packed);
}

void lz4_decompress(benchmark::State &st, bool text) {
    const auto raw = payload(static_cast<size_t>(st.range(0)), text);
    const auto packed = rvf::lz4_compress(ByteView(raw.data(), raw.size()));
    if (!packed) {
        st.SkipWithError("incompressible: the store keeps such payloads uncompressed");
        return;
    }
    rvf::core::SegmentHeader h;
    h.flags = rvf::core::SegFlag::Compressed;
    h.compression = static_cast<uint8_t>(rvf::core::Compression::Lz4);
    h.uncompressed_len = static_cast<uint32_t>(raw.size());
    for (auto _ : st) {
        auto out = rvf::segment_payload(h, ByteView(packed->data(), packed->size()));
        if (!out)
            st.SkipWithError("decode failed");
        benchmark::DoNotOptimize(out);
    }
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * st.range(0));
}

} // namespace

BENCHMARK_CAPTURE(varint_encode, id_deltas, true);
BENCHMARK_CAPTURE(varint_encode, random_u64, false);
BENCHMARK_CAPTURE(varint_decode, id_deltas, true);
BENCHMARK_CAPTURE(varint_decode, random_u64, false);
BENCHMARK(crc32c_dispatch)->Arg(4096)->Arg(1 << 20);
BENCHMARK(crc32c_portable)->Arg(4096)->Arg(1 << 20);
BENCHMARK(xxh3_128)->Arg(4096)->Arg(1 << 20);
BENCHMARK_CAPTURE(lz4_compress, f32_rows, false)->Arg(4096)->Arg(1 << 20);
BENCHMARK_CAPTURE(lz4_compress, meta_text, true)->Arg(4096)->Arg(1 << 20);
BENCHMARK_CAPTURE(lz4_decompress, meta_text, true)->Arg(4096)->Arg(1 << 20);

BENCHMARK_MAIN();
