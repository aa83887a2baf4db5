// Fuzz target: Layout S Level-1 TLV area, record values (SEGMENT_DIR, OVERLAY_CHAIN,
// METADATA_INDEX_DIR) and the whole MANIFEST_SEG payload (spec §4.1, §4.4-4.6).
// Invariants checked (trap on violation): an area that parses re-encodes record by record to
// the same bytes; the cursor yields exactly record_count records; a metadata-index value that
// parses re-encodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include <rvf/core/format/layout_s_manifest.hpp>
#include <rvf/core/format/manifest_tlv.hpp>

using namespace rvf::core;

namespace {

void same_or_trap(const std::vector<uint8_t> &a, ByteView b) {
    if (a.size() != b.size || (b.size && std::memcmp(a.data(), b.data, b.size) != 0))
        __builtin_trap();
}

void values(ByteView v) {
    SegmentDirView dir;
    if (parse_segment_dir(v, dir) == Status::Ok) {
        std::vector<uint8_t> out(v.size);
        ByteWriter w(MutByteView(out.data(), out.size()));
        for (size_t i = 0; i < dir.size(); ++i)
            if (encode_segment_dir_entry(w, dir.at(i)) != Status::Ok)
                __builtin_trap();
        same_or_trap(out, v);
    }
    OverlayChain c;
    (void)decode_overlay_chain(v, c);
    MetadataIndexDirView md;
    if (parse_metadata_index_dir(v, md) == Status::Ok) {
        std::vector<MetadataIndexEntry> entries;
        auto cur = md.entries();
        MetadataIndexEntry e;
        while (cur.next(e))
            entries.push_back(e);
        if (entries.size() != md.count)
            __builtin_trap();
        std::vector<uint8_t> out(v.size);
        ByteWriter w(MutByteView(out.data(), out.size()));
        if (encode_metadata_index_dir_value(w, entries.data(), entries.size()) != Status::Ok)
            __builtin_trap();
        same_or_trap(out, v);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const ByteView in(data, size);
    values(in);

    TlvAreaView area;
    if (parse_tlv_area(in, area) == Status::Ok) {
        std::vector<uint8_t> out(size);
        ByteWriter w(MutByteView(out.data(), out.size()));
        auto cur = area.records();
        TlvRecord rec;
        size_t n = 0;
        while (cur.next(rec)) {
            ++n;
            if (encode_tlv_record(w, rec.tag, rec.value) != Status::Ok)
                __builtin_trap();
            values(rec.value);
        }
        if (cur.status() != Status::Ok || n != area.record_count)
            __builtin_trap();
        same_or_trap(out, in);
    }

    // The input as the TLV area of a payload whose root is valid and points at it.
    static LayoutSManifestView view;
    std::vector<uint8_t> payload(data, data + size);
    payload.resize(size + kRootManifestSize);
    ManifestL0 root;
    root.l1_manifest_length = size;
    if (encode_manifest_l0(root, MutByteView(payload.data() + size, kRootManifestSize)) != Status::Ok)
        __builtin_trap();
    const Status s = parse_layout_s_manifest(ByteView(payload.data(), payload.size()), 0, view);
    if (s == Status::Ok && (view.tlv.record_count != area.record_count || view.tlv_bytes.size != size))
        __builtin_trap();
    // And as a payload as it stands.
    (void)parse_layout_s_manifest(in, kPayloadOffsetUnknown, view);
    return 0;
}
