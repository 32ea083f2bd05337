#!/usr/bin/env bash
# How long a scrape of /metrics takes on a broker with many partitions: one kafka-server (release
# build) with admin.listener on, one standalone ZooKeeper; a topic of PARTITIONS partitions
# (default 1,000; replication factor 1) created with CreateTopics (confluent-kafka's AdminClient)
# and one record written to each, so every partition has its log gauges, offsets and
# BrokerTopicMetrics. Once the broker reports every partition on /metrics, SCRAPES scrapes (default
# 30) are timed one after another with curl (a new connection each, as Prometheus does after
# an idle keep-alive), and the script prints the minimum, median, 90th percentile and maximum
# time, the body's size and its number of samples.
#
#   Scripts/bench-metrics-scrape.sh [--partitions N] [--scrapes N] [--no-build]
#
# KAFKA_SERVER_BIN runs another build without building; KEEP_WORK=1 keeps the work directory;
# PERF_DATA=FILE records the broker with perf during the timed scrapes.
# Everything runs on 127.0.0.1 in a temporary directory and stops by itself.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=Scripts/bench/lib.sh
source "$ROOT/Scripts/bench/lib.sh"
source "$ROOT/Scripts/lib/deps.sh"
ensure_apt_packages libzookeeper-mt-dev zookeeper default-jre-headless zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev curl
ensure_python_venv "$ROOT"

PARTITIONS=1000
SCRAPES=30
BUILD=1
while [ $# -gt 0 ]; do
    case "$1" in
        --partitions) PARTITIONS="$2"; shift 2 ;;
        --scrapes) SCRAPES="$2"; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        *) echo "usage: $0 [--partitions N] [--scrapes N] [--no-build]" >&2; exit 2 ;;
    esac
done
BIN="$(bench_server_bin "$BUILD")"

WORK="$(mktemp -d /tmp/kafka-bench-metrics.XXXXXX)"
BASE=$((20000 + RANDOM % 9000))
ZK_PORT=$BASE
PORT=$((BASE + 1))
ADMIN_PORT=$((BASE + 2))
ZK_PID=""
BROKER_PID=""
cleanup() {
    [ -n "$BROKER_PID" ] && kill -9 "$BROKER_PID" 2>/dev/null || true
    [ -n "$ZK_PID" ] && kill -9 "$ZK_PID" 2>/dev/null || true
    if [ -n "${KEEP_WORK:-}" ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
bench_start_zookeeper

"$BIN" "$ROOT/config/server.properties" --override broker.id=1 \
    --override "listeners=PLAINTEXT://127.0.0.1:$PORT" --override "log.dirs=$WORK/data" \
    --override "zookeeper.connect=127.0.0.1:$ZK_PORT/benchm" --override "admin.listener=http://127.0.0.1:$ADMIN_PORT" \
    --override offsets.topic.replication.factor=1 --override transaction.state.log.replication.factor=1 \
    >"$WORK/broker.log" 2>&1 &
BROKER_PID=$!
disown "$BROKER_PID"
for _ in $(seq 1 600); do
    grep -q "started (kafka.server.KafkaServer)" "$WORK/broker.log" 2>/dev/null && break
    sleep 0.1
done
grep -q "started (kafka.server.KafkaServer)" "$WORK/broker.log" || { echo "the broker did not start; see $WORK/broker.log" >&2; KEEP_WORK=1; exit 1; }
echo "==> broker on 127.0.0.1:$PORT, metrics at http://127.0.0.1:$ADMIN_PORT/metrics; load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

python3 - "127.0.0.1:$PORT" "$PARTITIONS" <<'PY'
import sys
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
bootstrap, partitions = sys.argv[1], int(sys.argv[2])
admin = AdminClient({"bootstrap.servers": bootstrap})
futures = admin.create_topics([NewTopic("scraped", num_partitions=partitions, replication_factor=1)],
                              operation_timeout=300, request_timeout=310)
futures["scraped"].result(timeout=320)
failed = []
producer = Producer({"bootstrap.servers": bootstrap, "acks": "1", "linger.ms": 5})
for partition in range(partitions):
    producer.produce("scraped", value=b"x" * 100, partition=partition,
                     on_delivery=lambda err, msg: failed.append(err) if err else None)
    producer.poll(0)
producer.flush(120)
if failed:
    sys.exit(f"{len(failed)} records failed: {failed[0]}")
PY

URL="http://127.0.0.1:$ADMIN_PORT/metrics"
for _ in $(seq 1 600); do
    count=$(curl -s "$URL" | sed -n 's/^kafka_server_replicamanager_partitioncount \([0-9.e+]*\)$/\1/p')
    [ -n "$count" ] && [ "${count%.*}" -ge "$PARTITIONS" ] && break
    sleep 0.2
done
curl -s -o "$WORK/body" "$URL"
BYTES=$(wc -c <"$WORK/body")
SAMPLES=$(grep -vc '^#' "$WORK/body")
echo "==> /metrics: $BYTES bytes, $SAMPLES samples ($(grep -c '^kafka_log_log_logendoffset{' "$WORK/body") partitions with log gauges)"

# PERF_DATA=FILE records the broker with perf during the timed scrapes (perf report -i FILE).
PERF_PID=""
if [ -n "${PERF_DATA:-}" ]; then
    perf record -F 499 -g -p "$BROKER_PID" -o "$PERF_DATA" >/dev/null 2>&1 &
    PERF_PID=$!
    sleep 1
fi
for _ in $(seq 1 "$SCRAPES"); do
    curl -s -o /dev/null -w '%{time_total}\n' "$URL"
done | sort -n | awk -v n="$SCRAPES" -v p="$PARTITIONS" '
    { t[NR] = $1 * 1000 }
    END {
        printf "scrape time, %d partitions, %d scrapes: min %.1f ms, median %.1f ms, p90 %.1f ms, max %.1f ms\n",
            p, n, t[1], t[int((n + 1) / 2)], t[int(n * 0.9 + 0.5)], t[n]
    }'
if [ -n "$PERF_PID" ]; then
    kill -INT "$PERF_PID" 2>/dev/null || true
    wait "$PERF_PID" 2>/dev/null || true
fi
