#!/usr/bin/env python3
"""Transactional produce throughput (confluent-kafka, librdkafka), for Scripts/bench-transactions.sh.

  transactions.py BOOTSTRAP TOPIC RECORDS_PER_TXN TXNS SIZE   -> JSON: transactions/s, records/s, commit latency

One transactional producer (its own transactional.id) runs TXNS transactions of RECORDS_PER_TXN
records of SIZE bytes to partition 0 of TOPIC: begin, produce, commit. The clock starts after
init_transactions() and one committed warm-up transaction (so the figures leave out the
InitProducerId and FindCoordinator of the start), and stops when the last commit returns.
LOADGEN_DEBUG=contexts sets librdkafka's `debug` (its log goes to stderr).
"Commit" is the time commit_transaction() takes: it flushes the records (acks=all), then EndTxn,
which returns once the coordinator has written PrepareCommit to __transaction_state; the markers
are written after that, asynchronously.
"""
import json
import os
import sys
import time
import uuid

from confluent_kafka import Producer


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, int(round(p / 100.0 * (len(sorted_values) - 1))))
    return sorted_values[index]


def main():
    bootstrap, topic, per_txn, txns, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": "bench-txn-%s" % uuid.uuid4().hex[:8],
                         "linger.ms": 5, "batch.num.messages": 10000, "compression.type": "none",
                         **({"debug": os.environ["LOADGEN_DEBUG"]} if os.environ.get("LOADGEN_DEBUG") else {})})
    producer.init_transactions(60)
    payload = b"x" * size

    def one_transaction():
        producer.begin_transaction()
        for _ in range(per_txn):
            while True:
                try:
                    producer.produce(topic, value=payload, partition=0)
                    break
                except BufferError:
                    producer.poll(0.001)
        started = time.perf_counter()
        producer.commit_transaction(60)
        return time.perf_counter() - started

    one_transaction()  # warm-up: AddPartitionsToTxn's first round, the coordinator connection
    commits = []
    start = time.perf_counter()
    for _ in range(txns):
        commits.append(one_transaction())
    elapsed = time.perf_counter() - start
    commits.sort()
    print(json.dumps({"records_per_txn": per_txn, "transactions": txns, "size": size, "seconds": round(elapsed, 3),
                      "txns_per_s": round(txns / elapsed, 1), "records_per_s": round(txns * per_txn / elapsed),
                      "commit_ms": {"p50": round(percentile(commits, 50) * 1000, 2), "p99": round(percentile(commits, 99) * 1000, 2),
                                    "max": round(commits[-1] * 1000, 2)}}))


if __name__ == "__main__":
    main()
