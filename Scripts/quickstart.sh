#!/usr/bin/env bash
#
# Local three-broker cluster on this machine, for trying the broker out.
#
#   Scripts/quickstart.sh [start]   install what is missing, build kafka-server
#                                   (only when sources changed), start a 3-node
#                                   ZooKeeper ensemble and 3 brokers
#   Scripts/quickstart.sh zookeeper start only the ZooKeeper ensemble
#   Scripts/quickstart.sh stop      stop the brokers, then ZooKeeper
#   Scripts/quickstart.sh status    show what is running
#   Scripts/quickstart.sh clean     stop everything and delete .quickstart/
#
# Options for start:  --build     always run `swift build` first
#                     --no-build  never build; use the binary as it is
#
# Everything lives under <repo>/.quickstart/ (configs, data, logs, pid files),
# so the cluster keeps its topics across stop/start until `clean`.
#
# Layout of the cluster (all on 127.0.0.1):
#   ZooKeeper  zk1..zk3        client ports 2181-2183, quorum 2888-2890,
#                              election 3888-3890
#   Brokers    broker.id 1..3  PLAINTEXT ports 9092-9094, chroot /kafka
#              admin.listener  http://127.0.0.1:9404-9406 (/metrics, Prometheus; / the live view)
#
# Environment overrides: KAFKA_SERVER_BIN (path of the broker binary),
# QUICKSTART_DIR (instead of <repo>/.quickstart), BROKER_START_TIMEOUT,
# ZK_START_TIMEOUT (seconds), QUICKSTART_BROKERS (how many brokers, 3),
# QUICKSTART_OVERRIDES (extra "key=value ..." for every broker's config; the
# failover lab under Scripts/lab uses both).

set -euo pipefail

# --- where things are --------------------------------------------------------

# Resolve the repository root from this file's own location (following a
# symlink to the script if there is one), so the script works from any cwd.
SCRIPT_PATH="${BASH_SOURCE[0]}"
if command -v readlink >/dev/null 2>&1 && readlink -f / >/dev/null 2>&1; then
    SCRIPT_PATH="$(readlink -f "$SCRIPT_PATH")"
fi
SCRIPT_DIR="$(cd "$(dirname "$SCRIPT_PATH")" && pwd -P)"
ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"

QS_DIR="${QUICKSTART_DIR:-$ROOT/.quickstart}"
CONFIG="$ROOT/config/server.properties"
KAFKA_BIN="${KAFKA_SERVER_BIN:-$ROOT/.build/release/kafka-server}"

BROKER_COUNT="${QUICKSTART_BROKERS:-3}"
BROKER_HOST=127.0.0.1
BROKER_PORT_BASE=9092
BROKER_START_TIMEOUT="${BROKER_START_TIMEOUT:-90}"
BROKER_STOP_TIMEOUT=15
STARTED_MARKER='started (kafka.server.KafkaServer)'

ZK_START_TIMEOUT="${ZK_START_TIMEOUT:-60}"
ZK_CHROOT=/kafka
APT_PACKAGES=(libzookeeper-mt-dev zookeeper kcat zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev)

# The ensemble helpers; they read these settings.
ZK_BASE_DIR="$QS_DIR"
ZK_HOST=127.0.0.1
ZK_COUNT=3
ZK_CLIENT_PORT_BASE=2181
ZK_PEER_PORT_BASE=2888
ZK_ELECTION_PORT_BASE=3888
ZK_TICK_TIME=2000
# shellcheck source-path=SCRIPTDIR source=lib/zookeeper.sh
source "$SCRIPT_DIR/lib/zookeeper.sh"

# Swift installs under /opt/swift on the project's machines; make it findable.
if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
    PATH="$PATH:/opt/swift/usr/bin"
fi

# --- small helpers -----------------------------------------------------------

say()  { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

broker_port()     { echo $((BROKER_PORT_BASE + $1 - 1)); }
ADMIN_PORT_BASE=9404
admin_address()   { echo "http://$BROKER_HOST:$((ADMIN_PORT_BASE + $1 - 1))"; }
broker_pid_file() { echo "$QS_DIR/kafka$1.pid"; }
broker_log_file() { echo "$QS_DIR/kafka$1.log"; }

bootstrap_servers() {
    local n out=""
    for ((n = 1; n <= BROKER_COUNT; n++)); do
        out+="${out:+,}${BROKER_HOST}:$(broker_port "$n")"
    done
    echo "$out"
}

# broker_alive N -> 0 when kafkaN.pid names a live kafka-server process.
# The command line is checked so that a recycled pid is not taken for ours.
broker_alive() {
    local pid_file pid
    pid_file="$(broker_pid_file "$1")"
    [[ -s "$pid_file" ]] || return 1
    pid="$(<"$pid_file")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ -r "/proc/$pid/cmdline" ]]; then
        tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'kafka-server' || return 1
    fi
    return 0
}

any_broker_alive() {
    local n
    for ((n = 1; n <= BROKER_COUNT; n++)); do
        broker_alive "$n" && return 0
    done
    return 1
}

# --- step (a): packages ------------------------------------------------------

# shellcheck source=Scripts/lib/deps.sh
source "$SCRIPT_DIR/lib/deps.sh"

ensure_packages() {
    ensure_apt_packages "${APT_PACKAGES[@]}"
    # The pinned Python clients (confluent-kafka, kafka-python, aiokafka) in <repo>/.venv, to try
    # the cluster with; Debian's own python3 takes no pip installs (PEP 668).
    ensure_python_venv "$ROOT"
}

# --- step (b): build ---------------------------------------------------------

# True when the binary is missing or any source/manifest file is newer than it.
build_needed() {
    [[ -x "$KAFKA_BIN" ]] || return 0
    local newer
    newer="$(find "$ROOT/Sources" "$ROOT/Package.swift" -newer "$KAFKA_BIN" -print -quit 2>/dev/null || true)"
    [[ -n "$newer" ]]
}

build() {
    local mode="$1"   # auto | always | never
    case "$mode" in
        never)
            [[ -x "$KAFKA_BIN" ]] || die "$KAFKA_BIN does not exist; run without --no-build"
            return 0 ;;
        auto)
            if ! build_needed; then
                say "kafka-server is up to date ($KAFKA_BIN)"
                return 0
            fi ;;
    esac
    command -v swift >/dev/null 2>&1 || die "swift not found on PATH"
    say "building kafka-server (swift build -c release --product kafka-server)"
    (cd "$ROOT" && swift build -c release --product kafka-server)
    [[ -x "$KAFKA_BIN" ]] || die "the build finished but $KAFKA_BIN is missing"
}

# --- step (c): ZooKeeper -----------------------------------------------------

start_zookeeper() {
    local leader
    if zk_running; then
        say "reusing the ZooKeeper ensemble that is already running"
    else
        say "starting a ${ZK_COUNT}-node ZooKeeper ensemble under $QS_DIR"
        zk_start_ensemble || return 1
    fi
    say "waiting up to ${ZK_START_TIMEOUT}s for a ZooKeeper leader"
    leader="$(zk_wait_leader "$ZK_START_TIMEOUT")" || return 1
    say "ZooKeeper is serving; zk$leader (port $(zk_client_port "$leader")) is the leader"
}

# --- step (d): brokers -------------------------------------------------------

start_brokers() {
    local n port log pid
    local zk_connect override extra=()
    zk_connect="$(zk_connect_string "$ZK_CHROOT")"
    for override in ${QUICKSTART_OVERRIDES:-}; do extra+=(--override "$override"); done
    for ((n = 1; n <= BROKER_COUNT; n++)); do
        port="$(broker_port "$n")"
        log="$(broker_log_file "$n")"
        mkdir -p "$QS_DIR/kafka-logs-$n"
        # Each broker reads the shared sample config; only what must differ
        # between brokers on one host is overridden.
        nohup "$KAFKA_BIN" "$CONFIG" \
            --override "broker.id=$n" \
            --override "listeners=PLAINTEXT://$BROKER_HOST:$port" \
            --override "advertised.listeners=PLAINTEXT://$BROKER_HOST:$port" \
            --override "log.dirs=$QS_DIR/kafka-logs-$n" \
            --override "zookeeper.connect=$zk_connect" \
            --override "admin.listener=$(admin_address "$n")" \
            "${extra[@]}" \
            >"$log" 2>&1 </dev/null &
        pid=$!
        disown "$pid"   # not a job of this shell: no "Killed" notices on stop
        echo "$pid" >"$(broker_pid_file "$n")"
        say "started broker $n (pid $pid, $BROKER_HOST:$port, metrics $(admin_address "$n")/metrics, live view $(admin_address "$n")/, log $log)"
    done
}

# Wait until every broker has logged its startup line; fail early if one dies.
wait_brokers() {
    local deadline n done_count log
    deadline=$((SECONDS + BROKER_START_TIMEOUT))
    say "waiting up to ${BROKER_START_TIMEOUT}s for the brokers to finish starting"
    while :; do
        done_count=0
        for ((n = 1; n <= BROKER_COUNT; n++)); do
            log="$(broker_log_file "$n")"
            if grep -qF "$STARTED_MARKER" "$log" 2>/dev/null; then
                done_count=$((done_count + 1))
            elif ! broker_alive "$n"; then
                warn "broker $n exited during startup; last lines of $log:"
                tail -n 30 "$log" >&2 || true
                return 1
            fi
        done
        ((done_count == BROKER_COUNT)) && return 0
        if ((SECONDS >= deadline)); then
            for ((n = 1; n <= BROKER_COUNT; n++)); do
                log="$(broker_log_file "$n")"
                if ! grep -qF "$STARTED_MARKER" "$log" 2>/dev/null; then
                    warn "broker $n did not finish starting in time; last lines of $log:"
                    tail -n 30 "$log" >&2 || true
                fi
            done
            return 1
        fi
        sleep 0.5
    done
}

stop_brokers() {
    local n pid pids=() deadline
    for ((n = 1; n <= BROKER_COUNT; n++)); do
        if broker_alive "$n"; then
            pid="$(<"$(broker_pid_file "$n")")"
            say "stopping broker $n (pid $pid)"
            pids+=("$pid")
        fi
    done
    # A clean shutdown hands leadership away and deregisters from ZooKeeper,
    # which can take a few seconds; wait for all of them together.
    ((${#pids[@]} == 0)) || terminate_pids "$BROKER_STOP_TIMEOUT" "${pids[@]}"
    for ((n = 1; n <= BROKER_COUNT; n++)); do
        rm -f "$(broker_pid_file "$n")"
    done
}

stop_all() {
    stop_brokers
    zk_stop_all
}

# --- step (e): report --------------------------------------------------------

# Prints the broker id recorded in /kafka/controller, or nothing. zkCli.sh is
# slow to start (a JVM) and may not find the znode right away, so retry a bit.
controller_id() {
    local _ out id
    [[ -x "$ZK_CLI" ]] || return 0
    for _ in 1 2 3 4 5; do
        out="$(timeout 20 "$ZK_CLI" -server "$(zk_connect_string)" \
                   get "$ZK_CHROOT/controller" 2>/dev/null || true)"
        id="$(sed -n 's/.*"brokerid"[[:space:]]*:[[:space:]]*\([0-9-]*\).*/\1/p' <<<"$out" | head -n 1)"
        if [[ -n "$id" ]]; then
            echo "$id"
            return 0
        fi
        sleep 1
    done
    return 0
}

print_summary() {
    local controller
    controller="$(controller_id || true)"
    echo
    echo "Cluster is up."
    echo "  bootstrap servers : $(bootstrap_servers)"
    echo "  zookeeper.connect : $(zk_connect_string "$ZK_CHROOT")"
    echo "  controller        : ${controller:+broker }${controller:-unknown (could not read $ZK_CHROOT/controller)}"
    echo "  logs and data     : $QS_DIR"
    echo
    echo "Try:   /usr/share/zookeeper/bin/zkCli.sh -server 127.0.0.1:$ZK_CLIENT_PORT_BASE get $ZK_CHROOT/controller"
    echo "       $ROOT/.venv/bin/python3   (confluent-kafka, kafka-python and aiokafka, pinned)"
    echo "Stop:  Scripts/quickstart.sh stop"
}

# --- commands ----------------------------------------------------------------

# check_ports [zookeeper-only] -> exits with a clear message when something
# else listens on a port we need. The ensemble's ports are skipped while our
# own ensemble is running (start reuses it).
check_ports() {
    local scope="${1:-all}" n port busy="" zk_busy
    if ! zk_running; then
        zk_busy="$(zk_busy_ports || true)"
        busy+="${zk_busy:+$zk_busy$'\n'}"
    fi
    local first=1
    if [[ "$scope" == zookeeper-only ]]; then first=$((BROKER_COUNT + 1)); fi
    for ((n = first; n <= BROKER_COUNT; n++)); do
        port="$(broker_port "$n")"
        if zk_port_in_use "$port" "$BROKER_HOST"; then
            busy+="$BROKER_HOST:$port (broker $n PLAINTEXT listener)"$'\n'
        fi
    done
    if [[ -n "$busy" ]]; then
        printf 'error: cannot start, these ports are already in use by another process:\n' >&2
        sed 's/^/    /' <<<"${busy%$'\n'}" >&2
        # shellcheck disable=SC2016  # the backticks are meant literally
        printf 'Free them and try again (`ss -ltnp` shows who holds them); a quickstart\n' >&2
        printf 'cluster started earlier from this checkout is stopped with `%s stop`.\n' "$0" >&2
        exit 1
    fi
}

cmd_start() {
    local build_mode=auto arg
    for arg in "$@"; do
        case "$arg" in
            --build) build_mode=always ;;
            --no-build) build_mode=never ;;
            *) die "unknown option for start: $arg" ;;
        esac
    done
    if any_broker_alive; then
        die "the quickstart cluster is already running (see \`$0 status\`); run \`$0 stop\` first"
    fi
    [[ -r "$CONFIG" ]] || die "$CONFIG not found"

    ensure_packages
    check_ports          # before a possibly long build, to fail fast
    build "$build_mode"
    check_ports          # and again, in case something grabbed a port meanwhile
    mkdir -p "$QS_DIR"

    # From here on, a failure or Ctrl-C tears down whatever was started; the
    # logs stay in place for a look.
    trap 'warn "interrupted; stopping what was started"; stop_all; exit 130' INT TERM
    if ! start_zookeeper; then
        zk_stop_all
        die "ZooKeeper did not come up; logs are in $QS_DIR/zk*.log"
    fi
    start_brokers
    if ! wait_brokers; then
        stop_all
        die "the brokers did not start; logs are in $QS_DIR/kafka*.log"
    fi
    trap - INT TERM
    print_summary
}

cmd_zookeeper() {
    ensure_packages
    check_ports zookeeper-only
    mkdir -p "$QS_DIR"
    if ! start_zookeeper; then
        zk_stop_all
        die "ZooKeeper did not come up; logs are in $QS_DIR/zk*.log"
    fi
    echo
    echo "ZooKeeper connect string: $(zk_connect_string)"
    echo "Brokers would use:        $(zk_connect_string "$ZK_CHROOT")"
    echo "Stop:  Scripts/quickstart.sh stop"
}

cmd_stop() {
    if ! any_broker_alive && ! zk_running; then
        say "nothing is running"
    fi
    stop_all
}

cmd_status() {
    local n state controller
    echo "Brokers:"
    for ((n = 1; n <= BROKER_COUNT; n++)); do
        if broker_alive "$n"; then
            state="running (pid $(<"$(broker_pid_file "$n")"))"
        else
            state="stopped"
        fi
        printf '  kafka%-2s %s:%-5s %s  metrics %s/metrics\n' "$n" "$BROKER_HOST" "$(broker_port "$n")" "$state" \
            "$(admin_address "$n")"
    done
    echo "ZooKeeper:"
    zk_status
    if any_broker_alive && zk_running; then
        controller="$(controller_id || true)"
        echo "Controller: ${controller:+broker }${controller:-unknown}"
    fi
}

cmd_clean() {
    stop_all
    rm -rf "$QS_DIR"
    say "removed $QS_DIR"
}

usage() {
    sed -n '3,27p' "$SCRIPT_PATH" | sed 's/^# \{0,1\}//'
}

main() {
    local cmd="${1:-start}"
    [[ $# -gt 0 ]] && shift
    case "$cmd" in
        start) cmd_start "$@" ;;
        --build | --no-build) cmd_start "$cmd" "$@" ;;
        zookeeper | zk) cmd_zookeeper ;;
        stop) cmd_stop ;;
        status) cmd_status ;;
        clean) cmd_clean ;;
        -h | --help | help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
