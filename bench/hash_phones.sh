#!/usr/bin/env bash
# Phones hashed per second: clickstream hash-phones against the peer Python
# script and against the machine's raw SHA-256 floor, on one generated list.
#
# usage: bench/hash_phones.sh [LINES]        (run from anywhere; default 1000000)
# env:   PEER_BENCH_DIR  folder of hash_phones.py (default: ../shared/bench
#                        beside the repository)
#        CLICKSTREAM     binary to time (default: target/release/clickstream,
#                        built with `cargo build --release` when missing)
#
# The list mixes the spellings both tools accept (12 digits, +91 with spaces
# and dashes, 0091, trunk 0, bare 10 digits) and a few bad lines, and the
# script checks that both tools give the same output line for line before it
# reports any speed. Each command runs once, single core; figures are ratios
# from one run on a shared machine, not absolute times.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
lines=${1:-1000000}
peer_dir=${PEER_BENCH_DIR:-$repo/../shared/bench}
bin=${CLICKSTREAM:-$repo/target/release/clickstream}
peer=$peer_dir/hash_phones.py

if [[ ! -x $bin ]]; then
    (cd "$repo" && cargo build --release --quiet)
fi
if [[ ! -f $peer ]]; then
    echo "hash_phones.sh: no $peer; set PEER_BENCH_DIR to the folder of hash_phones.py" >&2
    exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
list=$work/phones.txt

awk -v n="$lines" 'BEGIN {
    for (i = 0; i < n; i++) {
        national = sprintf("%d%09d", 6 + i % 4, i)
        k = i % 10
        if (k < 5)       print "91" national
        else if (k == 5) print "+91 " substr(national, 1, 5) "-" substr(national, 6)
        else if (k == 6) print "0091 " national
        else if (k == 7) print "0" national
        else if (k == 8) print national
        else if (i % 1000 == 9) print "n/a"
        else             print "(+91) " substr(national, 1, 5) " " substr(national, 6)
    }
}' > "$list"

now() { date +%s.%N; }
rate() { awk -v n="$lines" -v s="$1" -v e="$2" 'BEGIN { printf "%.0f", n / (e - s) }'; }
secs() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.3f", e - s }'; }

# Warm the page cache so that no command pays for the first read.
cat "$list" > /dev/null

t0=$(now)
cat "$list" > /dev/null
t1=$(now)
"$bin" hash-phones --default-country 91 --keep-alignment --quiet "$list" \
    > "$work/ours.txt" 2> "$work/ours.err" || true
t2=$(now)
python3 "$peer" "$list" > "$work/peer.txt"
t3=$(now)

if ! cmp -s "$work/ours.txt" "$work/peer.txt"; then
    echo "hash_phones.sh: clickstream and $peer disagree:" >&2
    diff "$work/ours.txt" "$work/peer.txt" | head -5 >&2
    exit 1
fi

# The floor: OpenSSL hashing 16-byte messages (one SHA-256 block each, as a
# 12-digit number is) for 3 seconds, in messages per second.
floor=$(openssl speed -seconds 3 -bytes 16 -evp sha256 2>/dev/null |
    awk '/^sha256/ { v = $2; sub(/k$/, "", v); printf "%.0f", v * 1000 / 16 }')

ours=$(rate "$t1" "$t2")
python=$(rate "$t2" "$t3")
printf '%-34s %10s %14s\n' "command ($lines lines)" "seconds" "phones/s"
printf '%-34s %10s %14s\n' "cat (read floor)" "$(secs "$t0" "$t1")" "$(rate "$t0" "$t1")"
printf '%-34s %10s %14s\n' "clickstream hash-phones" "$(secs "$t1" "$t2")" "$ours"
printf '%-34s %10s %14s\n' "python3 hash_phones.py" "$(secs "$t2" "$t3")" "$python"
printf '%-34s %10s %14s\n' "openssl sha256, 16-byte messages" "-" "${floor:-n/a}"
awk -v o="$ours" -v p="$python" -v f="${floor:-0}" 'BEGIN {
    printf "clickstream / python: %.1fx", o / p
    if (f > 0) printf "; clickstream / raw sha256 floor: %.2f", o / f
    print ""
}'
