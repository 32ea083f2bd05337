#!/usr/bin/env bash
#
# Lab: kill -9 the controller.
#
# Question (seed 003, §8.2 "Leader Controller 故障转移"): what happens when the controller dies? Who notices, how is
# the new one chosen, what does it read, and what does it send?
#
# What to look for in the timeline:
#   - ZooKeeper expires the dead broker's session about 6 s later (zookeeper.session.timeout.ms),
#     deleting its ephemeral /brokers/ids/<id> and /controller in the same transaction;
#   - every broker races to create /controller; one wins, in a multi that also bumps
#     /controller_epoch (the losers' creates fail with NodeExists);
#   - the new controller reads the cluster from ZooKeeper, sends UpdateMetadata, then elects new
#     leaders for the partitions the dead broker led: each a fenced multi
#     (check /controller_epoch, then set .../partitions/<p>/state with leader_epoch + 1);
#   - after the restart, the broker registers again and rejoins every ISR (ISR change
#     notifications, the controller's UpdateMetadata).
source "$(dirname "$0")/lib.sh"

lab_start 3
lab_topic lab 6 3
printf 'record-%d\n' $(seq 1 100) | kcat -b "$LAB_BOOTSTRAP" -P -t lab -X acks=all

controller="$(lab_controller)"
lab_step "the controller is broker $controller"
lab_mark
lab_kill9 "$controller"
lab_inspect wait-controller-not "$controller" --timeout 60
lab_step "broker $(lab_controller) is the controller now"
lab_inspect wait-all-led lab --not "$controller" --timeout 60
lab_restart "$controller"
lab_inspect wait-all-isr lab 3 --timeout 90
lab_step "broker $controller is back in every ISR"
lab_timeline
