#!/usr/bin/env python3
"""Keyed load and the log cleaner's figures, for Scripts/bench-cleaner.sh.

  cleaner.py produce BOOTSTRAP TOPIC COUNT SIZE KEYS  -> JSON: msgs/s, MB/s, errors (acks=1, keys
                                                         key-000000 … round robin over KEYS)
  cleaner.py summary BROKER_LOG TOPIC-PARTITION       -> JSON: the cleaner's runs on that log, from
                                                         its per-run summaries (Kafka's "Log cleaner
                                                         thread N cleaned log …" text): MB read and
                                                         written, seconds, MB/s read and written
  cleaner.py checkpoint FILE TOPIC PARTITION          -> the partition's offset in a
                                                         cleaner-offset-checkpoint file (-1 if absent)

MB in the summaries are Kafka's: 2^20 bytes, one decimal; the rates here are recomputed from the
sums over every run, so several runs add up.
"""
import json
import re
import sys
import time

SUMMARY = re.compile(
    r"Log cleaner thread (\d+) cleaned log (\S+) \(dirty section = \[(-?\d+), (-?\d+)\]\)\s*"
    r"([\d,]+\.\d) MB of log processed in ([\d,]+\.\d) seconds \(([\d,]+\.\d|Infinity|NaN) MB/sec\)\.(.*?)"
    r"Start size: ([\d,]+\.\d) MB \(([\d,]+) messages\)\s*"
    r"End size: ([\d,]+\.\d) MB \(([\d,]+) messages\)", re.S)


def number(text):
    return float(text.replace(",", ""))


def produce(bootstrap, topic, count, size, keys):
    from confluent_kafka import Producer
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "1", "linger.ms": 5,
                         "batch.num.messages": 10000, "queue.buffering.max.messages": 1000000,
                         "queue.buffering.max.kbytes": 2097151, "compression.type": "none"})
    payload = b"x" * size
    errors = []

    def delivered(err, msg):
        if err:
            errors.append(err)

    start = time.perf_counter()
    for i in range(count):
        key = b"key-%06d" % (i % keys)
        while True:
            try:
                producer.produce(topic, key=key, value=payload, partition=0, on_delivery=delivered)
                break
            except BufferError:
                producer.poll(0.001)
        producer.poll(0)
    producer.flush(300)
    elapsed = time.perf_counter() - start
    return {"mode": "produce", "size": size, "keys": keys, "count": count, "errors": len(errors),
            "first_error": str(errors[0]) if errors else None, "seconds": round(elapsed, 3),
            "msgs_per_s": round(count / elapsed), "mb_per_s": round(count * size / elapsed / 1e6, 1)}


def summary(log_path, log_name):
    text = open(log_path, encoding="utf-8", errors="replace").read()
    runs = [m for m in SUMMARY.finditer(text) if m.group(2) == log_name]
    read_mb = sum(number(m.group(5)) for m in runs)
    seconds = sum(number(m.group(6)) for m in runs)
    written_mb = sum(number(m.group(11)) for m in runs)
    return {"log": log_name, "runs": len(runs), "mb_read": round(read_mb, 1), "mb_written": round(written_mb, 1),
            "messages_read": sum(int(m.group(10).replace(",", "")) for m in runs),
            "messages_written": sum(int(m.group(12).replace(",", "")) for m in runs),
            "seconds": round(seconds, 1),
            "read_mb_per_s": round(read_mb / seconds, 1) if seconds > 0 else None,
            "written_mb_per_s": round(written_mb / seconds, 1) if seconds > 0 else None,
            "per_run_mb_per_s": [m.group(7) for m in runs]}


def checkpoint(path, topic, partition):
    try:
        lines = open(path, encoding="utf-8").read().split("\n")
    except OSError:
        return -1
    for line in lines[2:]:
        fields = line.split(" ")
        if len(fields) == 3 and fields[0] == topic and fields[1] == partition:
            return int(fields[2])
    return -1


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "produce":
        bootstrap, topic, count, size, keys = sys.argv[2:7]
        print(json.dumps(produce(bootstrap, topic, int(count), int(size), int(keys))))
    elif mode == "summary":
        print(json.dumps(summary(sys.argv[2], sys.argv[3])))
    elif mode == "checkpoint":
        print(checkpoint(sys.argv[2], sys.argv[3], sys.argv[4]))
    else:
        sys.exit(f"unknown mode {mode}")
