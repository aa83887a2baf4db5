#!/bin/sh
# `rvf shard split|query|status` end to end through the binary (issue 21): a demo store split by
# centroid answers exactly what the store answers, a missing shard gives exit 1 with the shard
# named on stderr, and the root refused by `rvf query` says to use `rvf shard`.
#   shard_cli.sh RVF_BINARY
set -eu
RVF="$1"
DIR=$(mktemp -d /tmp/rvf-shard-cli-XXXXXX)
trap 'rm -rf "$DIR"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$RVF" demo "$DIR/demo" --vectors 2000 > /dev/null
SRC="$DIR/demo/demo.rvf"
[ -f "$SRC" ] || fail "rvf demo left no store at $SRC"
"$RVF" shard split "$SRC" "$DIR/c.rvf" --shards 4 --by centroid --centroids 4 > "$DIR/split.txt"
grep -q "4 shards, " "$DIR/split.txt" || fail "split output: $(cat "$DIR/split.txt")"

DIM=$("$RVF" shard status "$DIR/c.rvf" --json | sed 's/.*"dimension":\([0-9]*\).*/\1/')
VEC=$(awk -v d="$DIM" 'BEGIN { s = ""; for (i = 0; i < d; i++) s = s (i ? "," : "") (i % 3) * 0.25; print s }')
"$RVF" query "$SRC" --vector "$VEC" --k 10 --exact > "$DIR/want.txt"
"$RVF" shard query "$DIR/c.rvf" --vector "$VEC" --k 10 --exact > "$DIR/got.txt"
cmp -s "$DIR/want.txt" "$DIR/got.txt" || fail "fan-out answer differs: $(diff "$DIR/want.txt" "$DIR/got.txt")"
[ "$(wc -l < "$DIR/got.txt")" -eq 10 ] || fail "expected 10 neighbours"

# The root is not a store: `rvf query` refuses it and names the command to use.
if "$RVF" query "$DIR/c.rvf" --vector "$VEC" 2> "$DIR/err.txt"; then fail "rvf query accepted a sharded root"; fi
grep -q "rvf shard query" "$DIR/err.txt" || fail "refusal does not say what to do: $(cat "$DIR/err.txt")"

# `rvf serve` answers a sharded root read-only and over HTTP only: without --readonly, or with
# --tcp, it refuses and says what to pass (tests/cpp/server_sharded_test.cpp serves one).
if "$RVF" serve "$DIR/c.rvf" --http 0 --no-auth 2> "$DIR/serve.err"; then fail "rvf serve accepted a writable sharded root"; fi
grep -q -- "--readonly" "$DIR/serve.err" || fail "serve refusal does not say --readonly: $(cat "$DIR/serve.err")"
if "$RVF" serve "$DIR/c.rvf" --readonly --http 0 --tcp 0 --no-auth 2> "$DIR/serve.err"; then fail "rvf serve accepted --tcp for a sharded root"; fi
grep -q "HTTP only" "$DIR/serve.err" || fail "serve --tcp refusal: $(cat "$DIR/serve.err")"

# A missing shard: a partial answer, exit 1, the shard named.
rm "$DIR/c.rvf.shards/0002.rvf"
set +e
"$RVF" shard query "$DIR/c.rvf" --vector "$VEC" --k 10 --exact --json > "$DIR/partial.json" 2> "$DIR/partial.err"
code=$?
set -e
[ "$code" -eq 1 ] || fail "partial answer exit code $code"
grep -q '"partial":true' "$DIR/partial.json" || fail "no partial flag: $(cat "$DIR/partial.json")"
grep -q '"shard_id":2' "$DIR/partial.json" || fail "failed shard not named in JSON"
grep -q "shard 2" "$DIR/partial.err" || fail "failed shard not named on stderr"
echo "shard CLI: ok"
