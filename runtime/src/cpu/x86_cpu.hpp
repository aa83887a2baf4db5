// x86-64 CPU features for run-time kernel selection (distance/dispatch.cpp, hash/crc32c.cpp),
// read with CPUID/XGETBV directly rather than __builtin_cpu_supports: that builtin needs
// libgcc's or compiler-rt's __cpu_model, which zig's compiler-rt (the portable build's
// toolchain) does not provide, and clang's version cannot name F16C.
#pragma once

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RVF_X86_CPU 1

namespace rvf::detail {

struct X86Features {
    bool sse42 = false;
    bool popcnt = false;
    // The AVX-family flags are set only when the OS also saves that register state (XCR0),
    // exactly as __builtin_cpu_supports reports them.
    bool f16c = false;
    bool fma = false;
    bool avx2 = false;
    bool avx512f = false;
    bool avx512bw = false;
    bool avx512vl = false;
    bool avx512vpopcntdq = false;
};

// Read once per process; thread-safe.
const X86Features &x86_features();

} // namespace rvf::detail

#endif
