// CRC-32C for the hosted runtime (rvf/hash.hpp): the SSE4.2 `crc32` instruction where the CPU
// has it, otherwise the portable slicing-by-8 code from rvf/core. Both give identical results;
// tests/cpp/crc_test.cpp checks that on random buffers.
#include <rvf/hash.hpp>

#include <rvf/core/hash/crc32c.hpp>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RVF_CRC32C_X86 1
#include <nmmintrin.h> // _mm_crc32_u8 / _mm_crc32_u64 (SSE4.2)

#include "../cpu/x86_cpu.hpp"
#endif

namespace rvf {

#if RVF_CRC32C_X86
namespace {

// Compiled for SSE4.2 only here, so the rest of the build keeps the baseline x86-64 ISA and the
// binary still runs on CPUs without it (they take the portable path). Clang ≥ 16 (zig) has the
// instruction as its own feature, `crc32`, that sse4.2 no longer implies; g++ and clang 14 take it too.
__attribute__((target("sse4.2,crc32"))) uint32_t crc32c_sse42(uint32_t crc, const uint8_t *p, size_t n) {
    // The instruction works on the raw register (no pre/post inversion), so invert around it to
    // continue from a finished CRC value the same way crc32c_update_portable does.
    uint64_t c = static_cast<uint32_t>(~crc);
    // Byte steps up to 8-byte alignment keep the wide loads aligned (faster across cache lines).
    while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
        c = _mm_crc32_u8(static_cast<uint32_t>(c), *p++);
        --n;
    }
    // One dependency chain: ~3 cycles latency per 8 bytes. Four loads per iteration only save
    // loop overhead; that is already several GB/s, far above any I/O path that calls this.
    while (n >= 32) {
        uint64_t w0, w1, w2, w3;
        __builtin_memcpy(&w0, p, 8);
        __builtin_memcpy(&w1, p + 8, 8);
        __builtin_memcpy(&w2, p + 16, 8);
        __builtin_memcpy(&w3, p + 24, 8);
        c = _mm_crc32_u64(c, w0);
        c = _mm_crc32_u64(c, w1);
        c = _mm_crc32_u64(c, w2);
        c = _mm_crc32_u64(c, w3);
        p += 32;
        n -= 32;
    }
    while (n >= 8) {
        uint64_t w;
        __builtin_memcpy(&w, p, 8);
        c = _mm_crc32_u64(c, w);
        p += 8;
        n -= 8;
    }
    while (n > 0) {
        c = _mm_crc32_u8(static_cast<uint32_t>(c), *p++);
        --n;
    }
    return ~static_cast<uint32_t>(c);
}

bool detect_sse42() { return detail::x86_features().sse42; }

} // namespace

bool crc32c_hardware_available() {
    static const bool has = detect_sse42(); // decided once per process
    return has;
}

uint32_t crc32c(core::ByteView data, uint32_t crc) {
    if (data.size == 0)
        return crc;
    if (crc32c_hardware_available())
        return crc32c_sse42(crc, data.data, data.size);
    return core::crc32c_update_portable(crc, data.data, data.size);
}

#else // no hardware path on this target (wasm, other architectures)

bool crc32c_hardware_available() { return false; }

uint32_t crc32c(core::ByteView data, uint32_t crc) {
    return core::crc32c_update_portable(crc, data.data, data.size);
}

#endif

uint32_t crc32c_update(uint32_t crc, const uint8_t *p, size_t n) { return crc32c(core::ByteView(p, n), crc); }

} // namespace rvf
