#!/usr/bin/env python3
"""A transactional producer (confluent-kafka) writing keyed records to partition 0 of TOPIC, a
compacted topic: committed-0..4 (keys k0..k4) committed, aborted-0..2 (keys k0..k2) aborted
(sent and flushed before the abort, so they are in the log), committed-5..6 (keys k5, k6)
committed, then FILLERS records filler-NN (keys fNN) committed five per transaction, so that the
segments holding the first three transactions roll. Prints "done" when all ended.

Usage: transactional_keyed_producer.py BOOTSTRAP TOPIC TRANSACTIONAL_ID FILLERS
"""
import sys

from confluent_kafka import Producer

bootstrap, topic, transactional_id, fillers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": transactional_id,
                     "transaction.timeout.ms": 60000, "linger.ms": 5})
producer.init_transactions(120)


def transaction(records, commit):
    producer.begin_transaction()
    for key, value in records:
        producer.produce(topic, key=key.encode(), value=value.encode(), partition=0)
    producer.flush(60)
    if commit:
        producer.commit_transaction(120)
    else:
        producer.abort_transaction(120)


transaction([(f"k{n}", f"committed-{n}") for n in range(5)], True)
transaction([(f"k{n}", f"aborted-{n}") for n in range(3)], False)
transaction([(f"k{n}", f"committed-{n}") for n in range(5, 7)], True)
# Five fillers per transaction: a batch must fit in the topic's small segments.
for start in range(0, fillers, 5):
    transaction([(f"f{n:02d}", f"filler-{n:02d}-" + "." * 60) for n in range(start, min(start + 5, fillers))], True)
print("done", flush=True)
