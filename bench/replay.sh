#!/usr/bin/env bash
# Requests per second of `clickstream replay` at concurrency 8 with no rate
# limit against a local sink (nginx answering 204 on 127.0.0.1), next to
# `hey` sending the same number of requests with one fixed body, when hey is
# installed. Only loopback traffic.
#
# Usage: bench/replay.sh [EVENTS]   (default 20000)
# Env:   SHARED=path to the shared folder (default: ../shared beside the repo)
#        Needs nginx (Debian: apt-get install -y nginx-light); hey is optional
#        (apt-get install -y hey).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$repo/../shared}
events=${1:-20000}
work=$(mktemp -d)
sink_pid=

cleanup() {
    if [[ -n $sink_pid ]]; then kill "$sink_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

if ! command -v nginx >/dev/null; then
    echo "bench/replay.sh: nginx not found; apt-get install -y nginx-light" >&2
    exit 2
fi
if [[ ! -f $shared/bench/nginx-sink.conf ]]; then
    echo "bench/replay.sh: no $shared/bench/nginx-sink.conf; set SHARED" >&2
    exit 2
fi

cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
bin=$repo/target/release/clickstream

# The input: the 1,000-event fixture repeated, with unique event_ids.
awk -v n="$events" '{ lines[NR] = $0 } END {
    for (i = 0; i < n; i++) {
        line = lines[i % NR + 1]
        sub(/"event_id":"[^"]*"/, "\"event_id\":\"bench-" i "\"", line)
        print line
    }
}' "$repo/fixtures/replay/events-1000.jsonl" > "$work/events.jsonl"
head -n 1 "$work/events.jsonl" > "$work/body.json"

# The sink: nginx on a free loopback port.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
mkdir -p "$work/nginx"
sed "s/@PORT@/$port/" "$shared/bench/nginx-sink.conf" > "$work/nginx/nginx.conf"
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e stderr &
sink_pid=$!
for _ in $(seq 50); do
    if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.1)" \
        2>/dev/null; then
        break
    fi
    sleep 0.1
done
url=http://127.0.0.1:$port/events

echo "replay benchmark: $events requests, concurrency 8, no rate limit, nginx 204 sink"
summary=$("$bin" replay "$work/events.jsonl" --url "$url" --concurrency 8 \
    --format json --quiet)
rate=$(python3 - "$summary" <<'PY'
import json, sys
s = json.loads(sys.argv[1])
lat = s["latency_ms"]
print(f"{s['rate']:.0f} requests/s ({s['delivered']} delivered, "
      f"p50 {lat['p50']} ms, p99 {lat['p99']} ms)")
PY
)
echo "clickstream replay: $rate"

if command -v hey >/dev/null; then
    hey_rate=$(hey -n "$events" -c 8 -m POST -T application/json -D "$work/body.json" "$url" \
        | awk '/Requests\/sec/ { printf "%.0f", $2 }')
    echo "hey (same count, one fixed body): $hey_rate requests/s"
else
    echo "hey: not installed (apt-get install -y hey), skipped"
fi
