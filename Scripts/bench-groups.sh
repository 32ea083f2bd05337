#!/usr/bin/env bash
# Consumer-group figures for kafka-server (release build): 3 brokers on 127.0.0.1 with a real
# (standalone) ZooKeeper, offsets.topic.replication.factor=3 (offsets.commit.required.acks at its default -1:
# a commit waits for every in-sync replica of its __consumer_offsets partition), one topic of 6
# partitions with replication factor 3, and confluent-kafka (librdkafka) consumers driven by
# Scripts/bench/groups.py. Each figure is printed as LABEL JSON broker_cpu_percent=N, the CPU
# being the live brokers' together over the phase (percent of one core), as Scripts/bench.sh does.
#
#   join-3-members-delay-3000  three consumers with one group.id subscribe at once; seconds from
#                              the first subscribe (before FindCoordinator and the first JoinGroup)
#                              until Stable: every member has its assignment (on_assign), 2
#                              partitions each, disjoint. group.initial.rebalance.delay.ms=3000
#                              (Kafka's default). Three rounds, each with a new group.
#   offset-commit-rf3          2,000 synchronous commits (commit(offsets=..., asynchronous=False))
#                              by one member, timed one by one: p50/p99/max.
#   coordinator-kill9          three members (session.timeout.ms=6000, a synchronous commit after
#                              every record) consume while a producer (acks=all) writes RATE
#                              records/s; after BEFORE s the broker coordinating the group is
#                              killed with SIGKILL, production goes on for AFTER s. Prints the
#                              longest interval between consecutive records the group consumed
#                              (from 1 s before the kill), records acknowledged to the producer but
#                              never consumed, and records read again although a commit covering
#                              them had been acknowledged (both must be 0).
#   join-3-members-delay-0     as the first, on a fresh cluster with group.initial.rebalance.delay.ms=0.
#
# On this machine (2 cores shared with other work, load ~1.5; Thu 3 Dec 2026, librdkafka 2.16.0):
#   join-3-members-delay-3000  6.07 s, 6.01 s, 6.01 s: one on_assign per member. Kafka's initial
#                              delay is 3 s, extended once by 3 s because members joined during
#                              it (its InitialDelayedJoin), so 6 s is the expected figure.
#   join-3-members-delay-0     0.06 s, 0.07 s, 2.00 s (an earlier run: 3.02 s, 2.01 s, 3.01 s):
#                              when the first JoinGroup completes alone, the others' joins start a
#                              second rebalance that librdkafka's members learn of from a
#                              heartbeat (every 3 s by default).
#   offset-commit-rf3          p50 1.06 ms, p99 2.10 ms, max 14.2 ms; 897 commits/s; 0 errors;
#                              brokers' CPU 47 % of one core.
#   coordinator-kill9          200 records/s: longest gap 12.03 s (another run: 10.96 s, one
#                              more: 11.75 s), starting at the kill, the same for each member;
#                              8,001 acknowledged, all consumed, 0 committed records read twice,
#                              0 re-reads at all, 0 commit errors (the synchronous commits wait),
#                              one more on_assign per member (a rebalance, generation 2). Where the
#                              time goes (broker logs and GROUPS_DEBUG=cgrp): ~5 s until ZooKeeper
#                              expires the killed broker's session and the controller moves its
#                              partitions; the new coordinator loads the group in ~1 ms. By then
#                              the members' own 6 s session timers have run out (no heartbeat
#                              answered since the kill), so librdkafka drops its member ids and
#                              joins as new members; the JoinGroup waits for the loaded group's old
#                              members, which expire one session timeout (6 s) after the load, and
#                              the group is Stable again right after. Kafka 2.3 takes the same
#                              path; a session.timeout.ms above zookeeper.session.timeout.ms
#                              would let the members keep their ids.
#
#   Scripts/bench-groups.sh [--rounds N] [--commits N] [--rate N] [--before S] [--after S] [--no-build]
#
# KAFKA_SERVER_BIN=/path/to/kafka-server benchmarks that binary instead of building this tree's.
# KEEP_WORK=1 keeps the work directory (broker logs, and driver.log: groups.py's and librdkafka's);
# GROUPS_DEBUG=cgrp adds librdkafka's consumer-group debug log to driver.log. --rounds 0 skips the
# joins. Everything stops by itself.
# Not part of the test suite (Scripts/test.sh does not run it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=Scripts/bench/lib.sh
source "$ROOT/Scripts/bench/lib.sh"
source "$ROOT/Scripts/lib/deps.sh"
ensure_apt_packages zookeeper default-jre-headless
ensure_python_venv "$ROOT"   # the pinned confluent-kafka for groups.py, in .venv/ (first on the PATH)

ROUNDS=3
COMMITS=2000
RATE=200
BEFORE=10
AFTER=30
BUILD=1
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS="$2"; shift 2 ;;
        --commits) COMMITS="$2"; shift 2 ;;
        --rate) RATE="$2"; shift 2 ;;
        --before) BEFORE="$2"; shift 2 ;;
        --after) AFTER="$2"; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        *) echo "usage: $0 [--rounds N] [--commits N] [--rate N] [--before S] [--after S] [--no-build]" >&2; exit 2 ;;
    esac
done

BIN="$(bench_server_bin "$BUILD")"
DRIVER=(python3 "$ROOT/Scripts/bench/groups.py")

WORK="$(mktemp -d /tmp/kafka-bench-groups.XXXXXX)"
BASE=$((20000 + RANDOM % 9000))
ZK_PORT=$BASE
declare -A BROKER_PIDS=()
cleanup() {
    local pid
    for pid in "${BROKER_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    [ -n "${ZK_PID:-}" ] && kill -9 "$ZK_PID" 2>/dev/null || true
    if [ -n "${KEEP_WORK:-}" ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
# One standalone ZooKeeper, as in Scripts/bench.sh.
bench_start_zookeeper

# start_cluster NAME DELAY_MS: brokers 1-3 under the chroot /NAME, data in $WORK/NAME-data-N.
# Each cluster gets its own ports (BASE+11.. for the first, BASE+21.. for the second).
CLUSTERS=0
start_cluster() {
    local name="$1" delay="$2" id port
    CLUSTERS=$((CLUSTERS + 1))
    BOOT=""
    for id in 1 2 3; do
        port=$((BASE + 10 * CLUSTERS + id))
        "$BIN" "$ROOT/config/server.properties" --override broker.id="$id" \
            --override "listeners=PLAINTEXT://127.0.0.1:$port" --override "log.dirs=$WORK/$name-data-$id" \
            --override "zookeeper.connect=127.0.0.1:$ZK_PORT/$name" --override zookeeper.session.timeout.ms=6000 \
            --override offsets.topic.replication.factor=3 --override default.replication.factor=3 \
            --override group.initial.rebalance.delay.ms="$delay" \
            >>"$WORK/$name-broker-$id.log" 2>&1 &
        BROKER_PIDS[$id]=$!
        disown $!
        BOOT="$BOOT${BOOT:+,}127.0.0.1:$port"
    done
    for id in 1 2 3; do
        for _ in $(seq 1 600); do
            grep -q "started (kafka.server.KafkaServer)" "$WORK/$name-broker-$id.log" 2>/dev/null && break
            kill -0 "${BROKER_PIDS[$id]}" 2>/dev/null || { echo "broker $id exited; see $WORK/$name-broker-$id.log" >&2; exit 1; }
            sleep 0.1
        done
    done
    python3 - "$BOOT" <<'PY'
import sys
from confluent_kafka.admin import AdminClient, NewTopic
admin = AdminClient({"bootstrap.servers": sys.argv[1]})
topics = [NewTopic(t, num_partitions=6, replication_factor=3) for t in ("groups", "failover")]
for topic, future in admin.create_topics(topics, operation_timeout=60, request_timeout=70).items():
    future.result(timeout=80)
PY
    echo "==> cluster $name: 3 brokers on $BOOT, group.initial.rebalance.delay.ms=$delay; load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
    # Untimed: the first FindCoordinator creates __consumer_offsets (50 partitions, RF 3).
    "${DRIVER[@]}" warmup "$BOOT" groups "warmup-$name" 2>>"$WORK/driver.log" || { tail -n 30 "$WORK/driver.log" >&2; exit 1; }
}
stop_cluster() {
    local id
    for id in 1 2 3; do kill -9 "${BROKER_PIDS[$id]}" 2>/dev/null || true; done
    BROKER_PIDS=()
}

HZ=$(getconf CLK_TCK)
# cpu_snapshot: "pid ticks" for every live broker.
cpu_snapshot() {
    local pid
    for pid in "${BROKER_PIDS[@]}"; do
        [ -r "/proc/$pid/stat" ] && awk -v p="$pid" '{print p, $14 + $15}' "/proc/$pid/stat"
    done
    return 0
}
# run LABEL ARGS…: groups.py ARGS…, with the CPU of the brokers alive at the start and the end.
run() {
    local label="$1"; shift
    local before after start end result
    before=$(cpu_snapshot); start=$(date +%s.%N)
    if ! result=$("${DRIVER[@]}" "$@" 2>>"$WORK/driver.log"); then
        echo "$label: groups.py failed; the end of its log (librdkafka's included):" >&2
        tail -n 30 "$WORK/driver.log" >&2
        exit 1
    fi
    after=$(cpu_snapshot); end=$(date +%s.%N)
    local cpu
    cpu=$(awk -v hz="$HZ" -v s="$start" -v e="$end" -v before="$before" -v after="$after" 'BEGIN {
        n = split(before, b, "\n"); for (i = 1; i <= n; i++) { split(b[i], f, " "); t0[f[1]] = f[2] }
        n = split(after, a, "\n"); for (i = 1; i <= n; i++) { split(a[i], f, " "); if (f[1] in t0) total += f[2] - t0[f[1]] }
        printf "%.0f", 100 * total / hz / (e - s) }')
    echo "$label $result broker_cpu_percent=$cpu"
}

start_cluster delay3000 3000
for round in $(seq 1 "$ROUNDS"); do
    run "join-3-members-delay-3000" join "$BOOT" groups "join-3000-$round" 3
done
run "offset-commit-rf3" commit "$BOOT" groups commits "$COMMITS"
PIDS="1:${BROKER_PIDS[1]},2:${BROKER_PIDS[2]},3:${BROKER_PIDS[3]}"
run "coordinator-kill9" failover "$BOOT" failover failover "$PIDS" "$RATE" "$BEFORE" "$AFTER"
stop_cluster

start_cluster delay0 0
for round in $(seq 1 "$ROUNDS"); do
    run "join-3-members-delay-0" join "$BOOT" groups "join-0-$round" 3
done
