#!/usr/bin/env python3
"""Produces numbered records (acks=1) until killed or until the broker is gone for a while, and
appends "offset value" to ACKED_FILE for every record the broker acknowledged, flushed at once.

Usage: acked_producer.py BOOTSTRAP TOPIC ACKED_FILE
"""
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, acked_path = sys.argv[1:4]
acked = open(acked_path, "a", buffering=1)
producer = Producer({"bootstrap.servers": bootstrap, "acks": "1", "linger.ms": 1,
                     "message.timeout.ms": 3000, "retries": 0})


def delivered(err, msg):
    if err is None:
        acked.write(f"{msg.offset()} {msg.value().decode()}\n")


deadline = time.time() + 60
number = 0
while time.time() < deadline:
    try:
        producer.produce(topic, value=f"record-{number}".encode(), partition=0, on_delivery=delivered)
        number += 1
    except BufferError:
        pass
    producer.poll(0.0005)
producer.flush(5)
