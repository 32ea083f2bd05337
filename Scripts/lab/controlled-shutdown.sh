#!/usr/bin/env bash
#
# Lab: SIGTERM a partition leader (not the controller) with controlled.shutdown.enable=true, the
# default; then write on with acks=all.
#
# Question (seed 001, "broker上下线", "broker 退役旧节点"): a broker is taken out of service on
# purpose — how does leadership leave it, and do clients notice?
#
# What to look for in the timeline:
#   - the broker logs "Starting controlled shutdown" and sends ControlledShutdown to the
#     controller, which logs "Shutting down broker N";
#   - for each partition it led, a fenced multi moving the leadership to the first other replica
#     of the assignment that is in the ISR (ControlledShutdownLeaderSelector), the ISR without
#     it, leader_epoch + 1; for each partition it followed, a fenced multi taking it out of the
#     ISR (OfflineReplica) and StopReplica to it;
#   - LeaderAndIsr to the replicas ("Became leader" on the survivors, "Became follower" on the
#     broker itself), UpdateMetadata to all; the answer: "Controlled shutdown succeeded";
#   - only then does /brokers/ids/<id> go, and the controller has nearly nothing left to do;
#   - compare with kill-leader.sh: there nothing moves until the session expires, about 6 s.
source "$(dirname "$0")/lib.sh"

lab_start 3
lab_kafka topics --bootstrap-server "$LAB_BOOTSTRAP" --create --topic lab --partitions 3 --replication-factor 3
for p in 0 1 2; do lab_inspect wait-isr lab "$p" 3; done
lab_produce "$LAB_BOOTSTRAP" all lab $(seq 1 50)

controller="$(lab_controller)"
read -r leader _ <<<"$(lab_replicas lab 0)"
if [[ "$leader" == "$controller" ]]; then
    # Move on to a partition whose leader is not the controller, so that the two roles do not mix.
    for p in 1 2; do
        read -r candidate _ <<<"$(lab_replicas lab "$p")"
        [[ "$candidate" != "$controller" ]] && leader="$candidate" && break
    done
fi
lab_step "broker $controller is the controller; broker $leader leads at least one partition"
lab_mark
lab_sigterm "$leader"
# Its last line before exit(0). (Waiting for the pid to vanish would measure how soon the
# orphaned process is reaped, not the broker.)
lab_wait_log "$leader" "shut down completed" 120
lab_step "broker $leader has shut down"
lab_inspect wait-all-led lab --not "$leader" --timeout 60
lab_step "every partition has a leader other than broker $leader"
lab_produce "$LAB_BOOTSTRAP" all lab $(seq 51 60)
lab_step "the producer wrote on with acks=all"
lab_restart "$leader"
for p in 0 1 2; do lab_inspect wait-isr lab "$p" 3 --timeout 90; done
lab_step "broker $leader is back in every ISR"
lab_timeline
