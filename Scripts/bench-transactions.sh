#!/usr/bin/env bash
# Transactional produce throughput at 1, 10 and 100 records per transaction (issue 13's
# "Measured"): three brokers on 127.0.0.1, replication factor 3 (min.insync.replicas=2, and
# __transaction_state at its defaults: RF 3, min ISR 2), 1 KiB records, one confluent-kafka
# transactional producer (Scripts/bench/transactions.py): begin, produce, commit, in a loop.
# Prints per size the transactions and records per second and commit_transaction()'s latency;
# ROUNDS rounds, alternated so that a busy machine weighs on all sizes alike.
#
#   Scripts/bench-transactions.sh [--transactions N] [--rounds R]
#
# N transactions per run at 1 and 10 records per transaction, N/2 at 100 (default N=300).
# KAFKA_SERVER_BIN=/path/to/kafka-server benchmarks that binary instead of this tree's release build.
#
# On this machine (2 cores, release build, Fri 4 Dec 2026, one helper's build nearby), the default
# run (300 transactions, 150 at 100 per txn), three rounds:
#                      transactions/s          records/s               commit_transaction() p50 / p99 ms
#   1 per txn          167 / 202 / 186         167 / 202 / 186         2.6-2.8 / 22.5-24.2
#   10 per txn         227 / 188 / 204         2,268 / 1,884 / 2,036   2.5-2.8 / 23.5-25.1
#   100 per txn        251 / 244 / 299         25,050 / 24,358 / 29,943 2.7-2.9 / 5.2-25.2
# A commit takes under 3 ms; the p99 of ~24 ms is librdkafka's retry of the next transaction's
# AddPartitionsToTxn, answered CONCURRENT_TRANSACTIONS while the previous one's markers are still
# being written (it retries 20 ms later; seen with LOADGEN_DEBUG=eos,protocol), as Kafka 2.3 answers.
# (The debug build ran at ~35 transactions/s, 28 ms each, whatever the size.)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=Scripts/bench/lib.sh
source "$ROOT/Scripts/bench/lib.sh"
source "$ROOT/Scripts/lib/deps.sh"
ensure_python_venv "$ROOT"

TXNS=300
ROUNDS=3
while [ $# -gt 0 ]; do
    case "$1" in
        --transactions) TXNS="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        *) echo "usage: $0 [--transactions N] [--rounds R]" >&2; exit 2 ;;
    esac
done

BIN="$(bench_server_bin 1)"
bench_three_brokers "$BIN" kafka-bench-txn
bench_rf3_topics txn
echo "==> $ROUNDS rounds, 1 KiB records, RF 3, acks=all ($BIN)"
for round in $(seq 1 "$ROUNDS"); do
    for per in 1 10 100; do
        count=$TXNS
        [ "$per" = 100 ] && count=$((TXNS / 2))
        printf "%3s per txn  round %s %s\n" "$per" "$round" "$(python3 "$ROOT/Scripts/bench/transactions.py" "$BOOT" txn "$per" "$count" 1024)"
    done
done
