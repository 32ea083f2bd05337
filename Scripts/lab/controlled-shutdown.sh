#!/usr/bin/env bash
#
# Lab: controlled shutdown (SIGTERM, controlled.shutdown.enable=true).
#
# Question (seed 003, §8.1 "Broker故障": a broker that dies makes clients wait for the session
# timeout — what does a broker that is *stopped* do instead?): before it stops anything, the
# broker sends ControlledShutdown to the controller. The controller moves the leadership of every
# partition the broker leads to another in-sync replica (ControlledShutdownLeaderSelector: the
# first live, not-shutting-down replica of the ISR), takes the broker out of the ISRs of the
# partitions it follows, and answers with what it still leads (nothing, normally). Only then does
# the broker stop its fetchers, close its session (its /brokers/ids/<id> goes at once, no 6 s
# wait) and exit. Clients see NOT_LEADER_FOR_PARTITION and move to the new leaders right away.
#
# What to look for: "Starting controlled shutdown", the controller's fenced leader moves
# (leader_epoch + 1, the broker gone from the ISR), "Controlled shutdown succeeded", then the
# session closing (not expiring) with /brokers/ids/<id>, all within a fraction of a second.
source "$(dirname "$0")/lib.sh"

lab_start 3
lab_topic lab 6 3
printf 'record-%d\n' $(seq 1 300) | kcat -b "$LAB_BOOTSTRAP" -P -t lab -X acks=all -X log_level=0

controller="$(lab_controller)"
stopping="$(lab_leader_other_than "$controller" lab 6)"
lab_step "broker $controller is the controller; broker $stopping will be stopped with SIGTERM"
lab_mark
pid="$(lab_pid "$stopping")"
lab_sigterm "$stopping"
while pid_running "$pid"; do sleep 0.02; done
lab_step "broker $stopping has exited"
lab_inspect wait-all-led lab --not "$stopping" --timeout 10
lab_step "every partition is led by another broker"
lab_restart "$stopping"
lab_inspect wait-all-isr lab 3 --timeout 90
lab_step "broker $stopping is back in every ISR"
lab_timeline
