#!/usr/bin/env bash
#
# Lab: leader epochs, case 2 (KIP-101) — two replicas whose logs forked must end identical.
#
# Question (seed 002, "leader epoch"): the old leader comes back after the new leader wrote
# different records at the same offsets. Truncating to its high watermark it would keep its own
# records there, and the two replicas would differ forever.
#
# Steps: 2 replicas, A leads; 2 records acks=all (on both). B freezes; A takes 5 records with
# acks=1 that B never sees; both die. B returns first and leads a new epoch (uncleanly); it
# takes 3 new records at offsets 2..4. A returns as follower, asks B where its epoch ended
# (OffsetForLeaderEpoch: at offset 2), cuts its log there and copies B's records.
#
# What to look for: B's leader epoch in the partition state, A's "Truncated lab-0 from log end
# offset 7 to 2", and both replicas holding the same 5 records at the end.
source "$(dirname "$0")/lib.sh"

lab_start 3
lab_two_replicas
a="$A" b="$B"
lab_produce "$LAB_BOOTSTRAP" all lab common-0 common-1
lab_mark
lab_sigstop "$b"
lab_produce "127.0.0.1:$(lab_port "$a")" 1 lab only-on-a-0 only-on-a-1 only-on-a-2 only-on-a-3 only-on-a-4
lab_kill9 "$a"
kill -9 "$(lab_pid "$b")"
lab_step "kill -9 broker $b (frozen until now)"
lab_inspect wait-leader lab 0 -1 --timeout 60
lab_restart "$b"
lab_inspect wait-leader lab 0 "$b" --timeout 60
lab_produce "127.0.0.1:$(lab_port "$b")" 1 lab new-on-b-0 new-on-b-1 new-on-b-2
lab_restart "$a"
lab_inspect wait-isr lab 0 2 --timeout 90
lab_step "both replicas in sync again; lab-0 holds:"
lab_consume "127.0.0.1:$(lab_port "$b")" lab | sed 's/^/    /'
lab_timeline --include-log "lab-0"
