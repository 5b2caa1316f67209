#!/usr/bin/env bash
# Benchmark: `clickstream validate` against the tools a user would otherwise
# pick (jq and Miller with the rule files in ../shared/bench) and the
# machine's floors (cat, a bare serde_json parse), on the same file in the
# same run. Prints seconds, MB/s, peak memory and each tool's ratio to
# clickstream. Usage: bench/validate.sh [EVENTS]   (default 1,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
peer=${PEER_BENCH_DIR:-../shared/bench}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --bin clickstream --example parse_floor
bin=target/release/clickstream

# The 1,000-event fixture (planted faults included) repeated with fresh
# event_ids, and its well-formed lines only for Miller, which stops at the
# first malformed line or null value.
python3 - "$events" "$work" <<'PY'
import sys
n, work = int(sys.argv[1]), sys.argv[2]
src = open("fixtures/events-1000.jsonl", "rb").read()[3:].split(b"\n")
src = [l for l in src if l and len(l) < 65536]
with open(f"{work}/events.jsonl", "wb") as all_, open(f"{work}/wellformed.jsonl", "wb") as ok:
    i = 0
    while i < n:
        for l in src:
            if i >= n:
                break
            l = l.replace(b'"event_id":"', b'"event_id":"%d-' % (i // len(src)), 1) + b"\n"
            all_.write(l)
            wellformed = l.startswith(b'{"') and l.rstrip().endswith(b"}")
            # Miller 6.6 also stops at a null value ("couldn't assign variable").
            if wellformed and b"\xff" not in l and b":null" not in l:
                ok.write(l)
            i += 1
PY
file=$work/events.jsonl
mb=$(python3 -c "import os;print(os.path.getsize('$file')/1e6)")
printf 'input: %s events, %.1f MB\n\n' "$events" "$mb"
printf '%-44s %8s %9s %10s %8s\n' command seconds MB/s peak_MiB ratio

base=""
measure() {
    local name=$1; shift
    /usr/bin/time -o "$work/time" -f '%e %M' "$@" >/dev/null 2>&1 || true
    read -r secs kb < <(tail -n 1 "$work/time")
    [ -z "$base" ] && base=$secs
    python3 -c "
s, mb, base, kb = $secs, $mb, $base, $kb
print(f'{\"$name\":<44} {s:8.2f} {mb/max(s,1e-9):9.1f} {kb/1024:10.1f} {s/max(base,1e-9):7.2f}x')"
}

measure "clickstream validate (all cores)" "$bin" validate -q "$file"
measure "clickstream validate --threads 1" "$bin" validate -q --threads 1 "$file"
measure "clickstream validate --no-duplicate-check" "$bin" validate -q --no-duplicate-check "$file"
measure "floor: cat" cat "$file"
measure "floor: serde_json borrowed parse, 1 core" target/release/examples/parse_floor "$file"
if command -v jq >/dev/null; then
    measure "jq -R -f validate.jq" jq -R -r -f "$peer/validate.jq" "$file"
fi
if command -v mlr >/dev/null; then
    measure "mlr filter -f validate.mlr (well-formed)" \
        mlr --ijsonl --ojsonl filter -f "$peer/validate.mlr" "$work/wellformed.jsonl"
fi
echo
echo "ratio: seconds relative to the first row (lower is faster)."
echo "invalid lines found, clickstream vs jq (their rule sets differ slightly):"
"$bin" validate -q --invalid-out "$work/bad.jsonl" "$file" || true
printf '  clickstream %s, jq %s\n' "$(wc -l < "$work/bad.jsonl")" \
    "$(jq -R -r -f "$peer/validate.jq" "$file" 2>/dev/null | wc -l)"
