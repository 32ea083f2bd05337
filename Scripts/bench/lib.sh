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
