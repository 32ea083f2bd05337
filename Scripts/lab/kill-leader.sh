#!/usr/bin/env bash
#
# Lab: kill -9 a partition leader (not the controller).
#
# Question (seed 003, §8.1 "Broker故障", 8.1.1–8.1.5): a leader dies — who notices, how is the new
# leader chosen, and what happens to the ISR and the leader epoch?
#
# What to look for in the timeline:
#   - nothing happens for about 6 s: the controller learns of the death only when ZooKeeper
#     expires the broker's session and its /brokers/ids/<id> vanishes;
#   - the controller moves the dead broker's replicas to OfflineReplica (out of every ISR) and
#     elects for each partition it led the first live replica of the ISR, in assignment order
#     (OfflinePartitionLeaderSelector): a fenced multi per partition, leader_epoch + 1;
#   - LeaderAndIsr to the survivors ("Became leader", "Became follower"), UpdateMetadata to all;
#   - after the restart the broker comes back as a follower everywhere and the leaders expand
#     their ISRs (ISR changes written by the leaders, then an isr_change notification).
source "$(dirname "$0")/lib.sh"

lab_start 3
lab_topic lab 3 3
lab_produce "$LAB_BOOTSTRAP" all lab $(seq 1 50)

controller="$(lab_controller)"
leader="$(lab_leader_other_than "$controller" lab 3)"
lab_step "broker $controller is the controller; broker $leader leads at least one partition"
lab_mark
lab_kill9 "$leader"
lab_inspect wait-all-led lab --not "$leader" --timeout 60
lab_step "every partition has a leader other than broker $leader"
lab_restart "$leader"
lab_inspect wait-all-isr lab 3 --timeout 90
lab_step "broker $leader is back in every ISR"
lab_timeline
