#!/usr/bin/env python3
"""Produces records (acks=1, keyless, so spread over the topic's partitions) until STOP_FILE
exists, and keeps PROGRESS_FILE at "acknowledged sent": how many records the brokers acknowledged
and how many were handed to the client so far. Delivery failures (a leader killed under it) are
counted, not fatal. Exits 0 after a final flush.

Usage: metered_producer.py BOOTSTRAP TOPIC PROGRESS_FILE STOP_FILE
"""
import os
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, progress_path, stop_path = sys.argv[1:5]
producer = Producer({"bootstrap.servers": bootstrap, "acks": "1", "linger.ms": 5, "message.timeout.ms": 30000})
acked = 0
sent = 0


def delivered(err, msg):
    global acked
    if err is None:
        acked += 1


def write_progress():
    temporary = progress_path + ".tmp"
    with open(temporary, "w") as progress:
        progress.write(f"{acked} {sent}\n")
    os.replace(temporary, progress_path)


last_written = 0.0
while not os.path.exists(stop_path):
    try:
        producer.produce(topic, value=f"metered-{sent}".encode(), on_delivery=delivered)
        sent += 1
    except BufferError:
        producer.poll(0.05)
    producer.poll(0)
    if sent % 50 == 0:
        time.sleep(0.01)  # a steady stream, not a flood: a few thousand records a second
    if time.time() - last_written > 0.1:
        write_progress()
        last_written = time.time()
producer.flush(30)
write_progress()
