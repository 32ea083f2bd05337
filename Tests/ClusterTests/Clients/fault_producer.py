#!/usr/bin/env python3
"""Produces numbered records with acks=all (or ACKS; idempotence off) round-robin over PARTITIONS
partitions until killed or until SECONDS pass, and appends "partition offset value" to ACKED_FILE
for every record the cluster acknowledged, flushed at once. Failed deliveries are counted in
ACKED_FILE.errors (one line each) so a test can tell "refused" from "lost".

Usage: fault_producer.py BOOTSTRAP TOPIC ACKED_FILE PARTITIONS SECONDS [RATE_PER_SECOND [ACKS]]
"""
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, acked_path = sys.argv[1:4]
partitions = int(sys.argv[4])
seconds = float(sys.argv[5])
rate = float(sys.argv[6]) if len(sys.argv) > 6 else 2000.0
acks = sys.argv[7] if len(sys.argv) > 7 else "all"

acked = open(acked_path, "a", buffering=1)
errors = open(acked_path + ".errors", "a", buffering=1)
producer = Producer({
    "bootstrap.servers": bootstrap,
    "acks": acks,
    "enable.idempotence": False,
    "linger.ms": 2,
    "message.timeout.ms": 30000,
    "request.timeout.ms": 10000,
    "retry.backoff.ms": 100,
    "topic.metadata.refresh.interval.ms": 1000,
})


def delivered(err, msg):
    if err is None:
        acked.write(f"{msg.partition()} {msg.offset()} {msg.value().decode()}\n")
    else:
        errors.write(f"{msg.value().decode()} {err}\n")


deadline = time.time() + seconds
number = 0
started = time.time()
while time.time() < deadline:
    due = (time.time() - started) * rate
    while number < due:
        try:
            producer.produce(topic, value=f"record-{number}".encode(), partition=number % partitions,
                             on_delivery=delivered)
            number += 1
        except BufferError:
            break
    producer.poll(0.001)
producer.flush(35)
