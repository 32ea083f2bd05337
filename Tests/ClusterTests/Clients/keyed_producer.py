#!/usr/bin/env python3
"""Produces COUNT records with acks=all over KEYS keys (key k<n % KEYS>, value v<n>) to partition
0 of TOPIC, then, after PAUSE seconds (past the topic's segment.ms, so the partition rolls), one
record with key "end", and writes "offset key value" to ACKED_FILE for every acknowledged record.

Usage: keyed_producer.py BOOTSTRAP TOPIC ACKED_FILE COUNT KEYS PAUSE
"""
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, acked_path, count, keys, pause = sys.argv[1:7]
count, keys, pause = int(count), int(keys), float(pause)
acked = open(acked_path, "w", buffering=1)
failures = []
producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5, "batch.size": 4096,
                     "enable.idempotence": False, "max.in.flight.requests.per.connection": 1})


def delivered(err, msg):
    if err is None:
        acked.write(f"{msg.offset()} {msg.key().decode()} {msg.value().decode()}\n")
    else:
        failures.append(str(err))


for number in range(count):
    while True:
        try:
            producer.produce(topic, key=f"k{number % keys}".encode(), value=f"v{number}".encode(), partition=0,
                             on_delivery=delivered)
            break
        except BufferError:
            producer.poll(0.01)
    producer.poll(0)
if producer.flush(60) != 0:
    sys.exit("records left unsent")
time.sleep(pause)
producer.produce(topic, key=b"end", value=b"end", partition=0, on_delivery=delivered)
if producer.flush(60) != 0:
    sys.exit("the last record was not sent")
if failures:
    sys.exit(f"delivery failures: {failures[:5]}")
