// platform/process.hpp on Windows.
#if defined(_WIN32)
#define _CRT_RAND_S // rand_s: the CRT's wrapper over the OS random generator (RtlGenRandom)
#include <cstdlib>
#include <stdlib.h>

#include "process.hpp"
#include "win32_util.hpp"

namespace rvf::platform {

uint32_t current_pid() { return static_cast<uint32_t>(::GetCurrentProcessId()); }

bool pid_alive(uint32_t pid) {
    if (pid == 0)
        return false;
    const HANDLE h = ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
    if (h == nullptr)
        return ::GetLastError() == ERROR_ACCESS_DENIED; // exists, but not ours to ask
    DWORD code = 0;
    const bool running = ::GetExitCodeProcess(h, &code) && code == STILL_ACTIVE;
    ::CloseHandle(h);
    return running;
}

std::string system_hostname() {
    char buf[256] = {};
    DWORD n = sizeof buf;
    if (::GetComputerNameExA(ComputerNameDnsHostname, buf, &n) && n > 0)
        return std::string(buf, n);
    return {};
}

uint64_t now_ns() {
    FILETIME ft{};
    ::GetSystemTimePreciseAsFileTime(&ft);
    const uint64_t ticks = (static_cast<uint64_t>(ft.dwHighDateTime) << 32) | ft.dwLowDateTime;
    constexpr uint64_t k1970 = 116444736000000000ull; // 100 ns ticks from 1601 to 1970
    return ticks < k1970 ? 0 : (ticks - k1970) * 100;
}

void sleep_ms(uint32_t ms) { ::Sleep(ms); }

bool random_bytes(uint8_t *buf, size_t len) {
    for (size_t i = 0; i < len; i += 4) {
        unsigned int r = 0;
        if (rand_s(&r) != 0)
            return false;
        for (size_t j = 0; j < 4 && i + j < len; ++j)
            buf[i + j] = static_cast<uint8_t>(r >> (8 * j));
    }
    return true;
}

} // namespace rvf::platform
#endif
