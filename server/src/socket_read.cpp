// socket_read.cpp — see rvf/server/socket_read.hpp.
#include <rvf/server/socket_read.hpp>

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace rvf::server {
namespace {

// Milliseconds left until the deadline for poll(2): -1 = forever, 0 = already passed.
int poll_timeout(Deadline deadline) {
    if (!deadline)
        return -1;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::clamp<long long>(left.count(), 0, 60'000));
}

} // namespace

ReadResult read_exact(int fd, uint8_t *p, size_t n, Deadline deadline) {
    size_t got = 0;
    while (got < n) {
        pollfd pfd{fd, POLLIN, 0};
        const int pr = ::poll(&pfd, 1, poll_timeout(deadline));
        if (pr < 0) {
            if (errno == EINTR)
                continue;
            return ReadResult::Error;
        }
        if (pr == 0) {
            if (deadline && std::chrono::steady_clock::now() >= *deadline)
                return ReadResult::Timeout;
            continue; // a long wait is polled in ≤ 60 s steps
        }
        const ssize_t r = ::recv(fd, p + got, n - got, 0);
        if (r == 0)
            return ReadResult::Eof;
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return ReadResult::Error;
        }
        got += static_cast<size_t>(r);
    }
    return ReadResult::Ok;
}

ReadResult read_payload(int fd, size_t len, Deadline deadline, std::vector<uint8_t> &out, size_t chunk) {
    out.clear();
    if (out.capacity() > len + chunk)
        std::vector<uint8_t>().swap(out); // a previous large frame's buffer is not kept for a small one
    chunk = std::max<size_t>(chunk, 1);
    while (out.size() < len) {
        const size_t have = out.size();
        const size_t step = std::min(chunk, len - have);
        if (out.capacity() < have + step)
            out.reserve(std::min(len, std::max(have + step, 2 * have))); // amortised, yet ≤ 2 × received
        out.resize(have + step);
        const ReadResult r = read_exact(fd, out.data() + have, step, deadline);
        if (r != ReadResult::Ok) {
            out.resize(have);
            return r;
        }
    }
    return ReadResult::Ok;
}

} // namespace rvf::server
