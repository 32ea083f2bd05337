#!/usr/bin/env python3
"""Consume with kafka-python (which uses KIP-227 fetch sessions) while a producer keeps adding
records to several partitions, and report what the consumer's fetch session looked like.

Usage: fetch_session_consumer.py BOOTSTRAP TOPIC PARTITIONS ROUNDS
Prints one JSON object: {"expected", "received", "session_id", "epoch", "session_problems"}.
Exits non-zero with a message on stderr when the client fails.
"""
import json
import logging
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic


class ProblemCounter(logging.Handler):
    """Counts the fetcher's complaints about sessions (errors, invalid responses)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.problems = []

    def emit(self, record):
        text = record.getMessage()
        if "unable to process the fetch request" in text or "invalid" in text:
            self.problems.append(text)


def main():
    bootstrap, topic, partitions, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    counter = ProblemCounter()
    fetcher_log = logging.getLogger("kafka.consumer.fetcher")
    fetcher_log.setLevel(logging.DEBUG)
    fetcher_log.addHandler(counter)

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="fx-session-admin")
    admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    admin.close()

    producer = KafkaProducer(bootstrap_servers=bootstrap, acks=1, linger_ms=5)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="fx-session-consumer",
                             fetch_max_wait_ms=100, enable_auto_commit=False)
    tps = [TopicPartition(topic, p) for p in range(partitions)]
    deadline = time.time() + 60
    while True:
        try:
            consumer.assign(tps)
            consumer.seek_to_beginning(*tps)
            break
        except Exception:
            if time.time() > deadline:
                raise
            time.sleep(0.2)

    received = set()
    expected = 0
    for round_ in range(rounds):
        # Only some partitions get records each round, so the others stay unchanged.
        for p in range(partitions):
            if (round_ + p) % 2 == 0:
                for i in range(5):
                    producer.send(topic, key=f"{p}-{round_}-{i}".encode(), value=b"v", partition=p)
                    expected += 1
        producer.flush(30)
        round_deadline = time.time() + 30
        while len(received) < expected:
            if time.time() > round_deadline:
                sys.exit(f"round {round_}: received {len(received)} of {expected}")
            for tp, messages in consumer.poll(timeout_ms=200).items():
                for message in messages:
                    received.add((tp.partition, message.offset))

    handlers = list(consumer._fetcher._session_handlers.values())
    metadata = handlers[0].next_metadata if handlers else None
    print(json.dumps({
        "expected": expected,
        "received": len(received),
        "session_id": metadata.session_id if metadata else 0,
        "epoch": metadata.epoch if metadata else -1,
        "session_problems": counter.problems,
    }))
    consumer.close()
    producer.close()


if __name__ == "__main__":
    main()
