// Writer lock file protocol (spec §11): create, stale detection, release.
#include "rvf/io/writer_lock.hpp"

#include <cctype>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#if !defined(__EMSCRIPTEN__)
#include <sys/file.h>
#endif
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

bool pwrite_full(int fd, const uint8_t *buf, size_t len, off_t off) {
    size_t done = 0;
    while (done < len) {
        const ssize_t n = ::pwrite(fd, buf + done, len - done, off + static_cast<off_t>(done));
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

/// Read up to `cap` bytes from the start of the file (whatever the descriptor's offset);
/// returns the count, -1 on error.
ssize_t pread_prefix(int fd, uint8_t *buf, size_t cap) {
    size_t done = 0;
    while (done < cap) {
        const ssize_t n = ::pread(fd, buf + done, cap - done, static_cast<off_t>(done));
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

enum class OsLock { Locked, Busy, Unsupported };

// Exclusive, non-blocking. OFD locks belong to the open file description, so closing some other
// descriptor of the same file elsewhere in this process (a reader, a test) never drops them, and
// two opens in one process exclude each other. flock has the same semantics where OFD is missing.
OsLock try_os_lock(int fd) {
#if defined(__EMSCRIPTEN__)
    (void)fd;
    return OsLock::Unsupported;
#else
#if defined(F_OFD_SETLK)
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = 0;
    fl.l_len = 0;
    if (::fcntl(fd, F_OFD_SETLK, &fl) == 0)
        return OsLock::Locked;
    if (errno == EAGAIN || errno == EACCES)
        return OsLock::Busy;
    if (errno != EINVAL) // EINVAL: a kernel without OFD locks; try flock
        return OsLock::Unsupported;
#endif
    int r;
    do
        r = ::flock(fd, LOCK_EX | LOCK_NB);
    while (r != 0 && errno == EINTR);
    if (r == 0)
        return OsLock::Locked;
    return errno == EWOULDBLOCK ? OsLock::Busy : OsLock::Unsupported;
#endif
}

/// True while `path` still names the file open on `fd` (a releasing holder unlinks the path).
bool names_same_file(int fd, const std::string &path) {
    struct stat a {}, b {};
    return ::fstat(fd, &a) == 0 && ::stat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

std::string parent_dir(const std::string &path) {
    const size_t slash = path.find_last_of('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// `<lock>.<16 hex>.tmp` staging files of record writers killed between write and link (the SDK's
// wasm backend and older versions of ours stage the record that way). A live writer holds one for
// microseconds, so anything older than 10 s is litter.
void remove_stale_record_temps(const std::string &lock_path) {
    const std::string dir = parent_dir(lock_path);
    const size_t slash = lock_path.find_last_of('/');
    const std::string base = slash == std::string::npos ? lock_path : lock_path.substr(slash + 1);
    DIR *d = ::opendir(dir.c_str());
    if (d == nullptr)
        return;
    const uint64_t now = now_ns();
    while (const dirent *e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name.size() != base.size() + 1 + 16 + 4 || name.compare(0, base.size() + 1, base + ".") != 0 ||
            name.compare(name.size() - 4, 4, ".tmp") != 0)
            continue;
        bool hex_id = true;
        for (size_t i = base.size() + 1; i < base.size() + 17; ++i)
            hex_id = hex_id && std::isxdigit(static_cast<unsigned char>(name[i]));
        struct stat st {};
        const std::string full = dir + "/" + name;
        if (hex_id && ::stat(full.c_str(), &st) == 0 && S_ISREG(st.st_mode) && now > mtime_ns(st) &&
            now - mtime_ns(st) > 10'000'000'000ull)
            ::unlink(full.c_str());
    }
    ::closedir(d);
}

std::string age_text(uint64_t ns) { return std::to_string(ns / 1'000'000'000ull) + " s"; }

/// "pid N on host 'h'" from a record's bytes (for the message about a live OS-lock holder).
std::string describe_record(const uint8_t *buf, ssize_t n, uint64_t now) {
    if (n < static_cast<ssize_t>(kLockFileSize) || core::load_u32_le(buf + off::magic) != core::kLockMagic)
        return "a writer that has not written its record yet";
    core::LockRecord rec;
    for (size_t i = 0; i < core::kLockHostnameSize; ++i)
        rec.hostname[i] = buf[off::hostname + i];
    const uint64_t ts = core::load_u64_le(buf + off::timestamp_ns);
    return "pid " + std::to_string(core::load_u32_le(buf + off::pid)) + " on host '" +
           std::string(reinterpret_cast<const char *>(rec.hostname), rec.hostname_len()) + "', taken " +
           age_text(now > ts ? now - ts : 0) + " ago";
}

} // namespace

std::array<uint8_t, 104> lock_record(uint32_t pid, const std::string &host, uint64_t now_ns,
                                     const std::array<uint8_t, 16> &writer_id, bool os_locked) {
    static_assert(kLockFileSize == 104);
    core::LockRecord rec;
    rec.pid = pid;
    rec.set_hostname(host.data(), host.size());
    rec.timestamp_ns = now_ns;
    for (size_t i = 0; i < writer_id.size(); ++i)
        rec.writer_id[i] = writer_id[i];
    rec.lock_version = os_locked ? core::kLockVersionOsLocked : core::kLockVersion;
    std::array<uint8_t, 104> out{};
    core::encode_lock_file(rec, out.data());
    return out;
}

LockJudgement judge_lock_record(core::ByteView bytes, uint64_t now_ns, const std::string &host,
                                const std::function<bool(uint32_t)> &pid_alive, const LockPolicy &policy) {
    LockJudgement v;
    if (bytes.size < kLockFileSize || core::load_u32_le(bytes.data + off::magic) != core::kLockMagic)
        return v; // Invalid
    // Not decode_lock_file: the checksum is not used to judge a lock (header comment).
    core::LockRecord rec;
    rec.pid = core::load_u32_le(bytes.data + off::pid);
    for (size_t i = 0; i < core::kLockHostnameSize; ++i)
        rec.hostname[i] = bytes.data[off::hostname + i];
    rec.timestamp_ns = core::load_u64_le(bytes.data + off::timestamp_ns);
    v.pid = rec.pid;
    v.os_locked = core::load_u32_le(bytes.data + off::lock_version) == core::kLockVersionOsLocked;
    const size_t host_len = host.size() < core::kLockHostnameMaxCopy ? host.size() : core::kLockHostnameMaxCopy;
    const bool same_host = rec.hostname_equals(host.data(), host_len);
    const uint64_t age = now_ns > rec.timestamp_ns ? now_ns - rec.timestamp_ns : 0;
    const bool alive = same_host && pid_alive(rec.pid);
    const bool stale = same_host ? (age >= policy.same_host_stale_ns && !alive) : age > policy.other_host_stale_ns;
    if (stale) {
        v.kind = LockJudgement::Kind::Stale;
        return v;
    }
    v.kind = LockJudgement::Kind::Held;
    const std::string who = "pid " + std::to_string(rec.pid) + " on host '" +
                            std::string(reinterpret_cast<const char *>(rec.hostname), rec.hostname_len()) + "'";
    const std::string lock_name = "the lock file";
    if (same_host && alive) {
        v.holder = who + " (running), taken " + age_text(age) + " ago";
        v.advice = "close that writer first or open the store read-only; if pid " + std::to_string(rec.pid) +
                   " is not an RVF writer (its pid was reused), delete " + lock_name;
    } else if (same_host) { // dead, younger than an injected same-host threshold
        const uint64_t left = policy.same_host_stale_ns - age;
        v.holder = who + " (not running), taken " + age_text(age) + " ago";
        v.advice = "it counts as stale in " + age_text(left + 999'999'999ull) + "; retry then";
    } else {
        const uint64_t left = policy.other_host_stale_ns - age;
        v.holder = who + " (another host; cannot tell from here whether it runs), last refreshed " + age_text(age) +
                   " ago";
        v.advice = "it counts as stale after " + age_text(policy.other_host_stale_ns) + " without a refresh (in " +
                   age_text(left + 999'999'999ull) + "); if that host no longer writes this file, delete " + lock_name;
    }
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
    remove_stale_record_temps(lock_path);

    const int attempts = policy.max_attempts > 0 ? policy.max_attempts : 1;
    bool rechecked = false;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        bool created = true;
        int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && errno == EEXIST) {
            created = false;
            fd = ::open(lock_path.c_str(), O_RDWR | O_CLOEXEC);
            if (fd < 0 && errno == ENOENT)
                continue; // released between the two opens
        }
        if (fd < 0) {
            const int e = errno;
            return Error{Status::IoError, "open " + lock_path + ": " + std::strerror(e) +
                                              " (the directory must be writable by the writer)"};
        }
        const auto fail = [&](Error e) -> Result<WriterLock> {
            ::close(fd);
            return e;
        };
        const OsLock os = try_os_lock(fd);
        if (os == OsLock::Busy) {
            uint8_t buf[kLockFileSize];
            const ssize_t n = pread_prefix(fd, buf, sizeof buf);
            return fail(Error{Status::LockHeld, lock_path + " is held by a running writer: " +
                                                    describe_record(buf, n, now_ns()) +
                                                    " (it holds the OS lock on the lock file). Close that writer "
                                                    "first, or open the store read-only."});
        }
        if (!names_same_file(fd, lock_path)) {
            ::close(fd); // its holder unlinked it while releasing: start again on the new file
            continue;
        }
        if (!created) {
            uint8_t buf[kLockFileSize];
            struct stat st {};
            const ssize_t n = ::fstat(fd, &st) == 0 ? pread_prefix(fd, buf, sizeof buf) : -1;
            if (n < 0) {
                const int e = errno;
                return fail(Error{Status::IoError, "read " + lock_path + ": " + std::strerror(e)});
            }
            const core::ByteView bytes(buf, static_cast<size_t>(n));
            const uint64_t now = now_ns();
            const LockJudgement v = judge_lock_record(bytes, now, host, pid_alive, policy);
            if (v.kind == LockJudgement::Kind::Invalid) {
                // A writer that creates the file and then writes it (upstream) may be in between.
                const uint64_t mt = mtime_ns(st);
                if (!rechecked && now >= mt && now - mt < policy.invalid_recent_ns) {
                    rechecked = true;
                    ::close(fd);
                    timespec pause{static_cast<time_t>(policy.invalid_recheck_ms / 1000),
                                   static_cast<long>(policy.invalid_recheck_ms % 1000) * 1'000'000L};
                    ::nanosleep(&pause, nullptr); // an early wake-up (EINTR) only shortens the grace
                    --attempt;
                    continue;
                }
            } else if (v.kind == LockJudgement::Kind::Held && !(v.os_locked && os == OsLock::Locked)) {
                // A version-2 record whose OS lock we now hold names a writer that is gone: the
                // kernel dropped its lock when it died. Anything else is judged by the record.
                return fail(Error{Status::LockHeld, lock_path + " is held by " + v.holder + ". " +
                                                        std::string(1, static_cast<char>(std::toupper(v.advice[0]))) +
                                                        v.advice.substr(1) + " (" + lock_path + ")."});
            }
            if (os == OsLock::Unsupported) {
                // No OS lock to serialise takeovers: remove the stale file only if it is still the
                // one judged, then race for a fresh O_EXCL create like upstream.
                struct stat now_st {};
                if (::stat(lock_path.c_str(), &now_st) == 0 && now_st.st_dev == st.st_dev && now_st.st_ino == st.st_ino)
                    ::unlink(lock_path.c_str());
                ::close(fd);
                continue;
            }
        }
        const uint64_t written = now_ns();
        const std::array<uint8_t, 104> rec =
            lock_record(static_cast<uint32_t>(::getpid()), host, written, id, os == OsLock::Locked);
        if (!pwrite_full(fd, rec.data(), rec.size(), 0) || ::ftruncate(fd, static_cast<off_t>(rec.size())) != 0) {
            const int e = errno;
            if (created)
                ::unlink(lock_path.c_str());
            return fail(Error{Status::IoError, "write " + lock_path + ": " + std::strerror(e)});
        }
        if (::fsync(fd) != 0) {
            const int e = errno;
            ::unlink(lock_path.c_str());
            return fail(Error{Status::FsyncFailed, "fsync " + lock_path + ": " + std::strerror(e)});
        }
        // No directory fsync: a lock only protects a live process, and after a machine crash a
        // lost lock entry is the right outcome.
        return WriterLock(lock_path, id, fd, os == OsLock::Locked, written);
    }
    return Error{Status::LockHeld, lock_path + ": contended, gave up after " + std::to_string(attempts) +
                                       " attempts; retry"};
}

WriterLock::WriterLock(WriterLock &&other) noexcept
    : path_(std::move(other.path_)), writer_id_(other.writer_id_), fd_(other.fd_), os_locked_(other.os_locked_),
      written_ns_(other.written_ns_), held_(other.held_) {
    other.held_ = false;
    other.fd_ = -1;
}

WriterLock &WriterLock::operator=(WriterLock &&other) noexcept {
    if (this != &other) {
        release();
        path_ = std::move(other.path_);
        writer_id_ = other.writer_id_;
        fd_ = other.fd_;
        os_locked_ = other.os_locked_;
        written_ns_ = other.written_ns_;
        held_ = other.held_;
        other.held_ = false;
        other.fd_ = -1;
    }
    return *this;
}

bool WriterLock::still_owned() const {
    if (fd_ >= 0 && !names_same_file(fd_, path_))
        return false; // the path names another file now: ours was broken and replaced
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    uint8_t buf[kLockFileSize];
    const ssize_t n = pread_prefix(fd, buf, sizeof buf);
    ::close(fd); // a separate description: closing it leaves our OS lock alone
    return n >= 0 && lock_record_has_writer(core::ByteView(buf, static_cast<size_t>(n)), writer_id_);
}

void WriterLock::refresh(uint64_t min_interval_ns) {
    if (!held_ || fd_ < 0)
        return;
    const uint64_t now = now_ns();
    if (now >= written_ns_ && now - written_ns_ < min_interval_ns)
        return;
    if (!still_owned())
        return;
    const std::array<uint8_t, 104> rec =
        lock_record(static_cast<uint32_t>(::getpid()), local_hostname(), now, writer_id_, os_locked_);
    if (pwrite_full(fd_, rec.data(), rec.size(), 0))
        written_ns_ = now;
}

void WriterLock::release() {
    if (!held_)
        return;
    held_ = false;
    // Unlink while the OS lock is still ours, then close (which drops it): a writer waiting on
    // the old file sees it unlinked and starts over on a new one.
    if (still_owned())
        ::unlink(path_.c_str());
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

} // namespace rvf::io
