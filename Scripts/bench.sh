#!/usr/bin/env bash
# Benchmarks kafka-server (release build) with a librdkafka client (confluent-kafka). On one
# broker: produce of 100 B and 1 KiB records with acks=1 (throughput, delivery latency
# percentiles), consume of the same records (throughput), acks=all at 1,000 msg/s (latency, with
# Scripts/bench/latency.c: librdkafka from C, so no Python pacing loop or GIL in the figures), and
# 1,000,000 records of 100 B, and as many of 1 KiB (the rows to hold against Apache Kafka 2.3's
# 357 MB/s produce and 731 MB/s consume on this machine kind), produced and consumed by librdkafka
# from C (Scripts/bench/consume.c: the broker's fetch path without a Python loop draining it).
# Then two more brokers join and a replication-factor-3 topic (min.insync.replicas=2) takes
# acks=all 1 KiB records, flat out and at 1,000 msg/s: every record waits for both followers'
# fetches. The leader's CPU use is printed for each phase. Everything runs on 127.0.0.1 in a temp
# dir and stops by itself.
#
#   Scripts/bench.sh [--records-100b N] [--records-1k N] [--records-c N] [--records-c1k N] [--metrics]
#
# --metrics turns the metrics on: every broker gets an admin.listener (so its counters, timers and
# histograms are recorded on the request path), and broker 1's /metrics is scraped once a second
# for the whole run (fifteen times Prometheus' default pace). Without it no metric is recorded.
# Scripts/bench-metrics-overhead.sh alternates runs with and without.
#
# KAFKA_SERVER_BIN=/path/to/kafka-server benchmarks that binary instead of building this tree's
# (to compare two builds back to back with the same phases); the admin CLI is this tree's.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=Scripts/bench/lib.sh
source "$ROOT/Scripts/bench/lib.sh"
source "$ROOT/Scripts/lib/deps.sh"
ensure_apt_packages libzookeeper-mt-dev zookeeper default-jre-headless zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev
ensure_apt_packages kcat librdkafka-dev gcc
ensure_python_venv "$ROOT"   # the pinned confluent-kafka for loadgen.py, in .venv/ (first on the PATH)

N100=400000
N1K=200000
NC=1000000
NC1K=1000000
METRICS=0
while [ $# -gt 0 ]; do
    case "$1" in
        --records-100b) N100="$2"; shift 2 ;;
        --records-1k) N1K="$2"; shift 2 ;;
        --records-c) NC="$2"; shift 2 ;;
        --records-c1k) NC1K="$2"; shift 2 ;;
        --metrics) METRICS=1; shift ;;
        *) echo "usage: $0 [--records-100b N] [--records-1k N] [--records-c N] [--records-c1k N] [--metrics]" >&2; exit 2 ;;
    esac
done

echo "==> building kafka-server (release)"
[ -n "${KAFKA_SERVER_BIN:-}" ] || swift build -c release --product kafka-server >/dev/null
swift build -c release --product kafka >/dev/null
BIN="${KAFKA_SERVER_BIN:-$ROOT/.build/release/kafka-server}"
echo "==> benchmarking $BIN"
CLI="$ROOT/.build/release/kafka"

WORK="$(mktemp -d /tmp/kafka-bench.XXXXXX)"
ZK_PORT=$((20000 + RANDOM % 10000))
BROKER_PORT=$((ZK_PORT + 1))
cleanup() {
    [ -n "${SCRAPER_PID:-}" ] && kill "$SCRAPER_PID" 2>/dev/null || true
    [ -n "${BROKER_PID:-}" ] && kill -9 "$BROKER_PID" 2>/dev/null || true
    for pid in ${FOLLOWER_PIDS:-}; do kill -9 "$pid" 2>/dev/null || true; done
    [ -n "${ZK_PID:-}" ] && kill -9 "$ZK_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
gcc -O2 -o "$WORK/latency" "$ROOT/Scripts/bench/latency.c" -lrdkafka
gcc -O2 -o "$WORK/consume" "$ROOT/Scripts/bench/consume.c" -lrdkafka

bench_start_zookeeper

# admin_override ID: the admin.listener override of broker ID when --metrics is on (ports past the
# brokers' own).
admin_override() {
    [ "$METRICS" = 1 ] && echo "--override admin.listener=http://127.0.0.1:$((BROKER_PORT + 10 + $1))"
    return 0
}
# shellcheck disable=SC2046
"$BIN" "$ROOT/config/server.properties" --override broker.id=1 \
    --override "listeners=PLAINTEXT://127.0.0.1:$BROKER_PORT" --override "log.dirs=$WORK/data" \
    --override "zookeeper.connect=127.0.0.1:$ZK_PORT/bench" --override num.partitions=1 $(admin_override 1) >"$WORK/broker.log" 2>&1 &
BROKER_PID=$!
disown "$BROKER_PID"
for _ in $(seq 1 100); do
    grep -q "started (kafka.server.KafkaServer)" "$WORK/broker.log" && break
    sleep 0.2
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$BROKER_PID/stat"; }
HZ=$(getconf CLK_TCK)
# run LABEL ARGS… runs loadgen.py; run LABEL --c BOOTSTRAP TOPIC COUNT SIZE ACKS RATE runs latency.c;
# run LABEL --consume-c BOOTSTRAP TOPIC COUNT runs consume.c.
run() {
    local label="$1"; shift
    local tool=(python3 "$ROOT/Scripts/bench/loadgen.py")
    if [ "$1" = "--c" ]; then tool=("$WORK/latency"); shift; fi
    if [ "$1" = "--consume-c" ]; then tool=("$WORK/consume"); shift; fi
    local before after start end
    before=$(cpu_ticks); start=$(date +%s.%N)
    local result
    result=$("${tool[@]}" "$@")
    after=$(cpu_ticks); end=$(date +%s.%N)
    local cpu
    cpu=$(awk -v t=$((after - before)) -v hz="$HZ" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", 100 * t / hz / (e - s) }')
    echo "$label $result broker_cpu_percent=$cpu"
}

BOOT="127.0.0.1:$BROKER_PORT"
echo "==> kafka-server on $BOOT, ZooKeeper on 127.0.0.1:$ZK_PORT, metrics $([ "$METRICS" = 1 ] && echo "on, scraped every second" || echo off)"
if [ "$METRICS" = 1 ]; then
    # The scraper runs for the whole benchmark, one keep-alive connection as a Prometheus server
    # keeps (Scripts/bench/scraper.py says why not curl); it counts its scrapes and their failures.
    python3 "$ROOT/Scripts/bench/scraper.py" "http://127.0.0.1:$((BROKER_PORT + 11))/metrics" 1 "$WORK/scrapes" &
    SCRAPER_PID=$!
fi
run "produce-100B-acks1" produce "$BOOT" b100 "$N100" 100 1
run "consume-100B      " consume "$BOOT" b100 "$N100"
run "produce-1KiB-acks1" produce "$BOOT" b1k "$N1K" 1024 1
run "consume-1KiB      " consume "$BOOT" b1k "$N1K"
run "acks-all-1k-per-s (C)" --c "$BOOT" ball 5000 1024 all 1000

# Consume again with kcat (librdkafka in C, no Python in the loop): the broker's fetch path.
kcat_consume() {
    local topic="$1" count="$2" size="$3" before after start end
    before=$(cpu_ticks); start=$(date +%s.%N)
    kcat -b "$BOOT" -C -t "$topic" -o beginning -e -q -f '%s' -X fetch.max.bytes=52428800 \
        -X max.partition.fetch.bytes=10485760 >/dev/null
    after=$(cpu_ticks); end=$(date +%s.%N)
    awk -v n="$count" -v b="$size" -v s="$start" -v e="$end" -v t=$((after - before)) -v hz="$HZ" -v label="$topic" 'BEGIN {
        d = e - s; printf "consume-kcat-%s {\"count\": %d, \"seconds\": %.3f, \"msgs_per_s\": %.0f, \"mb_per_s\": %.1f} broker_cpu_percent=%.0f\n", label, n, d, n / d, n * b / d / 1e6, 100 * t / hz / d }'
}
kcat_consume b100 "$N100" 100
kcat_consume b1k "$N1K" 1024

# Small records from C, both ways: NC records of 100 B produced unpaced by latency.c (plus its 200
# warm-up records), then read back by consume.c: librdkafka's defaults (1 MiB per partition, 50 MiB
# per fetch, one fetch in flight) except queued.min.messages=1000000. At its default of 100,000
# queued records librdkafka stops fetching for a second (see consume.c) whenever the application
# thread falls behind, and on a busy machine that pause, not the broker, decides the figure; the
# queue stays bounded by queued.max.messages.kbytes (64 MiB). queue_stalls counts the pauses that
# remain. The rate is timed from the first record; the CPU figure covers the whole run.
run "produce-100B-acks1 (C)" --c "$BOOT" c100 "$NC" 100 1 0
run "consume-100B (C)      " --consume-c "$BOOT" c100 "$NC" queued.min.messages=1000000
# The same from C with 1 KiB records (NC1K, a GiB by default), the consumer allowed Kafka's
# largest fetches (50 MiB per fetch, 10 MiB per partition). Fri 4 Dec 2026, release, quiet
# machine, 1,000,000 records: on a fresh broker, three sittings, produce 639 / 658 / 669 MB/s
# (Kafka 2.3: 357) and consume 1,192-1,511 MB/s over 9 runs timed from the first record (Kafka
# 2.3: 731), about 1.2 s per GiB with librdkafka's start-up, the broker at 16-20% of one core
# (sendfile from the page cache); inside this whole script, after the other rows' GiB or so,
# produce 494 MB/s and consume 1,434 MB/s.
run "produce-1KiB-acks1 (C)" --c "$BOOT" c1k "$NC1K" 1024 1 0
run "consume-1KiB (C)      " --consume-c "$BOOT" c1k "$NC1K" queued.min.messages=1000000 \
    fetch.max.bytes=52428800 max.partition.fetch.bytes=10485760

# Replication: brokers 2 and 3 join; a topic with replication factor 3 and min.insync.replicas=2.
FOLLOWER_PIDS=""
for id in 2 3; do
    # shellcheck disable=SC2046
    "$BIN" "$ROOT/config/server.properties" --override broker.id=$id \
        --override "listeners=PLAINTEXT://127.0.0.1:$((BROKER_PORT + id - 1))" --override "log.dirs=$WORK/data-$id" \
        --override "zookeeper.connect=127.0.0.1:$ZK_PORT/bench" $(admin_override $id) >"$WORK/broker-$id.log" 2>&1 &
    FOLLOWER_PIDS="$FOLLOWER_PIDS $!"
    disown $!
done
for id in 2 3; do
    for _ in $(seq 1 100); do
        grep -q "started (kafka.server.KafkaServer)" "$WORK/broker-$id.log" && break
        sleep 0.2
    done
done
"$CLI" topics --bootstrap-server "$BOOT" --create --topic rf3 --partitions 1 --replication-factor 3 \
    --config min.insync.replicas=2 >/dev/null
for _ in $(seq 1 100); do
    "$CLI" topics --bootstrap-server "$BOOT" --describe --topic rf3 2>/dev/null | grep -Eq "Isr: [123],[123],[123]" && break
    sleep 0.2
done
echo "==> 3 brokers, topic rf3: $("$CLI" topics --bootstrap-server "$BOOT" --describe --topic rf3 | tail -1 | tr '\t' ' ')"
# Warm-up, unmeasured: the followers' fetchers may still be backing off (replica.fetch.backoff.ms)
# from a first fetch that reached the leader before its LeaderAndIsr did.
python3 "$ROOT/Scripts/bench/loadgen.py" produce "$BOOT" rf3 2000 1024 all >/dev/null
# From here the CPU figure is the three brokers' together (percent of one core).
cpu_ticks() { local total=0 pid; for pid in $BROKER_PID $FOLLOWER_PIDS; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo $total; }
run "produce-1KiB-rf3-acks-all    " produce "$BOOT" rf3 "$N1K" 1024 all
run "rf3-acks-all-1k-per-s (C)    " --c "$BOOT" rf3 5000 1024 all 1000
if [ -n "${SCRAPER_PID:-}" ]; then
    kill "$SCRAPER_PID"; wait "$SCRAPER_PID" 2>/dev/null || true; SCRAPER_PID=""
    echo "==> metrics: $(cat "$WORK/scrapes" 2>/dev/null || echo "scraper gave no count")"
fi
