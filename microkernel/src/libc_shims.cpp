// microkernel/src/libc_shims.cpp — the three libc symbols clang may emit calls to even in a
// freestanding build (struct copies, zero-initialisation). Plain byte loops: the build has no
// bulk-memory feature, so __builtin_memcpy would lower back to a call to memcpy itself, and
// -ffreestanding keeps clang from turning these loops into such calls.
#include <stddef.h>

extern "C" {

void *memcpy(void *dst, const void *src, size_t n) {
    unsigned char *d = static_cast<unsigned char *>(dst);
    const unsigned char *s = static_cast<const unsigned char *>(src);
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n) {
    unsigned char *d = static_cast<unsigned char *>(dst);
    while (n--)
        *d++ = static_cast<unsigned char>(c);
    return dst;
}

// Copies backwards when the destination overlaps the source from above.
void *memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = static_cast<unsigned char *>(dst);
    const unsigned char *s = static_cast<const unsigned char *>(src);
    if (d < s || d >= s + n) {
        while (n--)
            *d++ = *s++;
    } else {
        d += n;
        s += n;
        while (n--)
            *--d = *--s;
    }
    return dst;
}

} // extern "C"
