#!/usr/bin/env bash
# What the metrics cost (issue 14's "Measured"): Scripts/bench.sh without metrics and with them
# (--metrics: admin.listener on every broker, broker 1 scraped every second), alternated in the same
# sitting so that a busy machine weighs on both alike. Prints each figure per run and the median of
# each mode: produce and consume throughput (MB/s), and the acks=all p99 at 1,000 msg/s (ms).
#
#   Scripts/bench-metrics-overhead.sh [--rounds R] [bench.sh options…]
#
# R rounds of off-then-on (default 3). Other options go to every bench.sh run (for a shorter run,
# e.g. --records-100b 100000 --records-1k 50000 --records-c 200000).
#
# Fri 4 Dec 2026, release, 3 rounds (--records-100b 200000 --records-1k 100000 --records-c 500000),
# medians off vs on: produce 100 B 50.7 vs 51.8 MB/s, 1 KiB 266.5 vs 323.8, consume kcat 1 KiB
# 154.4 vs 158.3, C 100 B produce 155.5 vs 187.5 and consume 225.3 vs 232.8, acks=all 1k/s p99
# 1.23 vs 1.01 ms, RF 3 flat out 113.3 vs 138.5 MB/s, RF 3 1k/s p99 3.87 vs 2.85 ms: nothing
# beyond the run-to-run spread. An earlier run, scraping with a fresh curl each second, had the
# acks=all p99 at 0.54 vs 1.80 ms; on one broker that tail came with the curl process and new
# connection beside each scrape (a keep-alive scraper: 0.70-0.78 ms, no scrape 0.56-0.99 ms), and
# the scrape itself went from 5.6 to 2.5 ms (Scripts/bench/scraper.py, PurgatorySize as a count).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=3
ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS="$2"; shift 2 ;;
        *) ARGS+=("$1"); shift ;;
    esac
done
OUT="$(mktemp -d /tmp/kafka-bench-metrics.XXXXXX)"
trap 'rm -rf "$OUT"' EXIT
for round in $(seq 1 "$ROUNDS"); do
    for mode in off on; do
        flag=()
        [ "$mode" = on ] && flag=(--metrics)
        echo "==> round $round, metrics $mode"
        "$ROOT/Scripts/bench.sh" "${ARGS[@]}" "${flag[@]}" | tee "$OUT/$mode-$round.txt" | grep -E "^==> metrics" || true
    done
done
python3 - "$OUT" "$ROUNDS" <<'PY'
import json, re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
# (label in bench.sh's output, the figure taken, its unit)
figures = [
    ("produce-100B-acks1 ", "mb_per_s", "MB/s"),
    ("produce-1KiB-acks1", "mb_per_s", "MB/s"),
    ("consume-kcat-b1k", "mb_per_s", "MB/s"),
    ("produce-100B-acks1 (C)", "mb_per_s", "MB/s"),
    ("consume-100B (C)", "mb_per_s", "MB/s"),
    ("produce-1KiB-acks1 (C)", "mb_per_s", "MB/s"),
    ("consume-1KiB (C)", "mb_per_s", "MB/s"),
    ("acks-all-1k-per-s (C)", "p99", "ms"),
    ("produce-1KiB-rf3-acks-all", "mb_per_s", "MB/s"),
    ("rf3-acks-all-1k-per-s (C)", "p99", "ms"),
]
def value(text, label, key):
    for line in text.splitlines():
        if line.startswith(label):
            doc = json.loads(line[line.index("{"):line.rindex("}") + 1])
            return doc["latency_ms"][key] if key == "p99" else doc[key]
    return None
runs = {m: [open(f"{out}/{m}-{r}.txt").read() for r in range(1, rounds + 1)] for m in ("off", "on")}
print(f"{'figure':34} {'metrics off (each run)':>28} {'metrics on (each run)':>28} {'median off':>11} {'median on':>10}")
for label, key, unit in figures:
    cols = {}
    for m in ("off", "on"):
        cols[m] = [value(t, label, key) for t in runs[m]]
    fmt = lambda xs: " / ".join("-" if x is None else f"{x:g}" for x in xs)
    med = lambda xs: statistics.median([x for x in xs if x is not None]) if any(x is not None for x in xs) else float("nan")
    name = f"{label.strip()} {unit}"
    print(f"{name:34} {fmt(cols['off']):>28} {fmt(cols['on']):>28} {med(cols['off']):>11.2f} {med(cols['on']):>10.2f}")
PY
