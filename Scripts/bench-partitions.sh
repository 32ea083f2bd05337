#!/usr/bin/env bash
# How fast many partitions converge: 3 kafka-server brokers (release build) on a 3-node ZooKeeper
# ensemble, zookeeper.session.timeout.ms=6000, everything else at its default. For each size
# (1,000 and 5,000 partitions unless told otherwise) one topic with replication factor 3 and
# min.insync.replicas=2 is created with CreateTopics (confluent-kafka's AdminClient), and the
# time is printed from just before the request to the moment after which every partition's ISR
# in ZooKeeper holds all 3 replicas and stays so (Scripts/bench/isr_watch.c reads every state
# znode several times a second; "stays so" means for STABLE seconds, longer than
# replica.lag.time.max.ms and its check period, so a follower counted in the ISR but not really
# fetching would have been dropped meanwhile).
#
# After the first size, broker 3 is restarted twice: SIGTERM (controlled shutdown), and
# kill -9. Each time the script waits until the controller has dropped broker 3 from every ISR,
# starts it again, and prints the time from that start to the moment it is back in every ISR
# (stably, as above). ZooKeeper write transactions (zxid deltas, sessions included) are printed
# beside each figure.
#
# A whole ISR in ZooKeeper is where a partition starts (the controller puts every live replica in
# it), so after each CreateTopics one record also goes to every partition (acks=1), and the
# time until every replica's log holds it is printed too: the followers are really fetching.
#
#   Scripts/bench-partitions.sh [--sizes "1000 5000"] [--stable SECONDS] [--timeout SECONDS] [--no-build]
#                               [--no-restarts]
#
# --timeout bounds each wait for convergence (default 600 s); a figure not reached in time is
# printed as "timeout" with the number of whole ISRs then.
#
# KEEP_WORK=1 keeps the work directory (broker logs) for inspection.
#
# Everything runs on 127.0.0.1 in a temporary directory and stops by itself.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=Scripts/bench/lib.sh
source "$ROOT/Scripts/bench/lib.sh"
source "$ROOT/Scripts/lib/deps.sh"
ensure_apt_packages libzookeeper-mt-dev zookeeper default-jre-headless zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev gcc
ensure_python_venv "$ROOT"   # the pinned confluent-kafka, in .venv/ (first on the PATH)

SIZES="1000 5000"
STABLE=20
TIMEOUT=600
BUILD=1
RESTARTS=1
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) SIZES="$2"; shift 2 ;;
        --stable) STABLE="$2"; shift 2 ;;
        --timeout) TIMEOUT="$2"; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --no-restarts) RESTARTS=0; shift ;;
        *) echo "usage: $0 [--sizes \"1000 5000\"] [--stable SECONDS] [--timeout SECONDS] [--no-build] [--no-restarts]" >&2; exit 2 ;;
    esac
done

# KAFKA_SERVER_BIN runs another build (e.g. a debug one, to find where time goes) without building.
BIN="$(bench_server_bin "$BUILD")"

WORK="$(mktemp -d /tmp/kafka-bench-partitions.XXXXXX)"
BASE=$((20000 + RANDOM % 9000))
export ZK_BASE_DIR="$WORK/zk" ZK_COUNT=3 ZK_CLIENT_PORT_BASE=$BASE ZK_PEER_PORT_BASE=$((BASE + 10)) \
    ZK_ELECTION_PORT_BASE=$((BASE + 20))
source "$ROOT/Scripts/lib/zookeeper.sh"
ZK="$(zk_connect_string /benchp)"
declare -A BROKER_PIDS=()
cleanup() {
    local pid
    for pid in "${BROKER_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    zk_stop_all 5 2>/dev/null || true
    if [ -n "${KEEP_WORK:-}" ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
gcc -O2 -o "$WORK/isr_watch" "$ROOT/Scripts/bench/isr_watch.c" -lzookeeper_mt -lpthread
WATCH="$WORK/isr_watch"

zk_start_ensemble 2>/dev/null
zk_wait_leader 60 >/dev/null

broker_port() { echo $((BASE + 30 + $1)); }
start_broker() {
    local id="$1"
    "$BIN" "$ROOT/config/server.properties" --override broker.id="$id" \
        --override "listeners=PLAINTEXT://127.0.0.1:$(broker_port "$id")" --override "log.dirs=$WORK/data-$id" \
        --override "zookeeper.connect=$ZK" --override zookeeper.session.timeout.ms=6000 \
        >>"$WORK/broker-$id.log" 2>&1 &
    BROKER_PIDS[$id]=$!
    disown $!
}
started_count() {
    local count
    count=$(grep -c "started (kafka.server.KafkaServer)" "$WORK/broker-$1.log" 2>/dev/null || true)
    echo "${count:-0}"
}
wait_started() {
    local id="$1" before="$2"
    for _ in $(seq 1 600); do
        [ "$(started_count "$id")" -gt "$before" ] && return 0
        sleep 0.1
    done
    echo "broker $id did not start; see $WORK/broker-$id.log" >&2
    return 1
}
# ZooKeeper's last zxid (its counter of write transactions), from the quorum leader.
zk_zxid() {
    local i
    for i in 1 2 3; do
        if [ "$(zk_mode "$i")" = leader ]; then
            zk_four_letter "$(zk_client_port "$i")" srvr | sed -n 's/^Zxid: 0x//p' | tr -d '\r' | { read -r hex; echo $((16#$hex & 0xffffffff)); }
            return
        fi
    done
    echo 0
}

for id in 1 2 3; do start_broker "$id"; done
for id in 1 2 3; do wait_started "$id" 0; done
BOOT="127.0.0.1:$(broker_port 1),127.0.0.1:$(broker_port 2),127.0.0.1:$(broker_port 3)"
echo "==> 3 brokers on $BOOT, ZooKeeper ensemble $ZK; load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

create_topic() {
    python3 - "$BOOT" "$1" "$2" <<'PY'
import sys
from confluent_kafka.admin import AdminClient, NewTopic
bootstrap, topic, partitions = sys.argv[1], sys.argv[2], int(sys.argv[3])
admin = AdminClient({"bootstrap.servers": bootstrap})
futures = admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=3,
                                        config={"min.insync.replicas": "2"})],
                              operation_timeout=300, request_timeout=310)
futures[topic].result(timeout=320)
PY
}

# produce_and_check_replicas TOPIC PARTITIONS START_MS: one record to every partition with
# acks=1 (acks=all would measure librdkafka's one ProduceRequest per partition, answered in order
# on its connection, each after the followers' next fetch), then waits until every replica's first segment holds records (the followers really
# fetch); prints the time from START_MS.
produce_and_check_replicas() {
    python3 - "$BOOT" "$1" "$2" "$WORK" "$3" "$TIMEOUT" <<'PY'
import os, sys, time
from confluent_kafka import Producer
bootstrap, topic, partitions, work, start_ms = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
timeout = float(sys.argv[6])
failed = []
producer = Producer({"bootstrap.servers": bootstrap, "acks": "1", "linger.ms": 5,
                     "message.timeout.ms": int(min(timeout, 300) * 1000)})
for partition in range(partitions):
    producer.produce(topic, value=b"x", partition=partition,
                     on_delivery=lambda err, msg: failed.append(err) if err else None)
    producer.poll(0)
producer.flush(min(timeout, 300) + 10)
acked_ms = time.time() * 1000
remaining = [f"{work}/data-{b}/{topic}-{p}/00000000000000000000.log" for b in (1, 2, 3) for p in range(partitions)]
deadline = start_ms / 1000 + timeout
while remaining and time.time() < deadline:
    remaining = [path for path in remaining if not (os.path.exists(path) and os.path.getsize(path) > 0)]
    if remaining:
        time.sleep(0.05)
print(f"acks_1_from_every_partition_s={(acked_ms - start_ms) / 1000:.2f} every_replica_written_s={(time.time() * 1000 - start_ms) / 1000:.2f} "
      f"failed_deliveries={len(failed)} replicas_without_records={len(remaining)}")
PY
}

# create_and_converge SIZE: topic p<SIZE>, timed from CreateTopics to the last full ISR.
create_and_converge() {
    local size="$1" topic="p$1" zxid_before start_ms created_ms result
    zxid_before=$(zk_zxid)
    start_ms=$(date +%s%3N)
    # The watcher runs from the start, so a convergence before CreateTopics answers is seen.
    "$WATCH" "$ZK" "$topic" "$size" 3 converge "$start_ms" "$STABLE" "$TIMEOUT" >"$WORK/watch-$topic.out" &
    local watcher=$!
    create_topic "$topic" "$size"
    created_ms=$(date +%s%3N)
    local replicated
    replicated=$(produce_and_check_replicas "$topic" "$size" "$start_ms")
    wait "$watcher" || true
    result="$(cat "$WORK/watch-$topic.out") $replicated"
    echo "create-$size-partitions-rf3 createtopics_s=$(awk -v a="$start_ms" -v b="$created_ms" 'BEGIN{printf "%.2f", (b-a)/1000}') $(echo "$result" | tr '\n' ' ')zk_writes_incl_stable_window=$(($(zk_zxid) - zxid_before)) load=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
}

# restart sigterm|kill9: broker 3 stops, the controller drops it from every ISR of topic
# p<first size>, it starts again; timed from that start to its return to every ISR.
restart() {
    local how="$1" id=3 before
    before=$(started_count $id)
    local stop_ms
    stop_ms=$(date +%s%3N)
    if [ "$how" = sigterm ]; then
        kill -TERM "${BROKER_PIDS[$id]}"
        while kill -0 "${BROKER_PIDS[$id]}" 2>/dev/null; do sleep 0.1; done
    else
        kill -9 "${BROKER_PIDS[$id]}"
    fi
    local absent
    absent=$("$WATCH" "$ZK" "$FIRST" "$first_size" 3 absent $id 120)
    local zxid_before start_ms result
    zxid_before=$(zk_zxid)
    start_ms=$(date +%s%3N)
    start_broker $id
    result=$("$WATCH" "$ZK" "$FIRST" "$first_size" 3 converge "$start_ms" "$STABLE" "$TIMEOUT" || true)
    echo "restart-$how-$first_size-partitions stopped_to_out_of_every_isr_s=$(awk -v a="$stop_ms" -v s="$start_ms" 'BEGIN{printf "%.2f", (s-a)/1000}') rejoin_every_isr_$(echo "$result" | tr '\n' ' ')zk_writes_incl_stable_window=$(($(zk_zxid) - zxid_before)) load=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
    wait_started $id "$before"
}
set -- $SIZES
first_size="$1"
FIRST="p$first_size"
shift
create_and_converge "$first_size"
if [ "$RESTARTS" = 1 ]; then
    restart sigterm
    restart kill9
fi
for size in "$@"; do create_and_converge "$size"; done
