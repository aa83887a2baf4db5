// Fuzz the Layout R manifest decoder (spec §3.3) and the WASM-export manifest form (§7.4):
// no input may crash or read out of bounds; a payload that decodes must re-encode to exactly
// the same bytes (the format has one encoding per value), and every accessor must be usable.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <rvf/core/format/layout_r_manifest.hpp>
#include <rvf/core/format/upstream_wasm_export.hpp>

using namespace rvf::core;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const ByteView in(data, size);
    LayoutRManifestView m;
    if (decode_layout_r_manifest(in, m) == Status::Ok) {
        uint64_t sink = m.header.epoch;
        for (uint32_t i = 0; i < m.entry_count(); ++i) {
            const LayoutRDirEntry e = m.entry(i);
            sink += e.seg_id ^ e.file_offset ^ e.payload_length ^ e.seg_type;
        }
        for (uint32_t i = 0; i < m.deleted_count; ++i) {
            const uint64_t id = m.deleted_id(i);
            if (!m.is_deleted(id))
                std::abort(); // every listed id must be found, sorted or not
            sink += id;
        }
        (void)m.is_deleted(sink);
        std::vector<uint8_t> out(size);
        ByteWriter w(MutByteView(out.data(), out.size()));
        if (encode_layout_r_manifest(w, m) != Status::Ok || w.pos() != size ||
            (size && std::memcmp(out.data(), data, size) != 0))
            std::abort();
        if (layout_r_manifest_size(m.entry_count(), m.deleted_count, m.has_identity, m.has_rvgn) != size)
            std::abort();
    }
    UpstreamWasmManifestView wm;
    if (decode_upstream_wasm_manifest(in, wm) == Status::Ok) {
        uint64_t sink = 0;
        for (uint32_t i = 0; i < wm.seg_count; ++i)
            sink += wm.entry(i).file_offset;
        if (wm.directory.size != static_cast<size_t>(wm.seg_count) * kLayoutRDirEntrySize)
            std::abort();
        (void)sink;
    }
    return 0;
}
