// event_hub.cpp — see rvf/server/event_hub.hpp.
#include <rvf/server/event_hub.hpp>

#include <algorithm>

namespace rvf::server {

const char *event_kind_name(EventKind k) {
    switch (k) {
    case EventKind::Ingest:
        return "ingest";
    case EventKind::Delete:
        return "delete";
    case EventKind::Compaction:
        return "compaction";
    }
    return "unknown";
}

Subscription::Subscription(uint32_t min_epoch, uint8_t notify_flags, size_t capacity)
    : min_epoch_(min_epoch), flags_(notify_flags), capacity_(capacity ? capacity : 1),
      last_epoch_(min_epoch ? min_epoch - 1 : 0) {}

void Subscription::offer(const UpdateEvent &e) {
    {
        std::lock_guard<std::mutex> g(m_);
        if (closed_ || e.epoch < min_epoch_ || (flags_ & notify_bit(e.kind)) == 0)
            return;
        if (overflowed_ || q_.size() >= capacity_) {
            // Past this point the client has a gap; it must resync (STATUS) rather than trust
            // a stream with holes, so everything after the first drop is dropped too.
            overflowed_ = true;
            ++dropped_;
        } else {
            q_.push_back(e);
        }
    }
    cv_.notify_one();
}

Subscription::Pop Subscription::pop(UpdateEvent &out, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> g(m_);
    cv_.wait_for(g, timeout, [&] { return closed_ || !q_.empty() || overflowed_; });
    if (closed_)
        return Pop::Closed;
    if (!q_.empty()) {
        out = q_.front();
        q_.pop_front();
        last_epoch_ = out.epoch;
        return Pop::Event;
    }
    return overflowed_ ? Pop::Overflow : Pop::Timeout;
}

void Subscription::close() {
    {
        std::lock_guard<std::mutex> g(m_);
        closed_ = true;
        q_.clear();
    }
    cv_.notify_all();
}

uint64_t Subscription::dropped() const {
    std::lock_guard<std::mutex> g(m_);
    return dropped_;
}

uint32_t Subscription::last_epoch() const {
    std::lock_guard<std::mutex> g(m_);
    return last_epoch_;
}

std::shared_ptr<Subscription> EventHub::subscribe(uint32_t min_epoch, uint8_t notify_flags) {
    auto s = std::make_shared<Subscription>(min_epoch, notify_flags, capacity_);
    std::lock_guard<std::mutex> g(m_);
    if (closed_) {
        s->close();
        return s;
    }
    prune_locked();
    subs_.push_back(s);
    return s;
}

void EventHub::publish(const UpdateEvent &e) {
    std::vector<std::shared_ptr<Subscription>> live;
    {
        std::lock_guard<std::mutex> g(m_);
        prune_locked();
        live.reserve(subs_.size());
        for (const auto &w : subs_)
            if (auto s = w.lock())
                live.push_back(std::move(s));
    }
    for (const auto &s : live)
        s->offer(e);
}

void EventHub::close_all() {
    std::vector<std::shared_ptr<Subscription>> live;
    {
        std::lock_guard<std::mutex> g(m_);
        closed_ = true;
        for (const auto &w : subs_)
            if (auto s = w.lock())
                live.push_back(std::move(s));
        subs_.clear();
    }
    for (const auto &s : live)
        s->close();
}

size_t EventHub::subscriber_count() const {
    std::lock_guard<std::mutex> g(m_);
    size_t n = 0;
    for (const auto &w : subs_)
        n += w.expired() ? 0 : 1;
    return n;
}

void EventHub::prune_locked() {
    subs_.erase(std::remove_if(subs_.begin(), subs_.end(), [](const std::weak_ptr<Subscription> &w) { return w.expired(); }),
                subs_.end());
}

} // namespace rvf::server
