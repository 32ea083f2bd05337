#!/usr/bin/env bash
#
# Lab: a partition reassignment with a controller failover in the middle.
#
# Question (seed 004, §9 "如何选举Leader": the controller "也负责增删Topic以及Replica的重新分配" — it
# also moves replicas between brokers): how does the controller move a partition, and what
# happens when it dies while doing it?
#
# Steps: 4 brokers; a topic of 2 partitions with 100 records, placed on brokers 1,2,3; the
# controller is frozen (SIGSTOP, so that it never acts on the request), `kafka reassign-partitions
# --execute` asks to move lab-0 to 2,3,4 and lab-1 to 3,4,2, and the controller is killed. The
# new controller finds the request in ZooKeeper and carries it out; the killed broker restarts.
#
# What to look for in the timeline:
#   - the creation of /admin/reassign_partitions, then the election of the new controller, which
#     logs "Partitions being reassigned" from it;
#   - phase 1, per partition: /brokers/topics/lab written with the old and new replicas together
#     (RAR first), the state znode written with leader_epoch + 1 (fenced multis), broker 4's replicas
#     NonExistentReplica → NewReplica, LeaderAndIsr to all of them;
#   - the leader adding broker 4 to the ISR (a state znode write of its own), which the
#     controller watches ("replicas have caught up with the leader");
#   - phase 2: a leader elected among the new replicas when the old one is not one of them (lab-0
#     when broker 1 still leads it), else the leader epoch bumped; broker 1 out of the ISR, OfflineReplica →
#     ReplicaDeletionStarted (StopReplica with deletion) → NonExistentReplica; the assignment
#     znode with the new replicas only; the partition removed from /admin/reassign_partitions,
#     which is deleted with the last one.
# If the controller killed is broker 1, its replicas are deleted only from ZooKeeper: the
# StopReplica never reaches it (Kafka 2.3 does the same) and its old log stays on its disk.
source "$(dirname "$0")/lib.sh"

ZK_CONNECT="127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183/kafka"
reassign() { lab_kafka reassign-partitions --zookeeper "$ZK_CONNECT" "$@"; }
plan() {
    printf '{"version":1,"partitions":[{"topic":"lab","partition":0,"replicas":[%s]},{"topic":"lab","partition":1,"replicas":[%s]}]}\n' "$1" "$2"
}
# wait_reassigned FILE [SECONDS]: until --verify says every partition of FILE completed.
wait_reassigned() {
    local deadline=$((SECONDS + ${2:-120}))
    until [[ "$(reassign --verify --reassignment-json-file "$1" | grep -c 'completed successfully')" == 2 ]]; do
        if ((SECONDS >= deadline)); then
            echo "gave up waiting for the reassignment in $1" >&2
            return 1
        fi
        sleep 0.2
    done
}

lab_start 4
lab_kafka topics --bootstrap-server "$LAB_BOOTSTRAP" --create --topic lab --partitions 2 --replication-factor 3
lab_inspect wait-all-led lab
# Placed on 1,2,3 first (a reassignment too, not in the timeline).
plan 1,2,3 2,3,1 >"$LAB_DIR/start.json"
reassign --execute --reassignment-json-file "$LAB_DIR/start.json" >/dev/null
wait_reassigned "$LAB_DIR/start.json"
lab_inspect wait-all-isr lab 3
printf 'record-%d\n' $(seq 1 100) | kcat -b "$LAB_BOOTSTRAP" -P -t lab -X acks=all

plan 2,3,4 3,4,2 >"$LAB_DIR/move.json"
controller="$(lab_controller)"
lab_step "the controller is broker $controller; lab-0 is to move to 2,3,4 and lab-1 to 3,4,2"
lab_mark
lab_sigstop "$controller"
lab_step "kafka reassign-partitions --execute"
reassign --execute --reassignment-json-file "$LAB_DIR/move.json" | sed 's/^/    /'
lab_kill9 "$controller"
lab_inspect wait-controller-not "$controller" --timeout 60
lab_step "broker $(lab_controller) is the controller now"
lab_restart "$controller"
wait_reassigned "$LAB_DIR/move.json" 180
lab_step "kafka reassign-partitions --verify: every partition completed"
reassign --verify --reassignment-json-file "$LAB_DIR/move.json" | sed 's/^/    /'
lab_step "$(kcat -b "$LAB_BOOTSTRAP" -C -t lab -o beginning -e -q -X log_level=0 | wc -l) records read back"
lab_timeline
