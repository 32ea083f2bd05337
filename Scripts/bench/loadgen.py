#!/usr/bin/env python3
"""librdkafka-based load (through confluent-kafka) for Scripts/bench.sh.

  loadgen.py produce BOOTSTRAP TOPIC COUNT SIZE ACKS [RATE]   -> JSON: msgs/s, MB/s, latency p50/p99/max (ms)
  loadgen.py consume BOOTSTRAP TOPIC COUNT                    -> JSON: msgs/s, MB/s

Latency is the time from produce() to the delivery report. RATE (messages per second) spaces the
sends; LOADGEN_IDEMPOTENT=1 makes the producer idempotent (acks=all);
LOADGEN_MAX_IN_FLIGHT=N caps the requests in flight per connection (idempotence caps them at 5); without it the producer sends as fast as librdkafka batches.
LOADGEN_READY_FIRST=1 delivers one record before the clock starts, so that the figures leave out
the client's start-up (connections, and for an idempotent producer its InitProducerId, which
librdkafka asks for only on a 500 ms timer when no connection is up yet).
LOADGEN_DEBUG=contexts sets librdkafka's `debug` (its log goes to stderr).
"""
import json
import os
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, int(round(p / 100.0 * (len(sorted_values) - 1))))
    return sorted_values[index]


def produce(bootstrap, topic, count, size, acks, rate=None):
    config = {"bootstrap.servers": bootstrap, "acks": acks, "linger.ms": 0 if rate else 5,
              "batch.num.messages": 10000, "queue.buffering.max.messages": 1000000,
              "queue.buffering.max.kbytes": 2097151, "compression.type": "none"}
    if os.environ.get("LOADGEN_MAX_IN_FLIGHT"):
        config["max.in.flight.requests.per.connection"] = int(os.environ["LOADGEN_MAX_IN_FLIGHT"])
    if os.environ.get("LOADGEN_IDEMPOTENT") == "1":
        # An idempotent producer (InitProducerId, sequence numbers checked by the leader).
        config.update({"enable.idempotence": True, "acks": "all"})
    if os.environ.get("LOADGEN_DEBUG"):
        config["debug"] = os.environ["LOADGEN_DEBUG"]
    producer = Producer(config)
    payload = b"x" * size
    latencies = []
    errors = []
    if os.environ.get("LOADGEN_READY_FIRST") == "1":
        producer.produce(topic, value=payload, partition=0)
        if producer.flush(60) != 0:
            raise SystemExit("the first record was not delivered within 60 s")

    def delivered(err, msg, sent=None):
        if err:
            errors.append(err)

    start = time.perf_counter()
    for i in range(count):
        if rate:
            target = start + i / rate
            while time.perf_counter() < target:
                producer.poll(0)
        sent = time.perf_counter()
        while True:
            try:
                producer.produce(topic, value=payload, partition=0,
                                 on_delivery=lambda err, msg, sent=sent: (errors.append(err) if err else latencies.append(time.perf_counter() - sent)))
                break
            except BufferError:
                producer.poll(0.001)
        producer.poll(0)
    producer.flush(120)
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {"mode": "produce", "acks": acks, "size": size, "count": count, "errors": len(errors),
            "seconds": round(elapsed, 3), "msgs_per_s": round(count / elapsed), "mb_per_s": round(count * size / elapsed / 1e6, 1),
            "latency_ms": {"p50": round(percentile(latencies, 50) * 1000, 3), "p99": round(percentile(latencies, 99) * 1000, 3),
                           "max": round(latencies[-1] * 1000, 3) if latencies else 0}}


def consume(bootstrap, topic, count):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench", "enable.auto.commit": False,
                         "fetch.max.bytes": 52428800, "max.partition.fetch.bytes": 10485760})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    received = 0
    total_bytes = 0
    start = time.perf_counter()
    while received < count:
        messages = consumer.consume(10000, 10)
        if not messages:
            break
        for message in messages:
            if message.error():
                continue
            received += 1
            total_bytes += len(message.value())
    elapsed = time.perf_counter() - start
    consumer.close()
    return {"mode": "consume", "count": received, "seconds": round(elapsed, 3),
            "msgs_per_s": round(received / elapsed), "mb_per_s": round(total_bytes / elapsed / 1e6, 1)}


if __name__ == "__main__":
    mode, bootstrap, topic = sys.argv[1:4]
    if mode == "produce":
        rate = float(sys.argv[7]) if len(sys.argv) > 7 else None
        print(json.dumps(produce(bootstrap, topic, int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], rate)))
    else:
        print(json.dumps(consume(bootstrap, topic, int(sys.argv[4]))))
