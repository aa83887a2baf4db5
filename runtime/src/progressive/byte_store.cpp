// byte_store.cpp — see byte_store.hpp.
#include "byte_store.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace rvf::progressive_detail {

Result<void> ByteStore::add(uint64_t offset, core::ByteView b) {
    const uint64_t end = offset + b.size;
    // Pass 1: compare every overlap and collect the gaps; nothing changes until all agree.
    std::vector<ByteRange> gaps;
    uint64_t at = offset;
    auto it = chunks_.upper_bound(offset);
    if (it != chunks_.begin())
        --it;
    for (; it != chunks_.end() && it->first < end; ++it) {
        const uint64_t c0 = it->first, c1 = c0 + it->second.size();
        if (c1 <= at)
            continue;
        if (c0 > at)
            gaps.push_back({at, c0 - at});
        const uint64_t o0 = std::max(c0, at), o1 = std::min(c1, end);
        if (std::memcmp(it->second.data() + (o0 - c0), b.data + (o0 - offset), static_cast<size_t>(o1 - o0)) != 0)
            return Error{Status::FileChanged, "bytes at " + std::to_string(o0) + ".." + std::to_string(o1) +
                                                  " differ from the same bytes fetched earlier"};
        at = o1;
    }
    if (at < end)
        gaps.push_back({at, end - at});
    for (const ByteRange &g : gaps) {
        const uint8_t *p = b.data + (g.offset - offset);
        chunks_.emplace(g.offset, std::vector<uint8_t>(p, p + g.length));
        held_ += g.length;
    }
    return {};
}

bool ByteStore::has(uint64_t offset, uint64_t len) const {
    std::vector<ByteRange> m;
    missing(offset, len, m);
    return m.empty();
}

void ByteStore::missing(uint64_t offset, uint64_t len, std::vector<ByteRange> &out) const {
    const uint64_t end = offset + len;
    uint64_t at = offset;
    auto it = chunks_.upper_bound(offset);
    if (it != chunks_.begin())
        --it;
    for (; it != chunks_.end() && it->first < end && at < end; ++it) {
        const uint64_t c0 = it->first, c1 = c0 + it->second.size();
        if (c1 <= at)
            continue;
        if (c0 > at)
            out.push_back({at, c0 - at});
        at = std::max(at, c1);
    }
    if (at < end)
        out.push_back({at, end - at});
}

core::ByteView ByteStore::view(uint64_t offset, uint64_t len, std::vector<uint8_t> &scratch) const {
    auto it = chunks_.upper_bound(offset);
    if (it == chunks_.begin())
        return {};
    --it;
    if (it->first + it->second.size() >= offset + len) // one chunk holds it all
        return core::ByteView(it->second.data() + (offset - it->first), static_cast<size_t>(len));
    scratch.resize(static_cast<size_t>(len));
    uint64_t at = offset;
    for (; it != chunks_.end() && at < offset + len; ++it) {
        const uint64_t c0 = it->first, c1 = c0 + it->second.size();
        const uint64_t n = std::min(c1, offset + len) - at;
        std::memcpy(scratch.data() + (at - offset), it->second.data() + (at - c0), static_cast<size_t>(n));
        at += n;
    }
    return core::ByteView(scratch.data(), scratch.size());
}

uint64_t ByteStore::suffix_start() const {
    uint64_t lo = size_;
    for (auto it = chunks_.rbegin(); it != chunks_.rend(); ++it) {
        if (it->first + it->second.size() != lo)
            break;
        lo = it->first;
    }
    return lo;
}

void ByteStore::drop(uint64_t offset, uint64_t len) {
    const uint64_t end = offset + len;
    auto it = chunks_.upper_bound(offset);
    if (it != chunks_.begin())
        --it;
    while (it != chunks_.end() && it->first < end) {
        const uint64_t c0 = it->first, c1 = c0 + it->second.size();
        if (c1 <= offset) {
            ++it;
            continue;
        }
        // Keep what lies before and after the dropped range as chunks of their own.
        std::vector<uint8_t> before, after;
        if (c0 < offset)
            before.assign(it->second.begin(), it->second.begin() + static_cast<ptrdiff_t>(offset - c0));
        if (c1 > end)
            after.assign(it->second.begin() + static_cast<ptrdiff_t>(end - c0), it->second.end());
        held_ -= std::min(c1, end) - std::max(c0, offset);
        it = chunks_.erase(it);
        if (!before.empty())
            chunks_.emplace(c0, std::move(before));
        if (!after.empty())
            it = chunks_.emplace(end, std::move(after)).first;
    }
}

std::vector<uint8_t> ByteStore::take_all() {
    std::vector<uint8_t> out(static_cast<size_t>(size_));
    for (auto it = chunks_.begin(); it != chunks_.end(); it = chunks_.erase(it))
        std::memcpy(out.data() + it->first, it->second.data(), it->second.size());
    held_ = 0;
    return out;
}

} // namespace rvf::progressive_detail
