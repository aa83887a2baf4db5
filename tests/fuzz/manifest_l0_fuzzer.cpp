// Fuzz target: Layout S Level-0 root decode (spec §4.2) and the Layout S tail scan (§4.3).
// Invariants checked (trap on violation): a root that decodes re-encodes to the same 4096
// bytes; every scan candidate lies inside the file, is 64-aligned and below the previous one.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include <rvf/core/format/layout_s_manifest.hpp>
#include <rvf/core/format/manifest_l0.hpp>
#include <rvf/core/scan/layout_s_tail_scan.hpp>

using namespace rvf::core;

namespace {

void check_round_trip(ByteView root) {
    static ManifestL0 m; // 4 KB: keep it off the fuzzer's stack
    if (decode_manifest_l0(root, m) != Status::Ok)
        return;
    std::vector<uint8_t> again(kRootManifestSize);
    if (encode_manifest_l0(m, MutByteView(again.data(), again.size())) != Status::Ok ||
        std::memcmp(again.data(), root.data, kRootManifestSize) != 0)
        __builtin_trap();
}

void scan(const TailScanWindow &w) {
    static LayoutSManifestView view;
    ManifestCandidate c;
    Status s = find_latest_layout_s_manifest(w, c);
    uint64_t prev = UINT64_MAX;
    int guard = 0;
    while (s == Status::Ok) {
        if (c.header_offset >= prev || c.header_offset % 64 != 0 ||
            c.payload_offset + c.header.payload_length > w.file_size || ++guard > 100000)
            __builtin_trap();
        const ByteView payload = detail::window_bytes(w, c.payload_offset, c.header.payload_length);
        if (payload.size == c.header.payload_length)
            (void)parse_layout_s_manifest(payload, c.payload_offset, view);
        prev = c.header_offset;
        s = find_layout_s_manifest_before(w, c.header_offset, c);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const ByteView in(data, size);
    ManifestL0 m;
    (void)decode_manifest_l0(in, m);
    if (size == kRootManifestSize)
        check_round_trip(in);
    // Most mutations break the CRC; re-seal a copy so the field checks behind it get reached.
    if (size >= kRootManifestSize) {
        std::vector<uint8_t> root(data + size - kRootManifestSize, data + size);
        store_u32_le(root.data() + l0_off::root_checksum, manifest_l0_checksum(root.data()));
        check_round_trip(ByteView(root.data(), root.size()));
    }
    // The input as a whole file, and as the tail window of a larger (unseen) file.
    scan(TailScanWindow{in, 0, size});
    if (size > 64)
        scan(TailScanWindow{in.from(37), 37, size});
    return 0;
}
