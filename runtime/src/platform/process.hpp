// platform/process.hpp — who and when we are, per OS (process_posix.cpp, process_win32.cpp):
// the pid and hostname written into lock records, whether a recorded pid still runs, the wall
// clock the records use, sleeping and random bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace rvf::platform {

uint32_t current_pid();
/// True when a process with this id runs on this machine (or may: Emscripten cannot tell and
/// says true). POSIX kill(pid, 0) (EPERM = runs as another user); Windows OpenProcess +
/// GetExitCodeProcess (access denied = runs).
bool pid_alive(uint32_t pid);
/// The OS's own name for this machine (gethostname; Windows GetComputerNameExA, DNS host
/// name); empty when it has none.
std::string system_hostname();
/// Wall-clock time in ns since 1970 (0 before it).
uint64_t now_ns();
/// Sleep about `ms` milliseconds (an early wake-up only shortens the pause).
void sleep_ms(uint32_t ms);
/// Fill `buf` from the OS's random source; false when none answered.
bool random_bytes(uint8_t *buf, size_t len);

} // namespace rvf::platform
