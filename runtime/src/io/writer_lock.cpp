// Writer lock file protocol (spec §11): create, stale detection, release.
#include "rvf/io/writer_lock.hpp"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../platform/directory.hpp"
#include "../platform/file.hpp"
#include "../platform/file_sync.hpp"
#include "../platform/os_error.hpp"
#include "../platform/os_lock.hpp"
#include "../platform/process.hpp"
#include "rvf/core/format/lock_file.hpp"

namespace rvf::io {
namespace {

namespace os = rvf::platform;
using core::kLockFileSize;
using os::now_ns;
using os::OsLock;
using os::parent_dir;
using os::pid_alive;
namespace off = core::lock_off;

std::array<uint8_t, 16> random_writer_id() {
    std::array<uint8_t, 16> id{};
    if (os::random_bytes(id.data(), id.size()))
        return id;
    // Last resort, as upstream: time and pid. Unique enough for release's ownership check.
    const uint64_t t = now_ns();
    const uint32_t pid = os::current_pid();
    for (size_t i = 0; i < 8; ++i)
        id[i] = static_cast<uint8_t>(t >> (8 * i));
    for (size_t i = 0; i < 4; ++i)
        id[8 + i] = static_cast<uint8_t>(pid >> (8 * i));
    return id;
}

/// Write all of `buf` at `off`; 0 or the errno (EIO when the OS makes no progress).
int pwrite_full(os::FileHandle fd, const uint8_t *buf, size_t len, uint64_t off) {
    size_t done = 0;
    while (done < len) {
        size_t n = 0;
        if (const int e = os::write_at(fd, buf + done, len - done, off + done, n); e != 0)
            return e;
        if (n == 0)
            return EIO;
        done += n;
    }
    return 0;
}

/// Read up to `cap` bytes from the start of the file (whatever the descriptor's offset);
/// returns the count, -1 on error (the errno in `err`).
long pread_prefix(os::FileHandle fd, uint8_t *buf, size_t cap, int *err = nullptr) {
    size_t done = 0;
    while (done < cap) {
        size_t n = 0;
        if (const int e = os::read_at(fd, buf + done, cap - done, done, n); e != 0) {
            if (err != nullptr)
                *err = e;
            return -1;
        }
        if (n == 0)
            break;
        done += n;
    }
    return static_cast<long>(done);
}

/// True while `path` still names the file open on `fd` (a releasing holder unlinks the path).
bool names_same_file(os::FileHandle fd, const std::string &path) {
    os::FileInfo a, b;
    return os::file_info(fd, a) == 0 && os::path_info(path, b) == 0 && a.device == b.device && a.inode == b.inode;
}

// `<lock>.<16 hex>.tmp` staging files of record writers killed between write and link (the SDK's
// wasm backend and older versions of ours stage the record that way). A live writer holds one for
// microseconds, so anything older than 10 s is litter.
void remove_stale_record_temps(const std::string &lock_path) {
    const std::string dir = parent_dir(lock_path);
    const size_t slash = os::last_separator(lock_path);
    const std::string base = slash == std::string::npos ? lock_path : lock_path.substr(slash + 1);
    const uint64_t now = now_ns();
    os::list_directory(dir, [&](const std::string &name) {
        if (name.size() != base.size() + 1 + 16 + 4 || name.compare(0, base.size() + 1, base + ".") != 0 ||
            name.compare(name.size() - 4, 4, ".tmp") != 0)
            return;
        bool hex_id = true;
        for (size_t i = base.size() + 1; i < base.size() + 17; ++i)
            hex_id = hex_id && std::isxdigit(static_cast<unsigned char>(name[i]));
        os::FileInfo st;
        const std::string full = dir + "/" + name;
        if (hex_id && os::path_info(full, st) == 0 && st.regular && now > st.mtime_ns &&
            now - st.mtime_ns > 10'000'000'000ull)
            os::remove_file(full);
    });
}

std::string age_text(uint64_t ns) { return std::to_string(ns / 1'000'000'000ull) + " s"; }

/// "pid N on host 'h'" from a record's bytes (for the message about a live OS-lock holder).
std::string describe_record(const uint8_t *buf, long n, uint64_t now) {
    if (n < static_cast<long>(kLockFileSize) || core::load_u32_le(buf + off::magic) != core::kLockMagic)
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
#if !defined(_WIN32) // Windows has no /etc/hostname (and its fopen rejects the "e" mode)
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
#endif
    if (std::string name = os::system_hostname(); !name.empty())
        return name;
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
        os::FileHandle fd = os::kNoFile;
        int e = os::open_file(lock_path, os::OpenMode::CreateNew, fd);
        if (e == EEXIST) {
            created = false;
            e = os::open_file(lock_path, os::OpenMode::ReadWrite, fd);
            if (e == ENOENT)
                continue; // released between the two opens
        }
        if (e != 0) {
            return Error{Status::IoError, "open " + lock_path + ": " + os::error_text(e) +
                                              " (the directory must be writable by the writer)"};
        }
        const auto fail = [&](Error err) -> Result<WriterLock> {
            os::close_file(fd);
            return err;
        };
        const OsLock lock = os::try_exclusive_lock(fd);
        if (lock == OsLock::Busy) {
            uint8_t buf[kLockFileSize];
            const long n = pread_prefix(fd, buf, sizeof buf);
            return fail(Error{Status::LockHeld, lock_path + " is held by a running writer: " +
                                                    describe_record(buf, n, now_ns()) +
                                                    " (it holds the OS lock on the lock file). Close that writer "
                                                    "first, or open the store read-only."});
        }
        if (!names_same_file(fd, lock_path)) {
            os::close_file(fd); // its holder unlinked it while releasing: start again on the new file
            continue;
        }
        if (!created) {
            uint8_t buf[kLockFileSize];
            os::FileInfo st;
            int read_err = 0;
            read_err = os::file_info(fd, st);
            const long n = read_err == 0 ? pread_prefix(fd, buf, sizeof buf, &read_err) : -1;
            if (n < 0)
                return fail(Error{Status::IoError, "read " + lock_path + ": " + os::error_text(read_err)});
            const core::ByteView bytes(buf, static_cast<size_t>(n));
            const uint64_t now = now_ns();
            const LockJudgement v = judge_lock_record(bytes, now, host, pid_alive, policy);
            if (v.kind == LockJudgement::Kind::Invalid) {
                // A writer that creates the file and then writes it (upstream) may be in between.
                const uint64_t mt = st.mtime_ns;
                if (!rechecked && now >= mt && now - mt < policy.invalid_recent_ns) {
                    rechecked = true;
                    os::close_file(fd);
                    os::sleep_ms(policy.invalid_recheck_ms); // an early wake-up only shortens the grace
                    --attempt;
                    continue;
                }
            } else if (v.kind == LockJudgement::Kind::Held && !(v.os_locked && lock == OsLock::Locked)) {
                // A version-2 record whose OS lock we now hold names a writer that is gone: the
                // kernel dropped its lock when it died. Anything else is judged by the record.
                return fail(Error{Status::LockHeld, lock_path + " is held by " + v.holder + ". " +
                                                        std::string(1, static_cast<char>(std::toupper(v.advice[0]))) +
                                                        v.advice.substr(1) + " (" + lock_path + ")."});
            }
            if (lock == OsLock::Unsupported) {
                // No OS lock to serialise takeovers: remove the stale file only if it is still the
                // one judged, then race for a fresh O_EXCL create like upstream.
                os::FileInfo now_st;
                if (os::path_info(lock_path, now_st) == 0 && now_st.device == st.device && now_st.inode == st.inode)
                    os::remove_file(lock_path);
                os::close_file(fd);
                continue;
            }
        }
        const uint64_t written = now_ns();
        const std::array<uint8_t, 104> rec =
            lock_record(os::current_pid(), host, written, id, lock == OsLock::Locked);
        int we = pwrite_full(fd, rec.data(), rec.size(), 0);
        if (we == 0)
            we = os::truncate_file(fd, rec.size());
        if (we != 0) {
            if (created)
                os::remove_file(lock_path);
            return fail(Error{Status::IoError, "write " + lock_path + ": " + os::error_text(we)});
        }
        if (const int se = os::sync_all(fd); se != 0) {
            os::remove_file(lock_path);
            return fail(Error{Status::FsyncFailed, "fsync " + lock_path + ": " + os::error_text(se)});
        }
        // No directory fsync: a lock only protects a live process, and after a machine crash a
        // lost lock entry is the right outcome.
        return WriterLock(lock_path, id, fd, lock == OsLock::Locked, written);
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
    if (fd_ != os::kNoFile && !names_same_file(fd_, path_))
        return false; // the path names another file now: ours was broken and replaced
    os::FileHandle fd = os::kNoFile;
    if (os::open_file(path_, os::OpenMode::Read, fd) != 0)
        return false;
    uint8_t buf[kLockFileSize];
    const long n = pread_prefix(fd, buf, sizeof buf);
    os::close_file(fd); // a separate description: closing it leaves our OS lock alone
    return n >= 0 && lock_record_has_writer(core::ByteView(buf, static_cast<size_t>(n)), writer_id_);
}

void WriterLock::refresh(uint64_t min_interval_ns) {
    if (!held_ || fd_ == os::kNoFile)
        return;
    const uint64_t now = now_ns();
    if (now >= written_ns_ && now - written_ns_ < min_interval_ns)
        return;
    if (!still_owned())
        return;
    const std::array<uint8_t, 104> rec =
        lock_record(os::current_pid(), local_hostname(), now, writer_id_, os_locked_);
    if (pwrite_full(fd_, rec.data(), rec.size(), 0) == 0)
        written_ns_ = now;
}

void WriterLock::release() {
    if (!held_)
        return;
    held_ = false;
    // Unlink while the OS lock is still ours, then close (which drops it): a writer waiting on
    // the old file sees it unlinked and starts over on a new one.
    if (still_owned())
        os::remove_file(path_);
    if (fd_ != os::kNoFile) {
        os::close_file(fd_);
        fd_ = -1;
    }
}

} // namespace rvf::io
