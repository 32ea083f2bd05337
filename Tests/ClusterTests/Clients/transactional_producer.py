#!/usr/bin/env python3
"""A transactional producer (confluent-kafka): init_transactions, then three transactions on
partition 0 of TOPIC: committed-0..4 committed, aborted-0..2 aborted (sent and flushed before the
abort, so they are in the log), committed-5..6 committed. Prints "done" when all three ended.

Usage: transactional_producer.py BOOTSTRAP TOPIC TRANSACTIONAL_ID
"""
import sys

from confluent_kafka import Producer

bootstrap, topic, transactional_id = sys.argv[1:4]
producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": transactional_id,
                     "transaction.timeout.ms": 60000, "linger.ms": 5})
producer.init_transactions(120)


def transaction(values, commit):
    producer.begin_transaction()
    for value in values:
        producer.produce(topic, value=value.encode(), partition=0)
    producer.flush(60)
    if commit:
        producer.commit_transaction(120)
    else:
        producer.abort_transaction(120)


transaction([f"committed-{n}" for n in range(5)], True)
transaction([f"aborted-{n}" for n in range(3)], False)
transaction([f"committed-{n}" for n in range(5, 7)], True)
print("done", flush=True)
