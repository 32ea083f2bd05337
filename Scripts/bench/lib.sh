# shellcheck shell=bash
# Shared by the benchmark scripts (Scripts/bench*.sh); they set ROOT, WORK and ZK_PORT first.

# bench_server_bin BUILD: the broker binary to benchmark. $KAFKA_SERVER_BIN when set (another
# build, e.g. a debug one, run without building); else this tree's release build, built first
# when BUILD is 1.
bench_server_bin() {
    if [ -n "${KAFKA_SERVER_BIN:-}" ]; then
        echo "$KAFKA_SERVER_BIN"
        return
    fi
    if [ "$1" = 1 ]; then
        echo "==> building kafka-server (release)" >&2
        (cd "$ROOT" && swift build -c release --product kafka-server >/dev/null)
    fi
    echo "$ROOT/.build/release/kafka-server"
}

# bench_start_zookeeper: one standalone ZooKeeper on 127.0.0.1:$ZK_PORT, data and log in $WORK;
# sets ZK_PID (the caller's cleanup kills it) and returns once the port accepts connections.
bench_start_zookeeper() {
    mkdir -p "$WORK/zk"
    cat > "$WORK/zoo.cfg" <<CFG
tickTime=500
dataDir=$WORK/zk
clientPort=$ZK_PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=*
CFG
    java -cp /etc/zookeeper/conf:/usr/share/java/zookeeper.jar org.apache.zookeeper.server.quorum.QuorumPeerMain \
        "$WORK/zoo.cfg" >"$WORK/zk.log" 2>&1 &
    ZK_PID=$!
    disown "$ZK_PID"
    for _ in $(seq 1 100); do
        (exec 3<>/dev/tcp/127.0.0.1/"$ZK_PORT") 2>/dev/null && return 0
        sleep 0.2
    done
}

# bench_three_brokers BIN PREFIX: ZooKeeper and three brokers of BIN on 127.0.0.1 in a new temp
# dir /tmp/PREFIX.XXXXXX (WORK), chroot /bench; returns once each has logged its start. Sets WORK,
# ZK_PORT, BOOT (broker 1's address) and PIDS, and an EXIT trap that kills them all and removes
# WORK (BENCH_KEEP_LOGS=DIR keeps the brokers' logs there first).
bench_three_brokers() {
    local bin="$1" id
    WORK="$(mktemp -d "/tmp/$2.XXXXXX")"
    ZK_PORT=$((20000 + RANDOM % 10000))
    local base_port=$((ZK_PORT + 1))
    PIDS=""
    trap bench_three_brokers_cleanup EXIT
    bench_start_zookeeper
    for id in 1 2 3; do
        "$bin" "$ROOT/config/server.properties" --override broker.id=$id \
            --override "listeners=PLAINTEXT://127.0.0.1:$((base_port + id - 1))" --override "log.dirs=$WORK/data-$id" \
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
    BOOT="127.0.0.1:$base_port"
}

bench_three_brokers_cleanup() {
    local pid
    for pid in $PIDS; do kill -9 "$pid" 2>/dev/null || true; done
    [ -n "${BENCH_KEEP_LOGS:-}" ] && mkdir -p "$BENCH_KEEP_LOGS" && cp "$WORK"/broker-*.log "$BENCH_KEEP_LOGS"/ 2>/dev/null || true
    [ -n "${ZK_PID:-}" ] && kill -9 "$ZK_PID" 2>/dev/null || true
    rm -rf "$WORK"
}

# bench_rf3_topics TOPIC…: one partition each, replication factor 3, min.insync.replicas=2,
# created through $BOOT; returns once every ISR is whole (60 s at most).
bench_rf3_topics() {
    python3 - "$BOOT" "$@" <<'PY'
import sys, time
from confluent_kafka.admin import AdminClient, NewTopic
admin = AdminClient({"bootstrap.servers": sys.argv[1]})
topics = sys.argv[2:]
for topic in topics:
    admin.create_topics([NewTopic(topic, 1, 3, config={"min.insync.replicas": "2"})])[topic].result()
deadline = time.time() + 60
while time.time() < deadline:
    metadata = admin.list_topics(timeout=10)
    if all(t in metadata.topics and len(metadata.topics[t].partitions[0].isrs) == 3 for t in topics):
        break
    time.sleep(0.2)
PY
}
