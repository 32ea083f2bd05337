#!/usr/bin/env bash
# Benchmarks the log cleaner of kafka-server (release build) on one broker, with a librdkafka
# client (confluent-kafka, Scripts/bench/cleaner.py):
#
# 1. Cleaner throughput: SIZE MB of RECORD-byte records over KEYS keys (1 GiB of 1 KiB records
#    over 100k keys by default: ten versions of each key) are produced to a compacted topic while
#    min.compaction.lag.ms holds the cleaner off; then the lag is removed and the cleaner compacts
#    the whole log. Figures: the cleaner's own per-run summaries in the broker log (Kafka's "Log
#    cleaner thread 0 cleaned log … MB/sec" text), summed over its runs (MB read and written,
#    MB/s read and written), and the wall-clock time from the config change until
#    cleaner-offset-checkpoint reaches the log's first uncleanable offset.
# 2. Produce throughput to a compacted topic while the cleaner runs, against the same produce on
#    a broker started with log.cleaner.enable=false. To keep the cleaner busy during the measured
#    produce, SIZE MB are first loaded while min.compaction.lag.ms holds it off; the lag is
#    removed as the measured produce of another SIZE MB starts (min.cleanable.dirty.ratio=0.1),
#    so the cleaner works through that backlog while records arrive. When the cleaner's first
#    run on that log finished, counted from the produce's end, is printed with its summary; on
#    the broker without a cleaner the same steps run. The broker's CPU use is printed for each.
#
#   Scripts/bench-cleaner.sh [--size MB] [--keys N] [--record-size BYTES]
#
# --size runs a smaller load (e.g. --size 200); the output says which size ran. Each phase has
# its own broker and data directory in a temp dir; everything runs on 127.0.0.1 and stops by
# itself. KAFKA_SERVER_BIN=/path/to/kafka-server benchmarks that binary instead of building
# this tree's (KAFKA_CLI_BIN likewise for the admin CLI).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=Scripts/bench/lib.sh
source "$ROOT/Scripts/bench/lib.sh"
source "$ROOT/Scripts/lib/deps.sh"
ensure_apt_packages libzookeeper-mt-dev zookeeper default-jre-headless zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev
ensure_apt_packages librdkafka-dev
ensure_python_venv "$ROOT"   # the pinned confluent-kafka, in .venv/ (first on the PATH)

SIZE_MB=1024
KEYS=100000
RECORD=1024
while [ $# -gt 0 ]; do
    case "$1" in
        --size) SIZE_MB="$2"; shift 2 ;;
        --keys) KEYS="$2"; shift 2 ;;
        --record-size) RECORD="$2"; shift 2 ;;
        *) echo "usage: $0 [--size MB] [--keys N] [--record-size BYTES]" >&2; exit 2 ;;
    esac
done
COUNT=$((SIZE_MB * 1024 * 1024 / RECORD))
# Segments of about a tenth of the load (at least 16 MiB): the cleaner never touches the active
# segment, so most of the log must sit in rolled ones.
SEGMENT_BYTES=$((SIZE_MB * 1024 * 1024 / 10))
[ "$SEGMENT_BYTES" -ge 16777216 ] || SEGMENT_BYTES=16777216

BIN="$(bench_server_bin 1)"
if [ -n "${KAFKA_CLI_BIN:-}" ]; then
    CLI="$KAFKA_CLI_BIN"
else
    echo "==> building kafka (release)"
    (cd "$ROOT" && swift build -c release --product kafka >/dev/null)
    CLI="$ROOT/.build/release/kafka"
fi
echo "==> benchmarking $BIN: $SIZE_MB MB = $COUNT records of $RECORD B over $KEYS keys$([ "$SIZE_MB" = 1024 ] || echo " (smaller than the 1 GiB default)")"

WORK="$(mktemp -d /tmp/kafka-bench-cleaner.XXXXXX)"
ZK_PORT=$((20000 + RANDOM % 10000))
BROKER_PORT=$((ZK_PORT + 1))
BOOT="127.0.0.1:$BROKER_PORT"
cleanup() {
    [ -n "${BROKER_PID:-}" ] && kill -9 "$BROKER_PID" 2>/dev/null || true
    [ -n "${ZK_PID:-}" ] && kill -9 "$ZK_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
bench_start_zookeeper

# start_broker NAME OVERRIDES…: a broker of its own cluster (ZooKeeper chroot /NAME), data in
# $WORK/NAME; sets BROKER_PID and BROKER_LOG, returns once it has started.
start_broker() {
    local name="$1"; shift
    local overrides=()
    for setting in "$@"; do overrides+=(--override "$setting"); done
    BROKER_LOG="$WORK/$name.log"
    "$BIN" "$ROOT/config/server.properties" --override broker.id=1 \
        --override "listeners=PLAINTEXT://127.0.0.1:$BROKER_PORT" --override "log.dirs=$WORK/$name" \
        --override "zookeeper.connect=127.0.0.1:$ZK_PORT/$name" --override num.partitions=1 \
        "${overrides[@]}" >"$BROKER_LOG" 2>&1 &
    BROKER_PID=$!
    disown "$BROKER_PID"
    for _ in $(seq 1 300); do
        grep -q "started (kafka.server.KafkaServer)" "$BROKER_LOG" && return 0
        sleep 0.2
    done
    echo "broker $name did not start; its log ends:" >&2
    tail -20 "$BROKER_LOG" >&2
    exit 1
}

stop_broker() {
    kill -9 "$BROKER_PID" 2>/dev/null || true
    wait "$BROKER_PID" 2>/dev/null || true
    BROKER_PID=""
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$BROKER_PID/stat"; }
HZ=$(getconf CLK_TCK)

create_compacted() {
    local topic="$1"; shift
    local configs=()
    for setting in "$@"; do configs+=(--config "$setting"); done
    "$CLI" topics --bootstrap-server "$BOOT" --create --topic "$topic" --partitions 1 --replication-factor 1 \
        --config cleanup.policy=compact --config "segment.bytes=$SEGMENT_BYTES" "${configs[@]}" >/dev/null
    for _ in $(seq 1 100); do
        "$CLI" topics --bootstrap-server "$BOOT" --describe --topic "$topic" 2>/dev/null | grep -q "Leader: 1" && return 0
        sleep 0.2
    done
}

# produce LABEL TOPIC: COUNT keyed records, with the broker's CPU use over the run.
produce() {
    local label="$1" topic="$2" before after start end result
    before=$(cpu_ticks); start=$(date +%s.%N)
    result=$(python3 "$ROOT/Scripts/bench/cleaner.py" produce "$BOOT" "$topic" "$COUNT" "$RECORD" "$KEYS")
    after=$(cpu_ticks); end=$(date +%s.%N)
    echo "$label $result broker_cpu_percent=$(awk -v t=$((after - before)) -v hz="$HZ" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", 100 * t / hz / (e - s) }')"
}

CLEANER=(log.cleaner.enable=true log.cleaner.threads=1 log.cleaner.backoff.ms=500)

# 1. Cleaner throughput over the whole log at once.
echo "==> 1. cleaner throughput ($SIZE_MB MB, segments of $((SEGMENT_BYTES / 1048576)) MiB)"
start_broker throughput "${CLEANER[@]}"
create_compacted dedupe min.compaction.lag.ms=86400000 min.cleanable.dirty.ratio=0.01
produce "produce-while-held-off" dedupe
# The cleaner cleans up to the active segment's base offset; wait for it in the checkpoint.
ACTIVE_BASE=$(find "$WORK/throughput/dedupe-0" -name '*.log' -printf '%f\n' | sort | tail -1 | sed 's/\.log$//' | sed 's/^0*//')
ACTIVE_BASE=${ACTIVE_BASE:-0}
# log_bytes DIR: the bytes of the segments (.log files; not the .deleted ones waiting for removal).
log_bytes() { find "$1" -name '*.log' -printf '%s\n' | awk '{ total += $1 } END { print total + 0 }'; }
BEFORE_BYTES=$(log_bytes "$WORK/throughput/dedupe-0")
before=$(cpu_ticks); start=$(date +%s.%N)
"$CLI" configs --bootstrap-server "$BOOT" --entity-type topics --entity-name dedupe --alter --delete-config min.compaction.lag.ms >/dev/null
CHECKPOINT="$WORK/throughput/cleaner-offset-checkpoint"
# checkpointed OFFSET: the offset cleaner-offset-checkpoint holds for dedupe-0 (-1 when absent).
checkpointed() { awk 'NR > 2 && $1 == "dedupe" && $2 == "0" { print $3; found = 1 } END { if (!found) print -1 }' "$CHECKPOINT" 2>/dev/null || echo -1; }
reached=0
deadline=$(($(date +%s) + 1800))
while [ "$ACTIVE_BASE" -gt 0 ] && [ "$(date +%s)" -lt "$deadline" ]; do
    if [ "$(checkpointed)" -ge "$ACTIVE_BASE" ]; then reached=1; break; fi
    sleep 0.1
done
after=$(cpu_ticks); end=$(date +%s.%N)
if [ "$reached" = 1 ]; then
    AFTER_BYTES=$(log_bytes "$WORK/throughput/dedupe-0")
    awk -v s="$start" -v e="$end" -v b="$BEFORE_BYTES" -v a="$AFTER_BYTES" -v o="$ACTIVE_BASE" -v t=$((after - before)) -v hz="$HZ" 'BEGIN {
        d = e - s; printf "cleaned-to-checkpoint {\"offset\": %d, \"wall_seconds\": %.1f, \"log_mb_before\": %.1f, \"log_mb_after\": %.1f, \"wall_read_mb_per_s\": %.1f} broker_cpu_percent=%.0f\n",
        o, d, b / 1048576, a / 1048576, b / 1048576 / d, 100 * t / hz / d }'
else
    echo "cleaned-to-checkpoint: cleaner-offset-checkpoint never reached offset $ACTIVE_BASE (log.cleaner wiring missing?)"
fi
echo "cleaner-summary $(python3 "$ROOT/Scripts/bench/cleaner.py" summary "$BROKER_LOG" dedupe-0)"
grep -m1 -o "Log cleaner thread 0 cleaned log dedupe-0.*" "$BROKER_LOG" >/dev/null || echo "(no cleaner summary line for dedupe-0 in the broker log)"
stop_broker
rm -rf "$WORK/throughput"

# 2. Produce with the cleaner running, then without a cleaner.
echo "==> 2. produce to a compacted topic, cleaner running vs log.cleaner.enable=false"
# with_backlog LABEL: loads SIZE MB held off from the cleaner, releases it and measures the
# produce of SIZE MB more.
with_backlog() {
    local label="$1"
    create_compacted live min.compaction.lag.ms=86400000 min.cleanable.dirty.ratio=0.1
    python3 "$ROOT/Scripts/bench/cleaner.py" produce "$BOOT" live "$COUNT" "$RECORD" "$KEYS" >/dev/null
    "$CLI" configs --bootstrap-server "$BOOT" --entity-type topics --entity-name live --alter --delete-config min.compaction.lag.ms >/dev/null
    produce "$label" live
}
start_broker with-cleaner "${CLEANER[@]}"
with_backlog "produce-cleaner-on "
# The cleaner's first run on live-0: when it finished, counted from the produce's end (a run
# that finished less than its own length after that end overlapped the produce).
produced_at=$(date +%s.%N)
for _ in $(seq 1 1200); do
    grep -q "cleaned log live-0" "$BROKER_LOG" && break
    sleep 0.1
done
finished_after=$(awk -v s="$produced_at" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
echo "cleaner-on-live-0 finished_after_produce_s=$finished_after $(python3 "$ROOT/Scripts/bench/cleaner.py" summary "$BROKER_LOG" live-0)"
stop_broker
rm -rf "$WORK/with-cleaner"

start_broker without-cleaner log.cleaner.enable=false
with_backlog "produce-cleaner-off"
stop_broker
