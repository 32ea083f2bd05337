#!/usr/bin/env python3
"""Produces numbered records to partition 0 and consumes them back, in one process, until
STOP_FILE exists; then flushes, reads until every acknowledged record has come back (or 60 s
pass), and prints one JSON line: produced (acknowledged), consumed (distinct), missing (acked but
not consumed), failed (delivery errors) and disconnects (transport errors the client saw).
Writes READY_FILE once the first record has come back.

Usage: steady_client.py BOOTSTRAP TOPIC NAME READY_FILE STOP_FILE
"""
import json
import os
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition, OFFSET_BEGINNING

bootstrap, topic, name, ready_path, stop_path = sys.argv[1:6]
disconnects = 0


def on_error(err):
    global disconnects
    if err.code() in (KafkaError._TRANSPORT, KafkaError._ALL_BROKERS_DOWN):
        disconnects += 1


# Idempotent: a connection the broker closes (a network processor removed at run time) makes the
# client resend what was in flight, and only the producer state keeps those retries from being
# written twice.
producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5, "enable.idempotence": True,
                     "message.timeout.ms": 60000, "error_cb": on_error})
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"steady-{name}", "enable.auto.commit": False,
                     "error_cb": on_error})
consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
acked, failed, consumed = set(), [], set()


def delivered(err, msg):
    if err is None:
        acked.add(msg.value().decode())
    else:
        failed.append(str(err))


def consume(timeout):
    msg = consumer.poll(timeout)
    if msg is not None and not msg.error():
        value = msg.value().decode()
        if value.startswith(f"{name}-"):
            consumed.add(value)


number = 0
ready = False
while not os.path.exists(stop_path):
    producer.produce(topic, value=f"{name}-{number}".encode(), partition=0, on_delivery=delivered)
    number += 1
    producer.poll(0)
    consume(0.02)
    if not ready and consumed:
        open(ready_path, "w").close()
        ready = True
producer.flush(60)
deadline = time.time() + 60
while not acked <= consumed and time.time() < deadline:
    consume(0.5)
consumer.close()
print(json.dumps({"produced": len(acked), "consumed": len(consumed), "missing": len(acked - consumed),
                  "failed": len(failed), "disconnects": disconnects}))
