/* stat family for the portable builds (RVF_PORTABLE: zig, glibc 2.28 baseline). Before 2.33
   glibc's libc.so has no `stat`/`fstat`/`lstat`/`fstatat`: the static libc_nonshared.a wrapped
   the exported __xstat family. zig 0.11 replaces those wrappers with direct system calls that
   store errno in a thread-local of their own instead of libc's, so a failing stat() returns -1
   with errno unchanged (libc++'s std::filesystem::exists then reports a missing file as
   present). Defining the functions here, over glibc's own __xstat family (exported by every
   glibc since 2.2.5 on x86_64, 2.17 on aarch64), keeps zig's versions out of the link. */
#define _GNU_SOURCE /* struct stat64 */
#include <sys/stat.h>

#if defined(__x86_64__)
#define RVF_STAT_VER 1 /* _STAT_VER_LINUX */
#elif defined(__aarch64__)
#define RVF_STAT_VER 0 /* the generic struct stat: _STAT_VER_KERNEL */
#else
#error "glibc_stat.c: unknown _STAT_VER for this architecture"
#endif

/* Declared here: glibc >= 2.33 headers (zig's) no longer declare them. On 64-bit Linux struct
   stat and struct stat64 are the same layout, so one set serves both names. */
extern int __xstat(int ver, const char *path, struct stat *buf);
extern int __lxstat(int ver, const char *path, struct stat *buf);
extern int __fxstat(int ver, int fd, struct stat *buf);
extern int __fxstatat(int ver, int dirfd, const char *path, struct stat *buf, int flags);

int stat(const char *path, struct stat *buf) { return __xstat(RVF_STAT_VER, path, buf); }
int lstat(const char *path, struct stat *buf) { return __lxstat(RVF_STAT_VER, path, buf); }
int fstat(int fd, struct stat *buf) { return __fxstat(RVF_STAT_VER, fd, buf); }
int fstatat(int dirfd, const char *path, struct stat *buf, int flags) {
    return __fxstatat(RVF_STAT_VER, dirfd, path, buf, flags);
}
int stat64(const char *path, struct stat64 *buf) { return __xstat(RVF_STAT_VER, path, (struct stat *)buf); }
int lstat64(const char *path, struct stat64 *buf) { return __lxstat(RVF_STAT_VER, path, (struct stat *)buf); }
int fstat64(int fd, struct stat64 *buf) { return __fxstat(RVF_STAT_VER, fd, (struct stat *)buf); }
int fstatat64(int dirfd, const char *path, struct stat64 *buf, int flags) {
    return __fxstatat(RVF_STAT_VER, dirfd, path, (struct stat *)buf, flags);
}
