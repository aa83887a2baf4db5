/* Static destructors of a dlclose()d addon, for the portable builds (RVF_PORTABLE: zig 0.11).
   C++ registers each static object's destructor with __cxa_atexit(dtor, obj, &__dso_handle).
   GCC's crtbeginS.o gives every shared object a fini entry that calls
   __cxa_finalize(&__dso_handle), which runs and removes that object's entries when it is
   unloaded; zig links no such crt file (ziglang/zig issue 17908). Node unloads an addon that a
   worker thread loaded when the worker ends, so without this the entries stay in glibc's exit
   list pointing into unmapped code, and the process dies with SIGSEGV in exit() (seen with the
   aarch64 addon under vitest's thread pool, scripts/test.sh stage portable-arm64). At a normal
   exit glibc has already run every entry before fini, so this finds nothing left to do. */
extern void __cxa_finalize(void *dso);
extern char __dso_handle __attribute__((visibility("hidden"))); /* lld: this image's base */

__attribute__((destructor)) static void rvf_finalize_this_dso(void) { __cxa_finalize(&__dso_handle); }
