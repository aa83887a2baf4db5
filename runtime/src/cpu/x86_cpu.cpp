#include "x86_cpu.hpp"

#if RVF_X86_CPU
#include <cpuid.h>

namespace rvf::detail {
namespace {

// XGETBV through inline assembly: the _xgetbv intrinsic would need this file built with -mxsave.
unsigned long long xcr0() {
    unsigned lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (static_cast<unsigned long long>(hi) << 32) | lo;
}

X86Features detect() {
    X86Features f;
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
        return f;
    f.sse42 = (ecx & bit_SSE4_2) != 0;
    f.popcnt = (ecx & bit_POPCNT) != 0;
    // AVX state usable: the OS enabled XSAVE and saves XMM+YMM (XCR0 bits 1, 2); AVX-512 also
    // needs opmask and ZMM state (bits 5, 6, 7).
    const bool osxsave = (ecx & bit_OSXSAVE) != 0;
    const unsigned long long xcr = osxsave ? xcr0() : 0;
    const bool avx_state = osxsave && (xcr & 0x6) == 0x6 && (ecx & bit_AVX) != 0;
    const bool avx512_state = avx_state && (xcr & 0xe6) == 0xe6;
    f.f16c = avx_state && (ecx & bit_F16C) != 0;
    f.fma = avx_state && (ecx & bit_FMA) != 0;
    unsigned max_leaf = __get_cpuid_max(0, nullptr);
    if (max_leaf >= 7 && __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
        f.avx2 = avx_state && (ebx & bit_AVX2) != 0;
        f.avx512f = avx512_state && (ebx & bit_AVX512F) != 0;
        f.avx512bw = avx512_state && (ebx & bit_AVX512BW) != 0;
        f.avx512vl = avx512_state && (ebx & bit_AVX512VL) != 0;
        f.avx512vpopcntdq = avx512_state && (ecx & bit_AVX512VPOPCNTDQ) != 0;
    }
    return f;
}

} // namespace

const X86Features &x86_features() {
    static const X86Features f = detect();
    return f;
}

} // namespace rvf::detail

#endif
