// store_export.cpp — whole-file exports of a store's live state: Layout S (the compaction image)
// and Layout R (through export_layout_r, for upstream tools).
#include <cstring>

#include <rvf/layout_r_export.hpp>

#include "store_impl.hpp"

namespace rvf {

Result<std::vector<uint8_t>> RvfStore::export_layout_s() const {
    std::shared_lock<std::shared_mutex> g(impl_->state_mu);
    return impl_->build_image(impl_->epoch + 1, impl_->preserved_segments);
}

Result<std::vector<uint8_t>> RvfStore::export_layout_r() const {
    const Impl &s = *impl_;
    std::shared_lock<std::shared_mutex> g(s.state_mu);
    if (s.config.metric > static_cast<uint8_t>(Metric::Cosine))
        return Error{Status::MetricUnsupported, "Layout R has no Hamming metric"};
    StoreContents c;
    c.layout = FileLayout::R;
    c.dimension = s.config.dimension;
    c.metric = s.config.metric;
    c.epoch = s.epoch;
    std::memcpy(c.identity.file_id, s.file_id, 16);
    std::memcpy(c.identity.parent_id, s.parent_id, 16);
    std::memcpy(c.identity.parent_hash, s.parent_hash, 32);
    c.identity.lineage_depth = s.lineage_depth;
    c.ids = s.table.live_ids();
    c.vectors.resize(c.ids.size() * c.dimension);
    for (size_t i = 0; i < c.ids.size(); ++i)
        s.table.to_float(*s.table.slot_of(c.ids[i]), c.vectors.data() + i * c.dimension);
    LayoutRExportOptions opts;
    opts.profile_id = s.config.hw_profile; // Layout R's manifest byte 18 is the hardware profile
    return rvf::export_layout_r(c, opts);
}

} // namespace rvf
