#!/usr/bin/env bash
# Controller figures (issue 11's table), on 3 brokers (release build), RF 3, a 3-node ZooKeeper
# ensemble, zookeeper.session.timeout.ms=6000, for 30, 300 and 1,000 partitions. Every time is
# measured from ZooKeeper's own transaction log (the leader's clock on each write, what Kafka's
# znode ctime/mtime show), by Scripts/bench/controller.py:
#
#   failover      kill -9 of the controller: from the new controller's /controller create to its
#                 last partition-state write (every leader the dead controller held re-elected)
#   dead-broker   kill -9 of another broker: from its session's expiry (its /brokers/ids/<id>
#                 vanishing) to the controller's last partition-state write
#   restart       the killed broker started again: from its /brokers/ids/<id> create to the ISR
#                 write that put it back into the last of its partitions
#   controlled    SIGTERM to a broker (controlled.shutdown.enable=true): from the signal to the
#                 controller's last write moving a leadership away from it (seconds=), and to the
#                 end of its registration (exit_seconds=: its /brokers/ids/<id> deleted or its
#                 session closed)
#
# Usage: Scripts/bench-controller.sh [PARTITIONS ...]   (default: 30 300 1000)
# It runs on the quickstart's ports (Scripts/lab/lib.sh), one fresh cluster per size.
set -euo pipefail
source "$(dirname "$0")/lab/lib.sh"

SIZES=("$@")
((${#SIZES[@]})) || SIZES=(30 300 1000)
JSONL() { "$KAFKA_CLI" lab-timeline --zookeeper-data-dir "$LAB_DIR/zk1/data" --chroot /kafka --zookeeper-jsonl; }
measure() { JSONL | "$LAB_ROOT/.venv/bin/python3" "$LAB_ROOT/Scripts/bench/controller.py" "$@"; }
BASE_DIR="$LAB_DIR"

for partitions in "${SIZES[@]}"; do
    LAB_DIR="$BASE_DIR-$partitions"
    lab_start 3 >/dev/null
    lab_kafka topics --bootstrap-server "$LAB_BOOTSTRAP" --create --topic bench --partitions "$partitions" --replication-factor 3 >/dev/null
    lab_inspect wait-all-isr bench 3 --timeout 600

    controller="$(lab_controller)"
    victim=$(( controller % 3 + 1 ))
    start="$(lab_now_ms)"
    lab_kill9 "$victim" >/dev/null
    lab_inspect wait-all-led bench --not "$victim" --timeout 120
    sleep 1 # writes of the phase that come after the last leader is visible in Metadata
    echo "partitions=$partitions $(measure dead-broker "$victim" bench "$start" "$(lab_now_ms)")"

    start="$(lab_now_ms)"
    lab_restart "$victim" >/dev/null
    lab_inspect wait-all-isr bench 3 --timeout 600
    sleep 1
    echo "partitions=$partitions $(measure restart "$victim" bench "$start" "$(lab_now_ms)")"

    start="$(lab_now_ms)"
    lab_kill9 "$controller" >/dev/null
    lab_inspect wait-controller-not "$controller" --timeout 120
    lab_inspect wait-all-led bench --not "$controller" --timeout 120
    sleep 1
    echo "partitions=$partitions $(measure failover "$controller" bench "$start" "$(lab_now_ms)")"

    lab_restart "$controller" >/dev/null
    lab_inspect wait-all-isr bench 3 --timeout 600
    stopping="$(lab_leader_other_than "$(lab_controller)" bench "$partitions")"
    pid="$(lab_pid "$stopping")"
    start="$(lab_now_ms)"
    lab_sigterm "$stopping" >/dev/null
    while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
    exited="$(lab_now_ms)"
    sleep 1
    echo "partitions=$partitions $(measure controlled "$stopping" bench "$start" "$(lab_now_ms)") process_exit_seconds=$(( (exited - start) / 1000 )).$(printf '%03d' $(( (exited - start) % 1000 )))"
    lab_quickstart stop >/dev/null 2>&1 || true
done
