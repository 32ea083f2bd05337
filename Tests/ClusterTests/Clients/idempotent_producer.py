#!/usr/bin/env python3
"""Produces COUNT numbered records ("n-<i>") to partition 0 of TOPIC with enable.idempotence=true
(acks=all, retries without limit, 5 in flight, produce requests timing out after 1.5 s), at most RATE records a second, and writes the
number acknowledged so far to PROGRESS_FILE as it goes. Exits 0 when every record was
acknowledged, 1 otherwise (with the errors on stderr).

Usage: idempotent_producer.py BOOTSTRAP TOPIC COUNT RATE PROGRESS_FILE
"""
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, count, rate, progress_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
                     "linger.ms": 5, "message.timeout.ms": 180000, "retry.backoff.ms": 200,
                     "request.timeout.ms": 1500,
                     "max.in.flight.requests.per.connection": 5})
acked = 0
errors = []


def delivered(err, msg):
    global acked
    if err is None:
        acked += 1
    else:
        errors.append(str(err))


def report():
    with open(progress_path + ".tmp", "w") as out:
        out.write(f"{acked}\n")
    import os
    os.replace(progress_path + ".tmp", progress_path)


start = time.time()
for number in range(count):
    while True:
        try:
            producer.produce(topic, value=f"n-{number}".encode(), partition=0, on_delivery=delivered)
            break
        except BufferError:
            producer.poll(0.05)
    if number % 50 == 0:
        producer.poll(0)
        report()
        # Pace the sends so that the run spans the leader's death and return.
        ahead = start + number / rate - time.time()
        if ahead > 0:
            time.sleep(ahead)
remaining = producer.flush(240)
report()
if errors or remaining:
    print(f"acked {acked}, failed {len(errors)}, unsent {remaining}: {errors[:5]}", file=sys.stderr)
    sys.exit(1)
print(f"acked {acked}")
