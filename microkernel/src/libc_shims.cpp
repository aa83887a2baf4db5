// microkernel/src/libc_shims.cpp — the three libc symbols clang may emit calls to even in a
// freestanding build (struct copies, zero-initialisation, __builtin_memcpy with a run-time
// size). Both builds enable bulk memory (-mbulk-memory, a WebAssembly 2.0 feature like SIMD),
// so each builtin lowers to one memory.copy / memory.fill instruction rather than a call back
// into these functions; memory.copy already has memmove semantics for overlapping ranges.
#include <stddef.h>

extern "C" {

void *memcpy(void *dst, const void *src, size_t n) { return __builtin_memcpy(dst, src, n); }

void *memset(void *dst, int c, size_t n) { return __builtin_memset(dst, c, n); }

void *memmove(void *dst, const void *src, size_t n) { return __builtin_memmove(dst, src, n); }

} // extern "C"
