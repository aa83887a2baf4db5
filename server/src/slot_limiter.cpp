// slot_limiter.cpp — see rvf/server/slot_limiter.hpp.
#include <rvf/server/slot_limiter.hpp>

namespace rvf::server {

std::unique_ptr<SlotLimiter::Slot> SlotLimiter::try_acquire(const std::string &key) {
    std::lock_guard<std::mutex> g(m_);
    size_t &mine = per_key_[key];
    if (total_ >= max_total_ || mine >= max_per_key_) {
        if (mine == 0)
            per_key_.erase(key); // keep the map to the addresses that hold slots
        return nullptr;
    }
    ++mine;
    ++total_;
    return std::make_unique<Slot>(*this, key);
}

void SlotLimiter::release(const std::string &key) {
    std::lock_guard<std::mutex> g(m_);
    auto it = per_key_.find(key);
    if (it != per_key_.end() && --it->second == 0)
        per_key_.erase(it);
    --total_;
}

size_t SlotLimiter::in_use() const {
    std::lock_guard<std::mutex> g(m_);
    return total_;
}

} // namespace rvf::server
