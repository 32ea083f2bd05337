#!/usr/bin/env python3
"""Produce keyed records with kafka-python pinned to an old broker version, so it sends the old
Produce versions with magic 0 (0.8.x/0.9) or magic 1 (0.10.x) message sets, uncompressed and
gzip-compressed; print one line per record: "offset key value".

Usage: legacy_producer.py BOOTSTRAP TOPIC BROKER_VERSION
Exits non-zero with a message on stderr when the client fails.
"""
import sys

from kafka import KafkaProducer


def main():
    bootstrap, topic, broker_version = sys.argv[1:4]
    version = tuple(int(part) for part in broker_version.split("."))
    for codec in (None, "gzip"):
        producer = KafkaProducer(bootstrap_servers=bootstrap, api_version=version, acks=1, linger_ms=20,
                                 compression_type=codec)
        futures = [(f"k{i}", f"{codec or 'none'}-v{i}", producer.send(topic, key=f"k{i}".encode(),
                                                                         value=f"{codec or 'none'}-v{i}".encode(),
                                                                         partition=0))
                   for i in range(1, 4)]
        for key, value, future in futures:
            metadata = future.get(timeout=30)
            print(f"{metadata.offset} {key} {value}")
        producer.close()


if __name__ == "__main__":
    main()
