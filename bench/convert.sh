#!/usr/bin/env bash
# MB/s of clickstream convert in each direction (JSONL -> CSV, CSV -> JSONL)
# on one generated file, next to Miller and jq when they are installed, with
# the peak RSS of each clickstream run (from /usr/bin/time -v).
#
# usage: bench/convert.sh [EVENTS]        (run from anywhere; default 1000000)
# env:   CLICKSTREAM  binary to time (default: target/release/clickstream,
#                     built with `cargo build --release` when missing)
#
# The events are valid and varied (phones, hashes, custom ids, click or no
# click, non-ASCII text, cells that need quoting). Before reporting speed the
# script checks that the round trip gives the JSONL back byte for byte. MB/s
# is input megabytes (10^6 bytes) per second of wall time, one run each, on
# a shared machine: compare the ratios, not the absolute figures. Miller and
# jq are run with the commands in ../shared/bench/README.md; jq only does
# JSONL -> CSV (no header, every cell quoted).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
events=${1:-1000000}
bin=${CLICKSTREAM:-$repo/target/release/clickstream}

if [[ ! -x $bin ]]; then
    (cd "$repo" && cargo build --release --quiet)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jsonl=$work/events.jsonl
csv=$work/events.csv

awk -v n="$events" 'BEGIN {
    split("business-profile|search-ad|Banner, \\\"Top\\\" slot|carte à la une|बैनर", units, "|")
    srand(4)
    for (i = 0; i < n; i++) {
        imp = 1754116200 + (i * 7919) % 2592000
        k = i % 20
        if (k < 10)      ref = sprintf("91%d%09d", 6 + i % 4, i)
        else if (k < 17) ref = sprintf("%064x", i)
        else             ref = sprintf("CRM-%08d", i)
        line = sprintf("{\"event_id\":\"%08x-%04x-4%03x-a%03x-%012x\",\"reference_id\":\"%s\"," \
            "\"organisation_id\":\"%05d\",\"campaign_id\":\"0%02d\",\"display_unit\":\"%s\"," \
            "\"impression_timestamp\":\"%d\"", i, i % 65536, i % 4096, (i * 7) % 4096, i * 13,
            ref, i % 100, i % 50, units[1 + i % 5], imp)
        if (i % 5 < 2) line = line sprintf(",\"click_timestamp\":\"%d\"", imp + i % 3600)
        print line ",\"business_number\":\"9122245644890\"}"
    }
}' > "$jsonl"

fields=event_id,reference_id,organisation_id,campaign_id,display_unit,impression_timestamp
fields=$fields,click_timestamp,business_number
mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1e6 }'; }
now() { date +%s.%N; }
# Wall seconds of a command; its stdout goes to $out.
timed() {
    local out=$1
    shift
    local t0 t1
    t0=$(now)
    "$@" > "$out"
    t1=$(now)
    awk -v s="$t0" -v e="$t1" 'BEGIN { printf "%.3f", e - s }'
}
# Peak RSS in MiB of a command (stdout discarded).
rss() {
    /usr/bin/time -v "$@" 2>&1 > /dev/null |
        awk '/Maximum resident set size/ { printf "%.1f", $NF / 1024 }'
}
row() {
    local what=$1 secs=$2 input=$3 mem=${4:--}
    awk -v w="$what" -v s="$secs" -v b="$(stat -c %s "$input")" -v m="$mem" \
        'BEGIN { printf "%-40s %8.3f %9.1f %10s\n", w, s, b / 1e6 / s, m }'
}

cat "$jsonl" > /dev/null
# The CSV for the other direction, and the round-trip check.
"$bin" convert --quiet --to csv "$jsonl" > "$csv"
"$bin" convert --quiet --to jsonl "$csv" > "$work/back.jsonl"
if ! cmp -s "$jsonl" "$work/back.jsonl"; then
    echo "convert.sh: the round trip changed the events" >&2
    exit 1
fi

echo "$events events: JSONL $(mb "$jsonl") MB, CSV $(mb "$csv") MB"
printf '%-40s %8s %9s %10s\n' "command" "seconds" "MB/s" "peak MiB"
row "cat JSONL (read floor)" "$(timed /dev/null cat "$jsonl")" "$jsonl"
s=$(timed "$work/o.csv" "$bin" convert --quiet --to csv "$jsonl")
row "clickstream convert JSONL -> CSV" "$s" "$jsonl" \
    "$(rss "$bin" convert --quiet --to csv "$jsonl")"
s=$(timed "$work/o.jsonl" "$bin" convert --quiet --to jsonl "$csv")
row "clickstream convert CSV -> JSONL" "$s" "$csv" \
    "$(rss "$bin" convert --quiet --to jsonl "$csv")"
s=$(timed "$work/o.csv" "$bin" convert --quiet --no-validate --to csv "$jsonl")
row "clickstream --no-validate JSONL -> CSV" "$s" "$jsonl"
s=$(timed "$work/o.jsonl" "$bin" convert --quiet --no-validate --to jsonl "$csv")
row "clickstream --no-validate CSV -> JSONL" "$s" "$csv"

if command -v mlr > /dev/null; then
    printf '%s\n' "$fields" | tr , '\n' > "$work/fields.txt"
    s=$(timed "$work/m.csv" mlr --ijsonl --ocsv template -t "$work/fields.txt" "$jsonl")
    row "mlr JSONL -> CSV (template)" "$s" "$jsonl" \
        "$(rss mlr --ijsonl --ocsv template -t "$work/fields.txt" "$jsonl")"
    unset_click='if ($click_timestamp == "") {unset $click_timestamp}'
    s=$(timed "$work/m.jsonl" mlr -S --icsv --ojsonl put "$unset_click" "$csv")
    row "mlr CSV -> JSONL" "$s" "$csv" \
        "$(rss mlr -S --icsv --ojsonl put "$unset_click" "$csv")"
else
    echo "(mlr not installed: no Miller figures)"
fi
if command -v jq > /dev/null; then
    filter='[.event_id, .reference_id, .organisation_id, .campaign_id, .display_unit,
        .impression_timestamp, (.click_timestamp // ""), .business_number] | @csv'
    s=$(timed "$work/j.csv" jq -r "$filter" "$jsonl")
    row "jq JSONL -> CSV (@csv, no header)" "$s" "$jsonl" "$(rss jq -r "$filter" "$jsonl")"
else
    echo "(jq not installed: no jq figures)"
fi
