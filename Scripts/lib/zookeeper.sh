# shellcheck shell=bash
#
# Reusable helpers for running a small ZooKeeper ensemble on one machine, all
# members on the loopback address, each with its own ports, data directory,
# log file and pid file. Meant to be sourced, not executed:
#
#     source "$ROOT/Scripts/lib/zookeeper.sh"
#     ZK_BASE_DIR=/some/dir
#     zk_start_ensemble && zk_wait_leader 60
#     ...
#     zk_stop_all
#
# Layout under $ZK_BASE_DIR for member N (1-based):
#     zkN/zoo.cfg      configuration written by zk_write_config
#     zkN/data/myid    the member's id, as ZooKeeper requires for an ensemble
#     zkN.log          stdout/stderr of the JVM
#     zkN.pid          pid of the JVM
#
# Every setting below can be overridden from the environment before sourcing
# (or simply reassigned afterwards). The functions are safe to call from a
# script running under `set -euo pipefail`; they return non-zero and print a
# message to stderr on failure.

# shellcheck source=Scripts/lib/process.sh
source "$(dirname "${BASH_SOURCE[0]}")/process.sh"

: "${ZK_BASE_DIR:=${PWD}/.zookeeper}"      # where configs, data, logs and pids live
: "${ZK_HOST:=127.0.0.1}"                  # every member binds to this address
: "${ZK_COUNT:=3}"                         # number of ensemble members
: "${ZK_CLIENT_PORT_BASE:=2181}"           # member N listens for clients on BASE+N-1
: "${ZK_PEER_PORT_BASE:=2888}"             # member N's quorum (follower) port: BASE+N-1
: "${ZK_ELECTION_PORT_BASE:=3888}"         # member N's leader-election port: BASE+N-1
: "${ZK_TICK_TIME:=2000}"                  # ms; the unit for initLimit/syncLimit and session bounds
: "${ZK_INIT_LIMIT:=10}"                   # ticks a follower may take to connect and sync
: "${ZK_SYNC_LIMIT:=5}"                    # ticks a follower may lag behind the leader
: "${ZK_HEAP:=256m}"                       # -Xmx of each member; three JVMs share the box
: "${ZK_CONF_DIR:=/etc/zookeeper/conf}"    # Debian's directory holding log4j.properties
: "${ZK_JAR:=/usr/share/java/zookeeper.jar}"  # its manifest Class-Path pulls in the dependencies
: "${ZK_CLI:=/usr/share/zookeeper/bin/zkCli.sh}"
# Debian's jar carries no SLF4J binding, so a bare classpath logs nothing at
# all. These two (from Debian's libslf4j-java and liblog4j1.2-java) route the
# server's log through log4j and the conf dir's log4j.properties.
: "${ZK_LOG_JARS:=/usr/share/java/slf4j-log4j12.jar:/usr/share/java/log4j-1.2.jar}"
: "${JAVA:=java}"

# --- small utilities ---------------------------------------------------------

zk__log() { printf '[zookeeper] %s\n' "$*" >&2; }

zk_client_port()   { echo $((ZK_CLIENT_PORT_BASE + $1 - 1)); }
zk_peer_port()     { echo $((ZK_PEER_PORT_BASE + $1 - 1)); }
zk_election_port() { echo $((ZK_ELECTION_PORT_BASE + $1 - 1)); }
zk_dir()           { echo "$ZK_BASE_DIR/zk$1"; }
zk_pid_file()      { echo "$ZK_BASE_DIR/zk$1.pid"; }
zk_log_file()      { echo "$ZK_BASE_DIR/zk$1.log"; }

# zk_connect_string [CHROOT] -> "127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183[/chroot]"
zk_connect_string() {
    local chroot="${1:-}" i out=""
    for ((i = 1; i <= ZK_COUNT; i++)); do
        out+="${out:+,}${ZK_HOST}:$(zk_client_port "$i")"
    done
    echo "${out}${chroot}"
}

# zk_port_in_use PORT [HOST] -> 0 when something accepts TCP connections there.
# Uses bash's /dev/tcp so it needs neither ss nor nc.
zk_port_in_use() {
    local port="$1" host="${2:-$ZK_HOST}"
    timeout 2 bash -c "exec 3<>/dev/tcp/${host}/${port}" 2>/dev/null
}

# zk_four_letter PORT WORD -> prints the reply of a four-letter-word command
# (srvr, ruok, mntr, ...). The servers are configured to allow all of them.
zk_four_letter() {
    local port="$1" word="$2"
    timeout 3 bash -c "
        exec 3<>/dev/tcp/${ZK_HOST}/${port} || exit 1
        printf '%s' '${word}' >&3
        cat <&3
    " 2>/dev/null
}

# zk_mode N -> "leader", "follower", "standalone", or nothing when the member
# does not answer (down, or not yet part of a quorum).
zk_mode() {
    { zk_four_letter "$(zk_client_port "$1")" srvr || true; } | sed -n 's/^Mode: //p' | tr -d '\r'
}

# zk_pid_alive PIDFILE -> 0 when the file names a live ZooKeeper JVM.
# The command line is checked so that a recycled pid is not mistaken for ours.
zk_pid_alive() {
    local pid_file="$1" pid
    [[ -s "$pid_file" ]] || return 1
    pid="$(<"$pid_file")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ -r "/proc/$pid/cmdline" ]]; then
        tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'QuorumPeerMain' || return 1
    fi
    return 0
}

# zk_running -> 0 when at least one member of the ensemble is alive.
zk_running() {
    local i
    for ((i = 1; i <= ZK_COUNT; i++)); do
        zk_pid_alive "$(zk_pid_file "$i")" && return 0
    done
    return 1
}

# zk_busy_ports -> prints "PORT (what)" for every port the ensemble needs that
# something else already listens on; returns 1 when any was found.
zk_busy_ports() {
    local i port busy=0
    for ((i = 1; i <= ZK_COUNT; i++)); do
        for port in "$(zk_client_port "$i"):client" "$(zk_peer_port "$i"):quorum" \
                    "$(zk_election_port "$i"):election"; do
            if zk_port_in_use "${port%%:*}"; then
                echo "${ZK_HOST}:${port%%:*} (zk$i ${port##*:} port)"
                busy=1
            fi
        done
    done
    return "$busy"
}

# --- the four public steps ---------------------------------------------------

# zk_write_config N -> writes zkN/zoo.cfg and zkN/data/myid.
# Existing data (snapshots, transaction logs) is kept, so a restarted ensemble
# still has the znodes it had before.
zk_write_config() {
    local n="$1" dir data i
    dir="$(zk_dir "$n")"
    data="$dir/data"
    mkdir -p "$data" || return 1
    echo "$n" >"$data/myid"
    {
        echo "# Generated by Scripts/lib/zookeeper.sh for ensemble member $n of $ZK_COUNT."
        echo "tickTime=$ZK_TICK_TIME"
        echo "initLimit=$ZK_INIT_LIMIT"
        echo "syncLimit=$ZK_SYNC_LIMIT"
        echo "dataDir=$data"
        echo "clientPort=$(zk_client_port "$n")"
        echo "clientPortAddress=$ZK_HOST"
        # The embedded Jetty admin server would want port 8080 on every member.
        echo "admin.enableServer=false"
        # srvr/ruok/mntr are used to find the leader and for health checks.
        echo "4lw.commands.whitelist=*"
        # Keep disk use bounded on long-running local setups.
        echo "autopurge.snapRetainCount=3"
        echo "autopurge.purgeInterval=1"
        for ((i = 1; i <= ZK_COUNT; i++)); do
            echo "server.$i=$ZK_HOST:$(zk_peer_port "$i"):$(zk_election_port "$i")"
        done
    } >"$dir/zoo.cfg"
}

# zk_start_ensemble -> writes every member's config and launches the JVMs in
# the background. Fails (without starting anything) when a member is already
# running or a needed port is taken.
zk_start_ensemble() {
    local i pid_file log_file busy line jar classpath jars=()
    if ! command -v "$JAVA" >/dev/null 2>&1; then
        zk__log "java not found (install a JRE, e.g. Debian's default-jre-headless)"
        return 1
    fi
    if [[ ! -r "$ZK_JAR" ]]; then
        zk__log "$ZK_JAR not found (install Debian's zookeeper package)"
        return 1
    fi
    if zk_running; then
        zk__log "the ensemble under $ZK_BASE_DIR is already running; stop it first"
        return 1
    fi
    if ! busy="$(zk_busy_ports)"; then
        zk__log "cannot start ZooKeeper, these ports are already in use by another process:"
        while IFS= read -r line; do zk__log "    $line"; done <<<"$busy"
        return 1
    fi

    mkdir -p "$ZK_BASE_DIR" || return 1
    for ((i = 1; i <= ZK_COUNT; i++)); do
        zk_write_config "$i" || return 1
    done
    # The conf dir comes first so that its log4j.properties is found; logging
    # jars are added only when installed (without them the server is silent).
    classpath="$ZK_CONF_DIR:$ZK_JAR"
    IFS=: read -r -a jars <<<"$ZK_LOG_JARS"
    for jar in "${jars[@]}"; do
        if [[ -r "$jar" ]]; then classpath+=":$jar"; fi
    done
    for ((i = 1; i <= ZK_COUNT; i++)); do
        pid_file="$(zk_pid_file "$i")"
        log_file="$(zk_log_file "$i")"
        # Log to the console appender so that everything lands in zkN.log.
        nohup "$JAVA" \
            -Xms64m "-Xmx$ZK_HEAP" -XX:+UseSerialGC \
            -Dzookeeper.log.dir="$(zk_dir "$i")" \
            -Dzookeeper.root.logger=INFO,CONSOLE \
            -cp "$classpath" \
            org.apache.zookeeper.server.quorum.QuorumPeerMain \
            "$(zk_dir "$i")/zoo.cfg" \
            >"$log_file" 2>&1 </dev/null &
        echo $! >"$pid_file"
        disown $!   # lives on after the calling script exits, and is not its job
        zk__log "started zk$i (pid $!, client port $(zk_client_port "$i"), log $log_file)"
    done
    # `$!` names the forked shell until it has exec'd nohup and then java; under load that takes
    # a moment. Wait until each pid runs the JVM (or has died), so that zk_pid_alive, which checks
    # the command line, does not take a server still starting for a dead one.
    local started_pid tries
    for ((i = 1; i <= ZK_COUNT; i++)); do
        started_pid="$(<"$(zk_pid_file "$i")")"
        for ((tries = 0; tries < 200; tries++)); do
            kill -0 "$started_pid" 2>/dev/null || break
            tr '\0' ' ' <"/proc/$started_pid/cmdline" 2>/dev/null | grep -q 'QuorumPeerMain' && break
            sleep 0.05
        done
    done
}

# zk_wait_leader [TIMEOUT_SECONDS] -> polls every member with `srvr` until one
# reports "Mode: leader"; prints that member's number. Gives up early when a
# member's JVM has died.
zk_wait_leader() {
    local timeout="${1:-60}" deadline i mode
    deadline=$((SECONDS + timeout))
    while ((SECONDS < deadline)); do
        for ((i = 1; i <= ZK_COUNT; i++)); do
            if ! zk_pid_alive "$(zk_pid_file "$i")"; then
                zk__log "zk$i is not running; last lines of $(zk_log_file "$i"):"
                tail -n 20 "$(zk_log_file "$i")" >&2 2>/dev/null || true
                return 1
            fi
            mode="$(zk_mode "$i")"
            if [[ "$mode" == "leader" ]]; then
                echo "$i"
                return 0
            fi
        done
        sleep 1
    done
    zk__log "no ZooKeeper leader was elected within ${timeout}s; see $ZK_BASE_DIR/zk*.log"
    return 1
}

# zk_stop_all [GRACE_SECONDS] -> SIGTERM to every member, SIGKILL to those
# still alive after the grace period; removes the pid files.
zk_stop_all() {
    local grace="${1:-10}" i pid pids=()
    for ((i = 1; i <= ZK_COUNT; i++)); do
        if zk_pid_alive "$(zk_pid_file "$i")"; then
            pid="$(<"$(zk_pid_file "$i")")"
            pids+=("$pid")
            zk__log "stopping zk$i (pid $pid)"
        fi
    done
    ((${#pids[@]} == 0)) || terminate_pids "$grace" "${pids[@]}"
    for ((i = 1; i <= ZK_COUNT; i++)); do
        rm -f "$(zk_pid_file "$i")"
    done
}

# zk_status -> one line per member: pid state and quorum role.
zk_status() {
    local i pid_file state mode
    for ((i = 1; i <= ZK_COUNT; i++)); do
        pid_file="$(zk_pid_file "$i")"
        if zk_pid_alive "$pid_file"; then
            mode="$(zk_mode "$i")"
            state="running (pid $(<"$pid_file"), ${mode:-not serving})"
        else
            state="stopped"
        fi
        printf '  zk%-2s %s:%-5s %s\n' "$i" "$ZK_HOST" "$(zk_client_port "$i")" "$state"
    done
}
