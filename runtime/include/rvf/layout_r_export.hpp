// rvf/layout_r_export.hpp — write a store's contents as a Layout R file, the layout upstream's
// shipped runtime (npm @ruvector/rvf-node 0.2.x) reads, segment for segment as that runtime
// would have written it (spec §3.1-3.2): MANIFEST (create), then per ingest batch VEC, WITNESS,
// MANIFEST, then for deletions JOURNAL, WITNESS, MANIFEST. Layout S stays our canonical format;
// this is the export path for upstream tools.
#pragma once
#include <cstdint>
#include <vector>

#include <rvf/file_report.hpp>
#include <rvf/result.hpp>

namespace rvf {

struct LayoutRExportOptions {
    uint8_t profile_id = 0;
    /// Witness timestamps; 0 = wall clock now. Fixed values make the output reproducible.
    uint64_t timestamp_ns = 0;
    /// Upper bound of one VEC payload. Upstream's reader refuses payloads over 256 MiB (spec
    /// §1), so larger stores are split into several ingest batches.
    uint64_t max_vec_payload = 256ull << 20;
};

/// Encode `c` (dimension 1..65535, metric 0-2, ids.size()·dimension == vectors.size(), every
/// deleted id present in ids) as a Layout R file image. The identity is kept when present,
/// else a random file_id is drawn. The last manifest's epoch is max(c.epoch, operations written).
/// Errors: InvalidArgument (inconsistent contents), MetricUnsupported (Hamming has no Layout R
/// code), DimensionMismatch (dimension 0 or vectors not a multiple of it).
Result<std::vector<uint8_t>> export_layout_r(const StoreContents &c, const LayoutRExportOptions &opts = {});

} // namespace rvf
