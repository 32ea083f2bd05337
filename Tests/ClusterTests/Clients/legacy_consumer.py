#!/usr/bin/env python3
"""Read a partition from the beginning with kafka-python pinned to an old broker version, as a
client that cannot read RecordBatch v2 does, and print one JSON line per record:
{"offset", "key", "value", "timestamp"}, then one line {"fetch_versions": [...]} with the Fetch
versions the client sent.

Usage: legacy_consumer.py BOOTSTRAP TOPIC BROKER_VERSION [EXPECTED]   (version like 0.10.0 or 0.9)
With EXPECTED it stops after that many records instead of waiting for the consumer timeout.
Exits non-zero with a message on stderr when the client fails.
"""
import json
import logging
import re
import sys

from kafka import KafkaConsumer, TopicPartition


class FetchVersions(logging.Handler):
    """Collects the versions of the Fetch requests the client logs as it sends them."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.versions = set()

    def emit(self, record):
        match = re.search(r"\bFetchRequest(?:_v|\(version=)(\d+)", record.getMessage())
        if match:
            self.versions.add(int(match.group(1)))


def main():
    bootstrap, topic, broker_version = sys.argv[1:4]
    expected = int(sys.argv[4]) if len(sys.argv) > 4 else None
    versions = FetchVersions()
    for name in ("kafka.protocol.parser", "kafka.conn", "kafka.net.connection"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(versions)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                             api_version=tuple(int(part) for part in broker_version.split(".")),
                             consumer_timeout_ms=10000 if expected else 5000, check_crcs=True)
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    records = []
    for message in consumer:
        records.append(message)
        if expected is not None and len(records) >= expected:
            break
    consumer.close()
    for m in records:
        print(json.dumps({"offset": m.offset, "key": m.key.decode() if m.key is not None else None,
                          "value": m.value.decode() if m.value is not None else None, "timestamp": m.timestamp}))
    print(json.dumps({"fetch_versions": sorted(versions.versions)}))


if __name__ == "__main__":
    main()
