// platform/os_lock.hpp on Windows: LockFileEx, exclusive, fail-immediately, on the single byte
// at 2^62. Windows releases it when the holding process exits. Locks on Windows are mandatory
// for the bytes they cover, so the lock sits far past any record: other processes can still
// read the 104-byte record to say who holds the lock.
#if defined(_WIN32)
#include "os_lock.hpp"

#include "win32_util.hpp"

namespace rvf::platform {

OsLock try_exclusive_lock(FileHandle f) {
    OVERLAPPED ov{};
    ov.Offset = 0;
    ov.OffsetHigh = 0x40000000u; // byte 2^62
    if (::LockFileEx(reinterpret_cast<HANDLE>(f), LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ov))
        return OsLock::Locked;
    const DWORD e = ::GetLastError();
    return e == ERROR_LOCK_VIOLATION || e == ERROR_IO_PENDING ? OsLock::Busy : OsLock::Unsupported;
}

} // namespace rvf::platform
#endif
