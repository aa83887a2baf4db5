// XXH3-128 for content hashes (spec §2.4) through the xxHash library: Debian's libxxhash in
// native builds, the vendored header with XXH_INLINE_ALL under Emscripten (runtime/CMakeLists.txt).
#include <rvf/hash.hpp>

#include <xxhash.h>

namespace rvf {

void xxh3_128(core::ByteView data, uint8_t out[16]) {
    // xxHash asserts a non-null input pointer for some short lengths; an empty view may carry null.
    static const uint8_t kEmpty = 0;
    const void *p = data.data != nullptr ? static_cast<const void *>(data.data) : &kEmpty;
    const XXH128_hash_t h = XXH3_128bits(p, data.size);
    // RVF stores low64 LE ‖ high64 LE, not XXH128_canonicalFromHash's big-endian high ‖ low.
    core::store_u64_le(out, h.low64);
    core::store_u64_le(out + 8, h.high64);
}

} // namespace rvf
