// platform/process.hpp on POSIX (and Emscripten, which has no process table).
#if !defined(_WIN32)
#include "process.hpp"

#include <cerrno>
#include <climits>
#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

namespace rvf::platform {

uint32_t current_pid() { return static_cast<uint32_t>(::getpid()); }

bool pid_alive(uint32_t pid) {
#if defined(__EMSCRIPTEN__)
    (void)pid;
    return true; // no process table to ask: never call a lock dead on pid grounds
#else
    // 0 and values above INT_MAX are not process ids; kill() would read them as process groups.
    if (pid == 0 || pid > static_cast<uint32_t>(INT_MAX))
        return false;
    if (::kill(static_cast<pid_t>(pid), 0) == 0)
        return true;
    return errno == EPERM; // exists but belongs to another user
#endif
}

std::string system_hostname() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) == 0)
        return buf;
    return {};
}

uint64_t now_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec < 0)
        return 0;
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

void sleep_ms(uint32_t ms) {
    timespec pause{static_cast<time_t>(ms / 1000), static_cast<long>(ms % 1000) * 1'000'000L};
    ::nanosleep(&pause, nullptr);
}

bool random_bytes(uint8_t *buf, size_t len) {
    size_t got = 0;
#if defined(__linux__)
    while (got < len) {
        const ssize_t n = ::getrandom(buf + got, len - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += static_cast<size_t>(n);
    }
    if (got == len)
        return true;
#endif
    const int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    got = 0;
    while (got < len) {
        const ssize_t n = ::read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += static_cast<size_t>(n);
    }
    ::close(fd);
    return got == len;
}

} // namespace rvf::platform
#endif
