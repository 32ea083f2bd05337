#!/usr/bin/env python3
"""Produce keyed records with every codec through a real Python client, read them back from the
beginning, and print one JSON line per record: {"offset", "key", "value"}.

Usage: roundtrip.py {confluent|kafka-python|aiokafka} BOOTSTRAP TOPIC
Exits non-zero with a message on stderr when the client fails.
"""
import json
import sys

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]


def records():
    for codec in CODECS:
        for i in range(1, 4):
            yield codec, f"k{i}".encode(), (f"{codec}-v{i} " + "lorem ipsum " * 7).encode()


def with_confluent(bootstrap, topic):
    from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING
    for codec in CODECS:
        producer = Producer({"bootstrap.servers": bootstrap, "compression.type": codec, "acks": "1",
                             "linger.ms": 50, "api.version.request": True})
        errors = []
        for c, key, value in records():
            if c == codec:
                producer.produce(topic, key=key, value=value, partition=0,
                                 on_delivery=lambda err, msg: errors.append(err) if err else None)
        if producer.flush(30) != 0 or errors:
            sys.exit(f"confluent-kafka produce with {codec} failed: {errors}")
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "roundtrip", "enable.auto.commit": False,
                         "enable.partition.eof": True})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    out = []
    while True:
        msg = consumer.poll(10)
        if msg is None:
            sys.exit("confluent-kafka consume timed out")
        if msg.error():
            if msg.error().code() == -191:  # _PARTITION_EOF
                break
            sys.exit(f"confluent-kafka consume failed: {msg.error()}")
        out.append((msg.offset(), msg.key(), msg.value()))
    consumer.close()
    return out


def with_kafka_python(bootstrap, topic):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    for codec in CODECS:
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks=1, linger_ms=50,
                                 compression_type=None if codec == "none" else codec)
        futures = [producer.send(topic, key=key, value=value, partition=0)
                   for c, key, value in records() if c == codec]
        for future in futures:
            future.get(timeout=30)
        producer.close()
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                             consumer_timeout_ms=5000)
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    out = [(m.offset, m.key, m.value) for m in consumer]
    consumer.close()
    return out


def with_aiokafka(bootstrap, topic):
    import asyncio

    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

    async def run():
        for codec in CODECS:
            producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks=1, linger_ms=50,
                                        compression_type=None if codec == "none" else codec)
            await producer.start()
            try:
                futures = [await producer.send(topic, key=key, value=value, partition=0)
                           for c, key, value in records() if c == codec]
                for future in futures:
                    await asyncio.wait_for(future, 30)
            finally:
                await producer.stop()
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                    auto_offset_reset="earliest")
        await consumer.start()
        try:
            tp = TopicPartition(topic, 0)
            consumer.assign([tp])
            await consumer.seek_to_beginning(tp)
            end = (await consumer.end_offsets([tp]))[tp]
            out = []
            while len(out) < end:
                batch = await asyncio.wait_for(consumer.getmany(tp, timeout_ms=1000), 30)
                out.extend((m.offset, m.key, m.value) for m in batch.get(tp, []))
            return out
        finally:
            await consumer.stop()

    return asyncio.run(run())


def main():
    client, bootstrap, topic = sys.argv[1:4]
    clients = {"confluent": with_confluent, "kafka-python": with_kafka_python, "aiokafka": with_aiokafka}
    out = clients[client](bootstrap, topic)
    for offset, key, value in out:
        print(json.dumps({"offset": offset, "key": key.decode(), "value": value.decode()}))


if __name__ == "__main__":
    main()
