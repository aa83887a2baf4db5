// rvf/io/writer_lock.hpp — the single-writer lock file `<path>.lock` (spec §11; record codec in
// rvf/core/format/lock_file.hpp).
//
// The authority is an OS lock on the lock file — an fcntl open-file-description lock on Linux
// (flock where OFD locks are missing, as on macOS; LockFileEx on Windows: platform/os_lock.hpp),
// which the kernel releases when the holder dies, and which
// holds across processes, containers sharing a volume, and NFS with lockd. It is taken as SQLite
// takes its locks: never on a descriptor some other code of this process may close. The 104-byte
// record is information (who holds it, since when) and the protocol upstream and our JS writers
// speak; our native writers write it with lock_version 2 ("also OS-locked").
//
// acquire():
//   1. create `<lock>` (O_EXCL) or open the existing one, then try the OS lock without waiting.
//      Busy → LockHeld: a live writer holds it, wherever it runs (its record is quoted).
//   2. with the OS lock held, judge the record found there:
//        * none yet, or a version-2 record        → its writer is gone: taken over at once
//        * version 1 (upstream, the SDK's wasm backend): the stale rules below
//   3. write our record in place and fsync it; keep the descriptor (and so the OS lock) until
//      release(), which unlinks the file while still locked, then closes.
// Where the file system refuses OS locks (ENOLCK), only the record protects, as upstream.
//
// Stale rules for version-1 records (spec §11, with one change: a dead pid on this host is
// stale at once, as a restart loop needs):
//   * shorter than 104 bytes or bad magic          → invalid: replaced (a young one is re-read once)
//   * same host, pid not alive                     → stale
//   * other host, age > 300 s                      → stale (a live writer refreshes its timestamp
//                                                    at least every 10 s while it commits)
//   * anything else                                → LockHeld
// "pid not alive" = kill(pid, 0) fails with an errno other than EPERM (Windows: OpenProcess +
// GetExitCodeProcess says it exited). Age = now − timestamp_ns
// (0 if the timestamp is in the future). Like upstream, the checksum is not used to judge a lock.
//
// A lock can still be broken by a writer that ignores OS locks (upstream on another host after
// 300 s of silence). The store therefore also checks, before every append, that the file still
// ends where this writer left it (DurableFile::append → FileChanged), so two writers never
// interleave their segments.
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
    uint64_t same_host_stale_ns = 0;                   ///< dead pid on this host and older than this
    uint64_t other_host_stale_ns = 300'000'000'000ull; ///< lock from another host older than this
    uint64_t invalid_recent_ns = 1'000'000'000ull;     ///< invalid lock this young: re-read once first
    uint32_t invalid_recheck_ms = 20;                  ///< pause before that re-read
    int max_attempts = 4; ///< create attempts (a stale lock removed by a racing writer costs one)
};

class WriterLock {
public:
    /// Take the writer lock of `rvf_path` (lock file `rvf_path + ".lock"`). Also removes record
    /// staging files (`<lock>.<16 hex>.tmp`) older than 10 s that killed writers left behind.
    /// Errors: LockHeld (message names the holder's pid, host and age, whether it is known to be
    /// running, and what to do), IoError (cannot create or read the lock file), FsyncFailed.
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
    /// True if the lock file on disk still carries our writer_id (and is the file we locked).
    bool still_owned() const;
    /// True when an OS lock backs this lock (false where the file system refused one).
    bool os_locked() const { return os_locked_; }
    /// Rewrite the record's timestamp if the last write is older than `min_interval_ns`, so
    /// version-1 readers on other hosts never judge a committing writer stale. No fsync: the
    /// record is information. Best effort.
    void refresh(uint64_t min_interval_ns = 10'000'000'000ull);
    /// The lock file path, `<rvf_path>.lock`.
    const std::string &path() const { return path_; }
    /// The 16 random bytes identifying this holder (record offset 0x50).
    const std::array<uint8_t, 16> &writer_id() const { return writer_id_; }

private:
    WriterLock(std::string path, const std::array<uint8_t, 16> &id, intptr_t fd, bool os_locked, uint64_t written_ns)
        : path_(std::move(path)), writer_id_(id), fd_(fd), os_locked_(os_locked), written_ns_(written_ns) {}
    std::string path_;
    std::array<uint8_t, 16> writer_id_{};
    intptr_t fd_ = -1;        ///< the lock file (platform::FileHandle), open and OS-locked until release()
    bool os_locked_ = false;
    uint64_t written_ns_ = 0; ///< timestamp in the record on disk
    bool held_ = true;
};

// --- the record and the stale rules without the file system ------------------------------------
// WriterLock uses these on the bytes it reads; the wasm build exposes them to JS (which does the
// file I/O in Node), so both kinds of writer write the same record and judge locks alike.

/// A lock record for this writer, 104 bytes (hostname truncated to 62 bytes as upstream does);
/// lock_version 2 when `os_locked` (only a writer that holds the OS lock may say so).
std::array<uint8_t, 104> lock_record(uint32_t pid, const std::string &host, uint64_t now_ns,
                                     const std::array<uint8_t, 16> &writer_id, bool os_locked = false);

/// What the stale rules (above) say of an existing lock file's bytes.
struct LockJudgement {
    enum class Kind : uint8_t { Invalid, Stale, Held };
    Kind kind = Kind::Invalid;
    uint32_t pid = 0;        ///< the holder's (Stale, Held)
    bool os_locked = false;  ///< the record is version 2: its writer also holds an OS lock
    std::string holder;      ///< Held: who, where, since when, and whether it is known to run
    std::string advice;      ///< Held: what the caller can do about it
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
