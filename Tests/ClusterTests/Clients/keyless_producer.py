#!/usr/bin/env python3
"""Sends one record without a key, then one with a key, to partition 0 of TOPIC, one at a time,
with no retries (CORRUPT_MESSAGE is retriable: a producer left to retry would resend the refused
batch until its delivery timeout). Prints one JSON line per record: its key, the delivery error's
code and name (null when delivered; librdkafka calls the broker's CORRUPT_MESSAGE, code 2,
INVALID_MSG) and the offset the broker gave it.

Usage: keyless_producer.py BOOTSTRAP TOPIC
"""
import json
import sys

from confluent_kafka import Producer

bootstrap, topic = sys.argv[1:3]
producer = Producer({"bootstrap.servers": bootstrap, "acks": "1", "linger.ms": 0, "retries": 0,
                     "message.timeout.ms": 30000, "enable.idempotence": False})

for key in [None, b"k1"]:
    outcome = {}

    def delivered(err, msg, outcome=outcome):
        outcome["code"] = err.code() if err is not None else None
        outcome["error"] = err.name() if err is not None else None
        outcome["offset"] = msg.offset() if err is None else -1

    producer.produce(topic, key=key, value=b"value", partition=0, on_delivery=delivered)
    producer.flush(60)
    print(json.dumps({"key": key.decode() if key else None, **outcome}), flush=True)
