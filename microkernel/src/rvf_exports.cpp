// microkernel/src/rvf_exports.cpp — the C-ABI exports of the freestanding wasm32 tile
// microkernel (spec §7.3). Each export converts raw pointers into core views and calls the
// freestanding core; no format logic lives here. Exports are named by attribute, so a
// missing definition fails the link instead of silently dropping the export.
//
// Implemented so far: 13 rvf_verify_header, 14 rvf_crc32c. The query-path exports (1-12)
// come later; microkernel/exports.txt lists exactly what the module must export.
#include <stddef.h>
#include <stdint.h>

#include "rvf/core/bytes.hpp"
#include "rvf/core/format/segment_header.hpp"
#include "rvf/core/hash/crc32c.hpp"

#define RVF_EXPORT(name) extern "C" __attribute__((export_name(#name), visibility("default")))

namespace {
// A wasm32 linear-memory address arrives as i32; reinterpret it as a byte pointer.
const uint8_t *mem_ptr(int32_t addr) { return reinterpret_cast<const uint8_t *>(static_cast<uintptr_t>(addr)); }
} // namespace

/// CRC-32C of `len` bytes at `data_ptr`, bit pattern returned as i32 ("123456789" → 0xE3069283).
/// Uses the table-free variant: the 8 KB slicing tables alone would exceed the size budget.
/// A negative `len` is treated as 0 (nothing to hash), so the call never reads out of range.
RVF_EXPORT(rvf_crc32c) int32_t rvf_crc32c(int32_t data_ptr, int32_t len) {
    const size_t n = len > 0 ? static_cast<size_t>(len) : 0;
    return static_cast<int32_t>(rvf::core::crc32c_update_compact(0, mem_ptr(data_ptr), n));
}

/// Check the 64-byte segment header at `header_ptr`: 0 ok, 1 bad magic, 2 bad version.
/// Like the shipped tile (spec §7.3 #13, §12 #22) only magic and version are checked.
RVF_EXPORT(rvf_verify_header) int32_t rvf_verify_header(int32_t header_ptr) {
    rvf::core::SegmentHeader h;
    const rvf::core::ByteView bytes{mem_ptr(header_ptr), rvf::core::kSegmentHeaderSize};
    if (rvf::core::decode_segment_header_raw(bytes, h) != rvf::core::Status::Ok)
        return 1; // unreachable: the view is exactly one header long
    if (h.magic != rvf::core::kSegmentMagic)
        return 1;
    if (h.version != rvf::core::kSegmentVersion)
        return 2;
    return 0;
}
