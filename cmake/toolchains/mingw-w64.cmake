# Toolchain: Debian's mingw-w64 cross compiler (apt: g++-mingw-w64-x86-64-posix) for the
# win32-x64 build (preset cross-win64). The "posix" flavour: its libstdc++ has std::thread and
# std::mutex (the "win32" flavour has neither). Everything is linked statically (-static), so the
# .exe and the .node need no libstdc++-6.dll, libgcc_s or libwinpthread-1.dll next to them.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(_rvf_mingw x86_64-w64-mingw32)

set(CMAKE_C_COMPILER ${_rvf_mingw}-gcc-posix)
set(CMAKE_CXX_COMPILER ${_rvf_mingw}-g++-posix)
set(CMAKE_RC_COMPILER ${_rvf_mingw}-windres)
# native/CMakeLists.txt makes node.exe's import library with it.
set(CMAKE_DLLTOOL ${_rvf_mingw}-dlltool CACHE FILEPATH "")

# Look for libraries and headers only in the mingw sysroot (never the Linux /usr/include).
set(CMAKE_FIND_ROOT_PATH /usr/${_rvf_mingw})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static")

# wine64 (apt: wine64) runs the .exe here when it is installed (scripts/check-cross.sh).
if(EXISTS /usr/lib/wine/wine64)
    set(CMAKE_CROSSCOMPILING_EMULATOR /usr/lib/wine/wine64)
endif()

find_program(_rvf_mingw_cxx ${CMAKE_CXX_COMPILER})
if(NOT _rvf_mingw_cxx)
    message(FATAL_ERROR "${CMAKE_CXX_COMPILER} not found: apt-get install g++-mingw-w64-x86-64-posix")
endif()
