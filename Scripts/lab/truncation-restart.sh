#!/usr/bin/env bash
#
# Lab: leader epochs, case 1 (KIP-101) — a restarted follower must not truncate to its high
# watermark.
#
# Question (seed 002, "leader epoch": "every broker truncates to its HW after a restart" and
# "epoch: ask the leader before truncating"): before
# Kafka 0.11 a follower truncated its log to its high watermark when it restarted. A follower's
# high watermark lags the leader's (it learns it on its next fetch) and its checkpoint is written
# only every replica.high.watermark.checkpoint.interval.ms. If the leader then dies and the
# follower takes over, the records above its stale high watermark — acknowledged with acks=all —
# are gone.
#
# Steps: 2 replicas, A leads, B follows; 100 records acks=all (B has them all, but its
# checkpointed high watermark is 0: the checkpoint interval here is an hour). B is killed and
# restarted while A is frozen, so B's first question to A stays unanswered; A dies; B leads.
# With leader epochs B asks the leader (OffsetForLeaderEpoch) where its epoch ends instead of
# truncating to its high watermark, and keeps all 100 records.
#
# What to look for: "Became follower" on B, no "Truncat" line for lab-0 on B, B elected leader
# (uncleanly: it was out of the ISR), and 100 records at the end.
source "$(dirname "$0")/lib.sh"

lab_start 3 replica.high.watermark.checkpoint.interval.ms=3600000
lab_two_replicas
a="$A" b="$B"
lab_produce "$LAB_BOOTSTRAP" all lab $(printf 'acked-%d ' $(seq 0 99))
lab_mark
lab_kill9 "$b"
lab_inspect wait-isr lab 0 1 --timeout 60
lab_sigstop "$a"
lab_restart "$b"
lab_wait_log "$b" "Became follower of broker $a for lab-0" 60
lab_kill9 "$a"
lab_inspect wait-leader lab 0 "$b" --timeout 60
lab_step "broker $b leads lab-0; records it holds: $(lab_consume "127.0.0.1:$(lab_port "$b")" lab | wc -l) of 100"
lab_timeline --include-log "lab-0"
