// rvf/io/writer_lock.hpp — the single-writer lock file `<path>.lock` (spec §11; record codec in
// rvf/core/format/lock_file.hpp). Advisory and cooperative, like upstream: a writer creates the
// 104-byte record exclusively; readers never lock.
//
// Stale rules (spec §11), checked when the lock file already exists:
//   * shorter than 104 bytes or bad magic          → invalid: deleted, acquire retried
//   * same host, pid not alive, age > 30 s          → stale: deleted, retried
//   * other host, age > 300 s                       → stale: deleted, retried
//   * anything else                                 → LockHeld
// "pid not alive" = kill(pid, 0) fails with an errno other than EPERM. Age = now − timestamp_ns
// (0 if the timestamp is in the future). Like upstream, the checksum and lock_version are not
// used to judge a lock: a writer that checksums differently (the spec text says CRC32C) must not
// have its live lock deleted.
//
// Differences from upstream, all on the safe side:
//   * the record is written to `<lock>.<id>.tmp`, fsynced, then hard-linked to `<lock>` (fails if
//     it exists, like O_CREAT|O_EXCL), so no other process can ever read a half-written lock of
//     ours and delete it as "too short". Filesystems without hard links fall back to O_CREAT|O_EXCL
//     on `<lock>` directly.
//   * an invalid lock younger than 1 s is re-read once after a short pause before deletion (an
//     upstream writer may be between its create and its write).
//   * a lock is deleted only if it is still the same file (device + inode) that was judged.
//   * hostnames longer than 62 bytes are compared as stored (truncated), so same-host locks of
//     long-named hosts get the pid check.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include <rvf/core/bytes.hpp>
#include <rvf/result.hpp>

namespace rvf::io {

/// Thresholds of the stale rules; defaults are upstream's. Tests inject smaller ones.
struct LockPolicy {
    uint64_t same_host_stale_ns = 30'000'000'000ull;   ///< dead pid on this host and older than this
    uint64_t other_host_stale_ns = 300'000'000'000ull; ///< lock from another host older than this
    uint64_t invalid_recent_ns = 1'000'000'000ull;     ///< invalid lock this young: re-read once first
    uint32_t invalid_recheck_ms = 20;                  ///< pause before that re-read
    int max_attempts = 4; ///< create attempts (a stale lock removed by a racing writer costs one)
};

class WriterLock {
public:
    /// Take the writer lock of `rvf_path` (lock file `rvf_path + ".lock"`).
    /// Errors: LockHeld (message names the holder's pid, host and age), IoError (cannot create or
    /// read the lock file), FsyncFailed (the new lock could not be made durable; it is removed).
    static Result<WriterLock> acquire(const std::string &rvf_path, const LockPolicy &policy = {});

    WriterLock(WriterLock &&other) noexcept;
    WriterLock &operator=(WriterLock &&other) noexcept;
    WriterLock(const WriterLock &) = delete;
    WriterLock &operator=(const WriterLock &) = delete;
    ~WriterLock() { release(); }

    /// Delete the lock file if it still carries our writer_id (a lock broken and re-taken by
    /// another writer is left alone). Idempotent; also done by the destructor. Best effort:
    /// I/O errors are ignored, as on upstream's drop.
    void release();

    /// True until release() (or a move out of this object).
    bool held() const { return held_; }
    /// True if the lock file on disk still carries our writer_id.
    bool still_owned() const;
    /// The lock file path, `<rvf_path>.lock`.
    const std::string &path() const { return path_; }
    /// The 16 random bytes identifying this holder (record offset 0x50).
    const std::array<uint8_t, 16> &writer_id() const { return writer_id_; }

private:
    WriterLock(std::string path, const std::array<uint8_t, 16> &id) : path_(std::move(path)), writer_id_(id) {}
    std::string path_;
    std::array<uint8_t, 16> writer_id_{};
    bool held_ = true;
};

// --- the record and the stale rules without the file system ------------------------------------
// WriterLock uses these on the bytes it reads; the wasm build exposes them to JS (which does the
// file I/O in Node), so both kinds of writer write the same record and judge locks alike.

/// A lock record for this writer, 104 bytes (hostname truncated to 62 bytes as upstream does).
std::array<uint8_t, 104> lock_record(uint32_t pid, const std::string &host, uint64_t now_ns,
                                     const std::array<uint8_t, 16> &writer_id);

/// What the stale rules (above) say of an existing lock file's bytes.
struct LockJudgement {
    enum class Kind : uint8_t { Invalid, Stale, Held };
    Kind kind = Kind::Invalid;
    uint32_t pid = 0;   ///< the holder's (Stale, Held)
    std::string holder; ///< Held: "pid N on host 'h' [(another host)], taken S s ago"
};
/// `bytes` = the lock file's contents (at least its first 104 bytes when it has them);
/// `pid_alive` is asked only for a same-host lock old enough to be stale. Invalid = too short or
/// bad magic (the caller gives a young file a moment before deleting it).
LockJudgement judge_lock_record(core::ByteView bytes, uint64_t now_ns, const std::string &host,
                                const std::function<bool(uint32_t)> &pid_alive, const LockPolicy &policy = {});

/// True when `bytes` is a whole record carrying `writer_id` (release deletes only its own lock).
bool lock_record_has_writer(core::ByteView bytes, const std::array<uint8_t, 16> &writer_id);

/// `rvf_path + ".lock"` (spec §11: the full path plus ".lock", e.g. data.rvf.lock).
std::string lock_path_for(const std::string &rvf_path);

/// The hostname written into lock records, found as upstream does: $HOSTNAME, else
/// /etc/hostname (whitespace trimmed), then gethostname(), else "unknown". Not truncated.
std::string local_hostname();

} // namespace rvf::io
