#!/usr/bin/env bash
#
# Lab: a broker's ZooKeeper session expires (SIGSTOP past zookeeper.session.timeout.ms).
#
# Question (seed 003, §8.1.1 "Broker 故障检测", and seed 000/002 "与zookeeper 保持会话"): a broker that is alive but cannot talk to ZooKeeper
# (a long GC pause, a network partition) — what does the cluster do, and what does the broker do
# when it wakes up?
#
# What to look for in the timeline:
#   - ZooKeeper expires the frozen broker's session after 6 s: /brokers/ids/<id> is deleted;
#   - the controller treats it exactly as a dead broker: new leaders from the ISR, the broker
#     taken out of every ISR;
#   - on SIGCONT the broker learns its session expired, opens a new one and registers again
#     (a new /brokers/ids/<id>, a new czxid: a new broker epoch); the controller sends it
#     LeaderAndIsr and it catches up into the ISRs. It never led anything in between: it did not
#     hear from ZooKeeper, and its LeaderAndIsr requests came from the controller, with epochs.
source "$(dirname "$0")/lib.sh"

lab_start 3
lab_topic lab 3 3
lab_produce "$LAB_BOOTSTRAP" all lab $(seq 1 50)

controller="$(lab_controller)"
frozen="$(lab_leader_other_than "$controller" lab 3)"
lab_step "broker $controller is the controller; broker $frozen will be frozen"
lab_mark
lab_sigstop "$frozen"
lab_inspect wait-all-led lab --not "$frozen" --timeout 60
lab_step "every partition has a leader other than broker $frozen"
lab_sigcont "$frozen"
lab_inspect wait-all-isr lab 3 --timeout 90
lab_step "broker $frozen is back in every ISR"
lab_timeline
