#!/usr/bin/env bash
# Transactional produce throughput at 1, 10 and 100 records per transaction (issue 13's
# "Measured"): three brokers on 127.0.0.1, replication factor 3 (min.insync.replicas=2, and
# __transaction_state at its defaults: RF 3, min ISR 2), 1 KiB records, one confluent-kafka
# transactional producer (Scripts/bench/transactions.py): begin, produce, commit, in a loop.
# Prints per size the transactions and records per second and commit_transaction()'s latency;
# ROUNDS rounds, alternated so that a busy machine weighs on all sizes alike.
#
#   Scripts/bench-transactions.sh [--transactions N] [--rounds R]
#
# N transactions per run at 1 and 10 records per transaction, N/2 at 100 (default N=300).
# KAFKA_SERVER_BIN=/path/to/kafka-server benchmarks that binary instead of this tree's release build.
#
# On this machine (2 cores shared with five builds, Fri 4 Dec 2026), three rounds, the DEBUG build
# (.build/debug/kafka-server): a release build's transaction coordinator crashes at the first
# WriteTxnMarkers answer (a bad pointer in TransactionMarkerChannelManager.handleResponse, every
# run, also with the answers handled after the task group; the debug build does not):
#                      transactions/s      records/s          commit_transaction() p50 / p99 ms
#   1 per txn          34.9 / 36.2 / 35.6  35 / 36 / 36       28.2-29.0 / 30.4-34.4
#   10 per txn         34.4 / 37.1 / 37.5  344 / 371 / 375    27.5-29.2 / 30.0-32.2
#   100 per txn        31.3 / 34.1 / 33.9  3133 / 3408 / 3387 30.0-31.5 / 32.2-35.5
# A transaction costs about 28 ms whatever its size: librdkafka's AddPartitionsToTxn for the next
# transaction is answered CONCURRENT_TRANSACTIONS while the previous one's markers are still
# being written, and it retries 20 ms later (seen with LOADGEN_DEBUG=eos,protocol).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=Scripts/bench/lib.sh
source "$ROOT/Scripts/bench/lib.sh"
source "$ROOT/Scripts/lib/deps.sh"
ensure_python_venv "$ROOT"

TXNS=300
ROUNDS=3
while [ $# -gt 0 ]; do
    case "$1" in
        --transactions) TXNS="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        *) echo "usage: $0 [--transactions N] [--rounds R]" >&2; exit 2 ;;
    esac
done

BIN="$(bench_server_bin 1)"
WORK="$(mktemp -d /tmp/kafka-bench-txn.XXXXXX)"
ZK_PORT=$((20000 + RANDOM % 10000))
BASE_PORT=$((ZK_PORT + 1))
PIDS=""
cleanup() {
    for pid in $PIDS; do kill -9 "$pid" 2>/dev/null || true; done
    # BENCH_KEEP_LOGS=DIR keeps the brokers' logs there.
    [ -n "${BENCH_KEEP_LOGS:-}" ] && mkdir -p "$BENCH_KEEP_LOGS" && cp "$WORK"/broker-*.log "$BENCH_KEEP_LOGS"/ 2>/dev/null || true
    [ -n "${ZK_PID:-}" ] && kill -9 "$ZK_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
bench_start_zookeeper

for id in 1 2 3; do
    "$BIN" "$ROOT/config/server.properties" --override broker.id=$id \
        --override "listeners=PLAINTEXT://127.0.0.1:$((BASE_PORT + id - 1))" --override "log.dirs=$WORK/data-$id" \
        --override "zookeeper.connect=127.0.0.1:$ZK_PORT/bench" >"$WORK/broker-$id.log" 2>&1 &
    PIDS="$PIDS $!"
    disown $!
done
for id in 1 2 3; do
    for _ in $(seq 1 150); do
        grep -q "started (kafka.server.KafkaServer)" "$WORK/broker-$id.log" && break
        sleep 0.2
    done
done
BOOT="127.0.0.1:$BASE_PORT"
python3 - "$BOOT" <<'PY'
import sys, time
from confluent_kafka.admin import AdminClient, NewTopic
admin = AdminClient({"bootstrap.servers": sys.argv[1]})
for topic in ("txn",):
    admin.create_topics([NewTopic(topic, 1, 3, config={"min.insync.replicas": "2"})])[topic].result()
deadline = time.time() + 60
while time.time() < deadline:
    metadata = admin.list_topics(timeout=10)
    if all(len(metadata.topics[t].partitions[0].isrs) == 3 for t in ("txn",) if t in metadata.topics):
        break
    time.sleep(0.2)
PY
echo "==> $ROUNDS rounds, 1 KiB records, RF 3, acks=all ($BIN)"
for round in $(seq 1 "$ROUNDS"); do
    for per in 1 10 100; do
        count=$TXNS
        [ "$per" = 100 ] && count=$((TXNS / 2))
        printf "%3s per txn  round %s %s\n" "$per" "$round" "$(python3 "$ROOT/Scripts/bench/transactions.py" "$BOOT" txn "$per" "$count" 1024)"
    done
done
