#!/usr/bin/env bash
# scripts/setup.sh — make this machine able to build and test everything (Debian 12).
# Idempotent and quiet: checks every package with dpkg, apt-installs only what is missing
# (through `sudo -n` when not root), runs `npm ci` only when node_modules is missing or older
# than package-lock.json, and exports NODE_PATH for emcc. Run it (`bash scripts/setup.sh`) or
# source it (`. scripts/setup.sh`) to keep NODE_PATH in your shell.

rvf_setup() {
    local root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

    local packages=(cmake g++ clang lld pkg-config libgtest-dev libbenchmark-dev nlohmann-json3-dev
                    libxxhash-dev liblz4-dev libzstd-dev libsodium-dev libssl-dev xxhash emscripten binaryen wabt libclang-rt-14-dev-wasm32
                    libsimde-dev libcpp-httplib-dev chromium firefox-esr gnuplot-nox nginx nodejs npm)
    local missing=() pkg
    for pkg in "${packages[@]}"; do
        case "$pkg" in
            # Node may come from NodeSource (its nodejs package bundles npm and conflicts with
            # Debian's npm): accept working commands instead of the Debian package names.
            nodejs) command -v node >/dev/null 2>&1 && continue ;;
            npm) command -v npm >/dev/null 2>&1 && continue ;;
        esac
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
    done

    if ((${#missing[@]})); then
        local sudo=()
        if [ "$(id -u)" -ne 0 ]; then
            if command -v sudo >/dev/null 2>&1; then
                sudo=(sudo -n)
            else
                echo "setup: missing packages: ${missing[*]} — not root and no sudo; install them with apt-get" >&2
                return 1
            fi
        fi
        if ! command -v apt-get >/dev/null 2>&1; then
            echo "setup: missing packages: ${missing[*]} — no apt-get here (this setup targets Debian 12)" >&2
            return 1
        fi
        echo "setup: installing ${missing[*]}"
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
            "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                "${missing[@]}" >/dev/null || {
            echo "setup: apt-get install failed for: ${missing[*]}" >&2
            return 1
        }
    fi

    # Every tool the builds call, by the name they call it.
    local tool
    for tool in cmake make g++ clang++ wasm-ld wasm-opt wasm-objdump emcc em++ node npm npx pkg-config; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "setup: required tool '$tool' not found on PATH after installing packages" >&2
            return 1
        fi
    done
    # Vitest 4 / Vite 8 need Node >= 20.19 (Debian 12's own nodejs is 18: use NodeSource's 20.x).
    local node_version
    node_version="$(node -p 'process.versions.node')"
    if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
        echo "setup: node $node_version is too old — Node >= 20.19 is required (Debian 12 ships 18; install Node 20 from NodeSource)" >&2
        return 1
    fi

    # emcc runs Debian's node modules (acorn) from /usr/share/nodejs, which NodeSource's node does not search.
    case ":${NODE_PATH:-}:" in
        *:/usr/share/nodejs:*) ;;
        *) export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}" ;;
    esac

    if [ ! -f "$root/node_modules/.package-lock.json" ] ||
        [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
        echo "setup: npm ci"
        (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || {
            echo "setup: npm ci failed (is the npm registry reachable?)" >&2
            return 1
        }
    fi
    echo "setup: ok (cmake $(cmake --version | sed -n '1s/.* //p'), node $node_version, emcc $(emcc --version 2>/dev/null | grep -o '[0-9]*\.[0-9]*\.[0-9]*' | head -n1))"
}

if (return 0 2>/dev/null); then
    rvf_setup # sourced: keep the caller's shell options, leave NODE_PATH exported
else
    set -euo pipefail
    rvf_setup
fi
