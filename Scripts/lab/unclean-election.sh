#!/usr/bin/env bash
#
# Lab: an unclean leader election (unclean.leader.election.enable=true on the topic).
#
# Question (seed 003, §3.3 "服务端数据不丢失": "elects a new leader from the ISR" — and when no ISR
# member is alive?): what does enabling unclean.leader.election.enable buy, and what
# does it cost?
#
# Steps: a 2-replica partition; its follower B dies, so the ISR is the leader A alone; A takes
# 5 more records (acks=1) that exist nowhere else; A dies. The partition has no live in-sync
# replica: with the default (false) it stays offline until A returns. Here B comes back, and
# the controller makes it leader although it is out of sync: available again, 5 records lost.
# When A returns it truncates its log to B's (leader epochs say where).
#
# What to look for in the timeline: the state-change WARN "Unclean leader election", the leader
# written with an ISR of B alone, A's "Truncating" line, and the consumer's count at the end.
source "$(dirname "$0")/lib.sh"

lab_start 3
lab_two_replicas
a="$A" b="$B"
lab_produce "$LAB_BOOTSTRAP" all lab $(printf 'acked-by-both-%d ' $(seq 1 10))
lab_mark
lab_kill9 "$b"
lab_inspect wait-isr lab 0 1 --timeout 60
lab_step "the ISR is broker $a alone; 5 records with acks=1 go to it only"
lab_produce "127.0.0.1:$(lab_port "$a")" 1 lab $(printf 'only-on-a-%d ' $(seq 1 5))
lab_kill9 "$a"
lab_inspect wait-leader lab 0 -1 --timeout 60
lab_step "lab-0 is offline (no leader): its only in-sync replica is dead"
lab_restart "$b"
lab_inspect wait-leader lab 0 "$b" --timeout 60
lab_step "broker $b leads lab-0 although it was not in sync"
lab_restart "$a"
lab_inspect wait-isr lab 0 2 --timeout 90
lab_step "broker $a is back in sync; what lab-0 holds now:"
lab_consume "127.0.0.1:$(lab_port "$b")" lab | sed 's/^/    /'
lab_timeline
