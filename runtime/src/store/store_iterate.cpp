// RvfStore::ids_after — paging over every live row in ascending id order (store_iterate.hpp).
// Exports and "for each row" loops use it instead of a k = N search, which the k limit (2^20)
// capped and which costs a full distance scan per call.
#include <algorithm>

#include "store_impl.hpp"

namespace rvf {

namespace {
// The snapshot for the table as it is now, sorting a fresh one when the table has changed.
std::shared_ptr<const std::vector<uint64_t>> sorted_ids(const RvfStore::Impl &s) {
    const store_detail::TableVersion now{s.epoch, s.table.slots(), s.table.live()};
    std::lock_guard<std::mutex> guard(s.id_order.mutex);
    if (!s.id_order.ids || !(s.id_order.version == now)) {
        auto ids = std::make_shared<std::vector<uint64_t>>(s.table.live_ids());
        std::sort(ids->begin(), ids->end());
        s.id_order.ids = std::move(ids);
        s.id_order.version = now;
    }
    return s.id_order.ids;
}
} // namespace

Result<std::vector<uint64_t>> RvfStore::ids_after(std::optional<uint64_t> after, size_t limit) const {
    std::shared_lock<std::shared_mutex> g(impl_->state_mu);
    std::vector<uint64_t> page;
    if (limit == 0 || impl_->table.live() == 0)
        return page;
    const std::shared_ptr<const std::vector<uint64_t>> ids = sorted_ids(*impl_);
    auto first = after ? std::upper_bound(ids->begin(), ids->end(), *after) : ids->begin();
    const size_t n = std::min<size_t>(limit, static_cast<size_t>(ids->end() - first));
    page.assign(first, first + static_cast<std::ptrdiff_t>(n));
    return page;
}

} // namespace rvf
