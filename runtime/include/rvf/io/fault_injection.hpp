// rvf/io/fault_injection.hpp — deterministic write/sync/rename faults for crash-safety tests
// (spec §10.2). A TEST HOOK: production code never sets a plan, and with no plan the checks cost
// one relaxed atomic load per call.
//
// A fault makes the real operation behave as if the syscall had failed, so the caller's recovery
// path runs for real: a short write puts the first N bytes on disk and then fails; ENOSPC writes
// nothing; a failed fsync leaves the data unsynced; a failed rename leaves both files as they were.
//
// Counting: each counter is 0-based and counts calls made since the plan was installed
// (set_fault_plan, or the first use after start-up when RVF_FAULT_PLAN is set). Each fault fires
// once; later calls succeed again.
//   write    DurableFile::append calls
//   sync     DurableFile::sync calls and the file fsync inside atomic_replace
//   dir_sync sync_directory_of calls, including the directory fsyncs inside create_new,
//            atomic_replace and remove_orphan_temp
//   rename   the rename inside atomic_replace
//
// Child processes of a crash harness are driven by the environment, read once per process:
//   RVF_FAULT_PLAN="write:3:nospace,sync:2"
//   item := write:<n>:short:<bytes> | write:<n>:nospace | write:<n>:io | write:<n>:crash:<bytes>
//         | sync:<n> | dirsync:<n> | rename:<n>
// A malformed RVF_FAULT_PLAN is a harness bug: the process prints why and aborts rather than run
// without the faults it was asked for.
#pragma once
#include <cstddef>
#include <string_view>

#include <rvf/result.hpp>

namespace rvf::io {

/// Exit status of a process stopped by a FaultPlan::Kind::Crash write.
inline constexpr int kFaultCrashExitCode = 77;

struct FaultPlan {
    enum Kind : int { // unscoped on purpose: FaultPlan::NoSpace and FaultPlan::Kind::NoSpace both work
        ShortWrite,   ///< first short_write_bytes reach the file, then the write fails (IoError)
        NoSpace,      ///< nothing is written; the write fails with ENOSPC (DiskFull)
        IoError,      ///< nothing is written; the write fails with EIO (IoError)
        Crash,        ///< first short_write_bytes reach the file, then _exit(kFaultCrashExitCode):
                      ///< a kill -9 in the middle of a write, with no cleanup
    };
    int fail_write_at = -1; ///< 0-based append() call to fail; -1 = never
    Kind write_kind = Kind::IoError;
    size_t short_write_bytes = 0; ///< ShortWrite/Crash: bytes written before the failure (capped at the length)
    int fail_sync_at = -1;        ///< 0-based file fsync to fail (FsyncFailed)
    int fail_dir_sync_at = -1;    ///< 0-based directory fsync to fail (FsyncFailed)
    int fail_rename_at = -1;      ///< 0-based rename to fail (IoError, nothing renamed)
};

/// Install a plan and reset all counters. Replaces any plan read from RVF_FAULT_PLAN.
void set_fault_plan(const FaultPlan &plan);
/// Remove the plan (no faults from now on; RVF_FAULT_PLAN is not read again).
void clear_fault_plan();

/// Parse the RVF_FAULT_PLAN syntax above. InvalidArgument with the offending item on error.
/// An empty string is a valid plan with no faults.
Result<FaultPlan> parse_fault_plan(std::string_view text);

/// A function every DurableFile::sync runs first (nullptr: none), on the syncing thread: lets a
/// test hold an fsync "in flight" until other writers have done something (group commit).
void set_sync_hook(void (*hook)(void *), void *arg);

namespace detail {
void run_sync_hook();
// Hooks called by the io layer. Each counts one call and says whether this call must fail.
struct WriteFault {
    bool fire = false;
    FaultPlan::Kind kind = FaultPlan::Kind::IoError;
    size_t bytes = 0;
};
WriteFault next_write_fault();
bool next_sync_fault();
bool next_dir_sync_fault();
bool next_rename_fault();
} // namespace detail

} // namespace rvf::io
