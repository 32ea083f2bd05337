#!/usr/bin/env python3
"""Reads partition 0 of TOPIC from the beginning at ISOLATION (read_committed or
read_uncommitted) until it has EXPECTED records and then to the end of the partition (so a record
that should not be there shows up), or until 60 s pass. Prints each value on its own line.

Usage: isolation_consumer.py BOOTSTRAP TOPIC ISOLATION EXPECTED
"""
import sys
import time

from confluent_kafka import Consumer, KafkaError, TopicPartition

bootstrap, topic, isolation, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"isolation-{isolation}-{time.time()}",
                     "isolation.level": isolation, "enable.auto.commit": False, "enable.partition.eof": True,
                     "auto.offset.reset": "earliest"})
consumer.assign([TopicPartition(topic, 0, 0)])
values = []
deadline = time.time() + 60
while time.time() < deadline:
    message = consumer.poll(0.5)
    if message is None:
        continue
    if message.error():
        if message.error().code() == KafkaError._PARTITION_EOF:
            if len(values) >= expected:
                break
            continue
        print(f"error: {message.error()}", file=sys.stderr)
        continue
    values.append(message.value().decode())
consumer.close()
for value in values:
    print(value)
