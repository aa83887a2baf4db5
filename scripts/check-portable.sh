#!/usr/bin/env bash
# scripts/check-portable.sh [FILE...] — checks that portable binaries (default: the node-portable
# preset's rvf_node.node and rvf) run on any Linux with glibc >= 2.28 and nothing else installed:
#   objdump -T: every versioned dynamic symbol is GLIBC_x.y with x.y <= 2.28 (a GLIBCXX_/CXXABI_/
#               GCC_ version would mean a shared libstdc++/libgcc_s, which users may lack or have older);
#   objdump -p: every NEEDED library is part of glibc itself (libc, libm, libpthread, libdl, the
#               dynamic loader). librt is not allowed: nothing here needs it.
# Prints the report (max GLIBC version, NEEDED list) per file, then "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
baseline=2.28
allowed='^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1)$'
(($#)) || set -- "$root/build/node-portable/native/rvf_node.node" "$root/build/node-portable/runtime/rvf"

# binutils' objdump reads the x86 and generic ELF headers; for other architectures prefer the
# matching cross objdump when one is installed.
objdump_for() { # file
    case "$(od -An -tu2 -j18 -N2 "$1" | tr -d ' ')" in
        183) command -v aarch64-linux-gnu-objdump || echo objdump ;; # EM_AARCH64
        *) echo objdump ;;
    esac
}

passed=0 failed=0
result() { # ok|fail message
    if [ "$1" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
    echo "  $1: $2"
}

for f in "$@"; do
    echo "== $f"
    if [ ! -f "$f" ]; then
        result fail "missing (build it with the node-portable preset)"
        continue
    fi
    od="$(objdump_for "$f")"
    if ! dyn="$("$od" -T "$f" 2>&1)" || ! hdr="$("$od" -p "$f" 2>&1)"; then
        result fail "$od cannot read it: $(echo "$dyn $hdr" | head -n1)"
        continue
    fi
    # The version column: a whole field (before the symbol name, the last one) like GLIBC_2.17,
    # in parentheses when hidden.
    versions="$(awk '{ for (i = 1; i < NF; i++) if ($i ~ /^\(?[A-Z][A-Z0-9_]*_([0-9][0-9.]*|PRIVATE)\)?$/) print $i }' <<<"$dyn" |
        tr -d '()' | sort -u)"
    glibc_max="$(grep -E '^GLIBC_[0-9]' <<<"$versions" | sed 's/^GLIBC_//' | sort -V | tail -n1)"
    others="$(grep -vE '^GLIBC_[0-9]' <<<"$versions" | grep -vE '^GLIBC_PRIVATE$' | tr '\n' ' ')"
    private="$(grep -E '^GLIBC_PRIVATE$' <<<"$versions")"
    needed="$(awk '$1 == "NEEDED" {print $2}' <<<"$hdr")"
    echo "  max GLIBC_${glibc_max:-none}; NEEDED: $(echo $needed)"
    if [ -n "$glibc_max" ] && [ "$(printf '%s\n%s\n' "$glibc_max" "$baseline" | sort -V | tail -n1)" != "$baseline" ]; then
        result fail "needs GLIBC_$glibc_max > $baseline: $(grep -E "GLIBC_($(sed 's/\./\\./g' <<<"$glibc_max"))[^0-9.]" <<<"$dyn" | awk '{print $NF}' | sort -u | head -n5 | tr '\n' ' ')"
    elif [ -n "$others$private" ]; then
        result fail "symbol versions outside glibc's public ones: $others$private"
    else
        result ok "glibc symbols <= $baseline"
    fi
    bad="$(grep -vE "$allowed" <<<"$needed" | grep -v '^$' | tr '\n' ' ')"
    if [ -n "$bad" ]; then
        result fail "NEEDED libraries outside glibc: $bad"
    else
        result ok "NEEDED only glibc's own libraries"
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
