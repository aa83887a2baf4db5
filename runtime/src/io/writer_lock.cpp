// Writer lock file protocol (spec §11): create, stale detection, release.
#include "rvf/io/writer_lock.hpp"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

#include "rvf/core/format/lock_file.hpp"

namespace rvf::io {
namespace {

using core::kLockFileSize;
namespace off = core::lock_off;

uint64_t now_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec < 0)
        return 0;
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

uint64_t mtime_ns(const struct stat &st) {
    if (st.st_mtim.tv_sec < 0)
        return 0;
    return static_cast<uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(st.st_mtim.tv_nsec);
}

bool read_full(int fd, uint8_t *buf, size_t len) {
    size_t done = 0;
    while (done < len) {
        const ssize_t n = ::read(fd, buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

bool write_full(int fd, const uint8_t *buf, size_t len) {
    size_t done = 0;
    while (done < len) {
        const ssize_t n = ::write(fd, buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return false;
        }
        done += static_cast<size_t>(n);
    }
    return true;
}

/// Read up to `cap` bytes from the start of the file; returns the count, -1 on error.
ssize_t read_prefix(int fd, uint8_t *buf, size_t cap) {
    size_t done = 0;
    while (done < cap) {
        const ssize_t n = ::read(fd, buf + done, cap - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        done += static_cast<size_t>(n);
    }
    return static_cast<ssize_t>(done);
}

std::array<uint8_t, 16> random_writer_id() {
    std::array<uint8_t, 16> id{};
#if defined(__linux__)
    size_t got = 0;
    while (got < id.size()) {
        const ssize_t n = ::getrandom(id.data() + got, id.size() - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += static_cast<size_t>(n);
    }
    if (got == id.size())
        return id;
#endif
    const int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        const bool ok = read_full(fd, id.data(), id.size());
        ::close(fd);
        if (ok)
            return id;
    }
    // Last resort, as upstream: time and pid. Unique enough for release's ownership check.
    const uint64_t t = now_ns();
    const uint32_t pid = static_cast<uint32_t>(::getpid());
    for (size_t i = 0; i < 8; ++i)
        id[i] = static_cast<uint8_t>(t >> (8 * i));
    for (size_t i = 0; i < 4; ++i)
        id[8 + i] = static_cast<uint8_t>(pid >> (8 * i));
    return id;
}

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

std::string hex(const uint8_t *p, size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s += digits[p[i] >> 4];
        s += digits[p[i] & 15];
    }
    return s;
}

enum class Create { Ok, Exists };

// Write the whole record under a private name, then link it into place: the lock path never
// shows a partial record. Falls back to O_CREAT|O_EXCL where hard links are unsupported.
Result<Create> create_lock_file(const std::string &lock_path, const uint8_t *rec, const std::array<uint8_t, 16> &id) {
    const auto write_synced = [&](const std::string &p, bool excl_target) -> Result<Create> {
        const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) {
            const int e = errno;
            if (e == EEXIST && excl_target)
                return Create::Exists;
            return Error{Status::IoError, "create " + p + ": " + std::strerror(e)};
        }
        if (!write_full(fd, rec, kLockFileSize)) {
            const int e = errno;
            ::close(fd);
            ::unlink(p.c_str());
            return Error{Status::IoError, "write " + p + ": " + std::strerror(e)};
        }
        if (::fsync(fd) != 0) {
            const int e = errno;
            ::close(fd);
            ::unlink(p.c_str());
            return Error{Status::FsyncFailed, "fsync " + p + ": " + std::strerror(e)};
        }
        ::close(fd);
        return Create::Ok;
    };

    const std::string tmp = lock_path + "." + hex(id.data(), 8) + ".tmp";
    Result<Create> t = write_synced(tmp, false);
    if (!t)
        return t;
    const int r = ::link(tmp.c_str(), lock_path.c_str());
    const int e = errno;
    ::unlink(tmp.c_str());
    if (r != 0) {
        if (e == EEXIST)
            return Create::Exists;
        if (e != EPERM && e != ENOSYS && e != EOPNOTSUPP && e != EMLINK)
            return Error{Status::IoError, "link " + lock_path + ": " + std::strerror(e)};
        Result<Create> direct = write_synced(lock_path, true);
        if (!direct || *direct == Create::Exists)
            return direct;
    }
    // No directory fsync: a lock only protects a live process, and after a machine crash a lost
    // lock entry is the right outcome. The record itself is fsynced as upstream does.
    return Create::Ok;
}

enum class Verdict { Retry, Held };

struct Judged {
    Verdict verdict = Verdict::Retry;
    std::string holder; // for LockHeld
};

// Delete the lock only if the path still names the file that was judged stale: a racing writer
// may already have removed it and created a fresh one.
VoidResult remove_if_same(const std::string &lock_path, const struct stat &judged) {
    struct stat now {};
    if (::stat(lock_path.c_str(), &now) != 0)
        return {}; // already gone: just retry
    if (now.st_dev != judged.st_dev || now.st_ino != judged.st_ino)
        return {};
    if (::unlink(lock_path.c_str()) != 0 && errno != ENOENT) {
        const int e = errno;
        return Error{Status::IoError, "remove stale lock " + lock_path + ": " + std::strerror(e)};
    }
    return {};
}

Result<Judged> judge_existing(const std::string &lock_path, const LockPolicy &policy, const std::string &host,
                              bool rechecked) {
    const int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int e = errno;
        if (e == ENOENT)
            return Judged{}; // released meanwhile
        return Error{Status::IoError, "open " + lock_path + ": " + std::strerror(e)};
    }
    struct stat st {};
    uint8_t buf[kLockFileSize];
    const bool stat_ok = ::fstat(fd, &st) == 0;
    const ssize_t n = stat_ok ? read_prefix(fd, buf, sizeof buf) : -1;
    const int e = errno;
    ::close(fd);
    if (n < 0)
        return Error{Status::IoError, "read " + lock_path + ": " + std::strerror(e)};

    const uint64_t now = now_ns();
    if (static_cast<size_t>(n) < kLockFileSize || core::load_u32_le(buf + off::magic) != core::kLockMagic) {
        const uint64_t mt = mtime_ns(st);
        if (!rechecked && now >= mt && now - mt < policy.invalid_recent_ns) {
            timespec pause{static_cast<time_t>(policy.invalid_recheck_ms / 1000),
                           static_cast<long>(policy.invalid_recheck_ms % 1000) * 1'000'000L};
            ::nanosleep(&pause, nullptr); // an early wake-up (EINTR) only shortens the grace
            return judge_existing(lock_path, policy, host, true);
        }
        if (VoidResult r = remove_if_same(lock_path, st); !r)
            return r.error();
        return Judged{};
    }

    LockJudgement v = judge_lock_record(core::ByteView(buf, static_cast<size_t>(n)), now, host, pid_alive, policy);
    if (v.kind == LockJudgement::Kind::Stale) {
        if (VoidResult r = remove_if_same(lock_path, st); !r)
            return r.error();
        return Judged{};
    }
    Judged j;
    j.verdict = Verdict::Held;
    j.holder = std::move(v.holder);
    return j;
}

} // namespace

std::array<uint8_t, 104> lock_record(uint32_t pid, const std::string &host, uint64_t now_ns,
                                     const std::array<uint8_t, 16> &writer_id) {
    static_assert(kLockFileSize == 104);
    core::LockRecord rec;
    rec.pid = pid;
    rec.set_hostname(host.data(), host.size());
    rec.timestamp_ns = now_ns;
    for (size_t i = 0; i < writer_id.size(); ++i)
        rec.writer_id[i] = writer_id[i];
    std::array<uint8_t, 104> out{};
    core::encode_lock_file(rec, out.data());
    return out;
}

LockJudgement judge_lock_record(core::ByteView bytes, uint64_t now_ns, const std::string &host,
                                const std::function<bool(uint32_t)> &pid_alive, const LockPolicy &policy) {
    LockJudgement v;
    if (bytes.size < kLockFileSize || core::load_u32_le(bytes.data + off::magic) != core::kLockMagic)
        return v; // Invalid
    // Not decode_lock_file: the checksum and version are not used to judge a lock (header comment).
    core::LockRecord rec;
    rec.pid = core::load_u32_le(bytes.data + off::pid);
    for (size_t i = 0; i < core::kLockHostnameSize; ++i)
        rec.hostname[i] = bytes.data[off::hostname + i];
    rec.timestamp_ns = core::load_u64_le(bytes.data + off::timestamp_ns);
    v.pid = rec.pid;
    const size_t host_len = host.size() < core::kLockHostnameMaxCopy ? host.size() : core::kLockHostnameMaxCopy;
    const bool same_host = rec.hostname_equals(host.data(), host_len);
    const uint64_t age = now_ns > rec.timestamp_ns ? now_ns - rec.timestamp_ns : 0;
    const bool stale =
        same_host ? (age > policy.same_host_stale_ns && !pid_alive(rec.pid)) : age > policy.other_host_stale_ns;
    if (stale) {
        v.kind = LockJudgement::Kind::Stale;
        return v;
    }
    v.kind = LockJudgement::Kind::Held;
    v.holder = "pid " + std::to_string(rec.pid) + " on host '" +
               std::string(reinterpret_cast<const char *>(rec.hostname), rec.hostname_len()) + "'" +
               (same_host ? "" : " (another host)") + ", taken " + std::to_string(age / 1'000'000'000ull) + " s ago";
    return v;
}

bool lock_record_has_writer(core::ByteView bytes, const std::array<uint8_t, 16> &writer_id) {
    return bytes.size >= kLockFileSize &&
           std::memcmp(bytes.data + off::writer_id, writer_id.data(), writer_id.size()) == 0;
}

std::string lock_path_for(const std::string &rvf_path) { return rvf_path + ".lock"; }

std::string local_hostname() {
    if (const char *env = std::getenv("HOSTNAME"); env != nullptr)
        return env; // as upstream: used as-is, even if empty
    if (FILE *f = std::fopen("/etc/hostname", "re")) {
        char buf[256];
        const size_t n = std::fread(buf, 1, sizeof buf, f);
        std::fclose(f);
        std::string s(buf, n);
        const auto ws = [](char c) {
            return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
        };
        while (!s.empty() && ws(s.back()))
            s.pop_back();
        size_t lead = 0;
        while (lead < s.size() && ws(s[lead]))
            ++lead;
        s.erase(0, lead);
        return s; // upstream keeps an empty file's "" too
    }
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) == 0 && buf[0] != '\0')
        return buf;
    return "unknown";
}

Result<WriterLock> WriterLock::acquire(const std::string &rvf_path, const LockPolicy &policy) {
    const std::string lock_path = lock_path_for(rvf_path);
    const std::string host = local_hostname();
    const std::array<uint8_t, 16> id = random_writer_id();

    const int attempts = policy.max_attempts > 0 ? policy.max_attempts : 1;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        const std::array<uint8_t, 104> bytes = lock_record(static_cast<uint32_t>(::getpid()), host, now_ns(), id);
        Result<Create> c = create_lock_file(lock_path, bytes.data(), id);
        if (!c)
            return c.error();
        if (*c == Create::Ok)
            return WriterLock(lock_path, id);

        Result<Judged> j = judge_existing(lock_path, policy, host, false);
        if (!j)
            return j.error();
        if (j->verdict == Verdict::Held)
            return Error{Status::LockHeld, lock_path + " is held by " + j->holder};
    }
    return Error{Status::LockHeld, lock_path + ": contended, gave up after " + std::to_string(attempts) + " attempts"};
}

WriterLock::WriterLock(WriterLock &&other) noexcept
    : path_(std::move(other.path_)), writer_id_(other.writer_id_), held_(other.held_) {
    other.held_ = false;
}

WriterLock &WriterLock::operator=(WriterLock &&other) noexcept {
    if (this != &other) {
        release();
        path_ = std::move(other.path_);
        writer_id_ = other.writer_id_;
        held_ = other.held_;
        other.held_ = false;
    }
    return *this;
}

bool WriterLock::still_owned() const {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    uint8_t buf[kLockFileSize];
    const ssize_t n = read_prefix(fd, buf, sizeof buf);
    ::close(fd);
    return n >= 0 && lock_record_has_writer(core::ByteView(buf, static_cast<size_t>(n)), writer_id_);
}

void WriterLock::release() {
    if (!held_)
        return;
    held_ = false;
    if (still_owned())
        ::unlink(path_.c_str());
}

} // namespace rvf::io
