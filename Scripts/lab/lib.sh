# shellcheck shell=bash
#
# The failover lab's common steps, sourced by every Scripts/lab/<scenario>.sh:
#
#   lab_start [brokers] [key=value ...]  a fresh cluster (Scripts/quickstart.sh in its own
#                                        directory, .lab/<scenario>), overrides for every broker
#   lab_step "text"                      print a step of the scenario, with the time
#   lab_mark                             the timeline starts here
#   lab_timeline                         print the timeline since the mark (kafka lab-timeline)
#   lab_kill9 N / lab_sigstop N / lab_sigcont N / lab_sigterm N / lab_restart N
#   lab_controller                       the controller's broker id
#   lab_inspect ARGS                     Scripts/lab/inspect.py against the cluster
#   lab_kafka ARGS                       the kafka CLI against the cluster
#
# The cluster stops by itself when the scenario exits (LAB_KEEP=1 leaves it running). The
# brokers' ZooKeeper sessions time out after 6 s, as in the issue's measurements.
#
# Environment: KAFKA_SERVER_BIN and KAFKA_CLI (the binaries; release builds by default),
# LAB_DIR (instead of .lab/<scenario>).

set -euo pipefail

LAB_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
LAB_ROOT="$(cd "$LAB_SCRIPT_DIR/../.." && pwd -P)"
# shellcheck source=../lib/process.sh
source "$LAB_ROOT/Scripts/lib/process.sh"   # pid_running
LAB_NAME="$(basename "$0" .sh)"
LAB_DIR="${LAB_DIR:-$LAB_ROOT/.lab/$LAB_NAME}"
LAB_SERVER_BIN_GIVEN="${KAFKA_SERVER_BIN:-}"
export KAFKA_SERVER_BIN="${KAFKA_SERVER_BIN:-$LAB_ROOT/.build/release/kafka-server}"
KAFKA_CLI="${KAFKA_CLI:-$LAB_ROOT/.build/release/kafka}"
LAB_BOOTSTRAP="127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094"
LAB_SESSION_TIMEOUT_MS=6000
LAB_SINCE=""

lab_now_ms() { date +%s%3N; }

# Prints a step, and writes it to lab.log in the brokers' log layout so that the timeline shows it.
lab_step() {
    printf '\n[%s] == %s\n' "$(date +%H:%M:%S.%3N)" "$*"
    [[ -d "$LAB_DIR" ]] && printf '[%s] INFO %s (lab)\n' "$(date '+%Y-%m-%d %H:%M:%S,%3N')" "$*" >>"$LAB_DIR/lab.log"
    return 0
}

lab_quickstart() {
    QUICKSTART_DIR="$LAB_DIR" QUICKSTART_BROKERS="$LAB_BROKERS" QUICKSTART_OVERRIDES="$LAB_OVERRIDES" \
        "$LAB_ROOT/Scripts/quickstart.sh" "$@"
}

lab_start() {
    LAB_BROKERS="${1:-3}"
    shift || true
    LAB_OVERRIDES="zookeeper.session.timeout.ms=$LAB_SESSION_TIMEOUT_MS $*"
    # The Python clients and the binaries.
    # shellcheck source=../lib/deps.sh
    source "$LAB_ROOT/Scripts/lib/deps.sh"
    ensure_python_venv "$LAB_ROOT" >/dev/null
    if [[ ! -x "$KAFKA_CLI" ]]; then
        (cd "$LAB_ROOT" && swift build -c release --product kafka)
    fi
    lab_quickstart clean >/dev/null 2>&1 || true
    mkdir -p "$LAB_DIR"
    lab_step "starting ZooKeeper (3 nodes) and $LAB_BROKERS brokers in $LAB_DIR"
    # An explicitly given broker binary is used as it is; the default release build is rebuilt
    # when the sources are newer (quickstart's rule).
    local build=()
    [[ -n "${LAB_SERVER_BIN_GIVEN:-}" ]] && build=(--no-build)
    lab_quickstart start "${build[@]}" | sed 's/^/    /'
    if [[ "${LAB_KEEP:-0}" != 1 ]]; then
        trap 'lab_quickstart stop >/dev/null 2>&1 || true' EXIT
    fi
    local n
    LAB_BOOTSTRAP=""
    for ((n = 1; n <= LAB_BROKERS; n++)); do LAB_BOOTSTRAP+="${LAB_BOOTSTRAP:+,}127.0.0.1:$((9091 + n))"; done
}

lab_pid() { cat "$LAB_DIR/kafka$1.pid"; }
lab_kill9() { lab_step "kill -9 broker $1"; kill -9 "$(lab_pid "$1")"; }
lab_sigterm() { lab_step "SIGTERM broker $1"; kill -TERM "$(lab_pid "$1")"; }
lab_sigstop() { lab_step "SIGSTOP broker $1 (it stops answering ZooKeeper and everyone else)"; kill -STOP "$(lab_pid "$1")"; }
lab_sigcont() { lab_step "SIGCONT broker $1"; kill -CONT "$(lab_pid "$1")"; }

# Starts broker N again with the configuration it had (quickstart's command line, from /proc is
# gone after a kill, so it is rebuilt the way quickstart builds it).
lab_restart() {
    local n="$1" port=$((9091 + $1)) log="$LAB_DIR/kafka$1.log" override extra=()
    for override in $LAB_OVERRIDES; do extra+=(--override "$override"); done
    lab_step "restart broker $n"
    nohup "$KAFKA_SERVER_BIN" "$LAB_ROOT/config/server.properties" \
        --override "broker.id=$n" \
        --override "listeners=PLAINTEXT://127.0.0.1:$port" \
        --override "advertised.listeners=PLAINTEXT://127.0.0.1:$port" \
        --override "log.dirs=$LAB_DIR/kafka-logs-$n" \
        --override "zookeeper.connect=127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183/kafka" \
        "${extra[@]}" >>"$log" 2>&1 </dev/null &
    echo $! >"$LAB_DIR/kafka$n.pid"
    disown $!
}

lab_inspect() { "$LAB_ROOT/.venv/bin/python3" "$LAB_SCRIPT_DIR/inspect.py" "$LAB_BOOTSTRAP" "$@"; }
lab_kafka() { "$KAFKA_CLI" "$@"; }
lab_controller() { lab_inspect controller; }

lab_mark() { LAB_SINCE="$(lab_now_ms)"; }

lab_timeline() {
    local n logs=()
    for ((n = 1; n <= LAB_BROKERS; n++)); do logs+=(--broker-log "broker $n=$LAB_DIR/kafka$n.log"); done
    logs+=(--broker-log "lab=$LAB_DIR/lab.log")
    lab_step "timeline (ZooKeeper's transaction log of zk1, and the brokers' state-change lines)"
    "$KAFKA_CLI" lab-timeline --zookeeper-data-dir "$LAB_DIR/zk1/data" --chroot /kafka \
        ${LAB_SINCE:+--since-ms "$LAB_SINCE"} "${logs[@]}" "$@"
}

# lab_wait_log N TEXT [SECONDS]: waits until broker N's log has a line containing TEXT.
lab_wait_log() {
    local n="$1" text="$2" timeout="${3:-60}" deadline
    deadline=$((SECONDS + timeout))
    until grep -qF -- "$text" "$LAB_DIR/kafka$n.log" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            echo "gave up after ${timeout}s waiting for broker $n to log: $text" >&2
            return 1
        fi
        sleep 0.1
    done
}

# lab_replicas TOPIC P: the replicas of TOPIC-P, space-separated, the leader first when it is one.
lab_replicas() {
    local described leader replicas
    described="$(lab_inspect partition "$1" "$2")"
    leader="$(sed -n 's/.*leader=\(-\{0,1\}[0-9]*\).*/\1/p' <<<"$described")"
    replicas="$(sed -n 's/.*replicas=\([0-9,]*\).*/\1/p' <<<"$described" | tr ',' ' ')"
    echo "$leader $(tr ' ' '\n' <<<"$replicas" | grep -vx "$leader" | tr '\n' ' ')"
}

# lab_produce PORTS ACKS TOPIC VALUES...: one record per value to partition 0.
lab_produce() {
    local bootstrap="$1" acks="$2" topic="$3"
    shift 3
    printf '%s\n' "$@" | kcat -b "$bootstrap" -P -t "$topic" -p 0 -X "acks=$acks" -X message.timeout.ms=20000 -X log_level=0
}

# lab_consume PORT TOPIC: every record of partition 0, as "offset value" lines.
lab_consume() {
    kcat -b "$1" -C -t "$2" -p 0 -o beginning -e -q -f '%o %s\n' -X log_level=0
}

lab_port() { echo $((9091 + $1)); }

# lab_topic NAME PARTITIONS RF [key=value ...]: creates the topic (with topic configs) and waits
# until every partition has RF replicas in sync.
lab_topic() {
    local name="$1" partitions="$2" rf="$3" config
    local configs=()
    shift 3
    for config in "$@"; do configs+=(--config "$config"); done
    lab_kafka topics --bootstrap-server "$LAB_BOOTSTRAP" --create --topic "$name" --partitions "$partitions" \
        --replication-factor "$rf" "${configs[@]}"
    lab_inspect wait-all-isr "$name" "$rf"
}

# lab_leader_other_than BROKER TOPIC PARTITIONS: a broker other than BROKER (the controller,
# say) that leads at least one partition of TOPIC, so that a scenario keeps the two roles apart.
lab_leader_other_than() {
    local avoid="$1" topic="$2" partitions="$3" p leader
    for ((p = 0; p < partitions; p++)); do
        read -r leader _ <<<"$(lab_replicas "$topic" "$p")"
        if [[ "$leader" != "$avoid" && "$leader" != -1 ]]; then echo "$leader"; return; fi
    done
    echo $(( avoid % 3 + 1 ))
}

# lab_two_replicas: topic "lab", one partition on two brokers, unclean leader election allowed;
# sets A (the leader) and B (the follower).
lab_two_replicas() {
    lab_topic lab 1 2 unclean.leader.election.enable=true
    read -r A B <<<"$(lab_replicas lab 0)"
    lab_step "lab-0: leader A = broker $A, follower B = broker $B"
}
