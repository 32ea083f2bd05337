#!/usr/bin/env python3
"""Consumer groups through confluent-kafka (librdkafka), against a real broker.

Usage:
  group_consumer.py consume BOOTSTRAP TOPIC GROUP COUNT
      One member subscribes, reads COUNT records (from the committed offsets, or the beginning
      for a new group), commits synchronously after each record, leaves, and prints one JSON
      line: {"records": [[partition, offset, value], ...], "committed": {partition: offset}}.
  group_consumer.py consume-kafka-python BOOTSTRAP TOPIC GROUP COUNT
  group_consumer.py consume-aiokafka BOOTSTRAP TOPIC GROUP COUNT
      The same with kafka-python and aiokafka (their own group protocol implementations).
  group_consumer.py members BOOTSTRAP TOPIC GROUP MEMBERS PARTITIONS [STRATEGY]
      MEMBERS members subscribe; once every partition is owned by exactly one of them, prints
      {"assignment": [[partitions of member 0], ...]}; then member 0 leaves, and once the others
      own every partition again prints {"after_leave": [[...], ...]}.
  group_consumer.py static BOOTSTRAP TOPIC GROUP PARTITIONS
      Two static members (group.instance.id a and b) settle; a closes (a static member sends no
      LeaveGroup) and a new incarnation of a joins within the session timeout; prints
      {"before": [...], "after": [...], "b_assignments": N}, N counting b's assignment callbacks.
  group_consumer.py members-consume BOOTSTRAP TOPIC GROUP MEMBERS PARTITIONS TOTAL
      MEMBERS members (eager `range`) consume TOTAL records already in the topic, each committing
      synchronously after every record; member 0 closes after its 20th record; the others go on
      until TOTAL records are consumed, then poll until 3 s pass without a record (a duplicate
      would show then). Prints {"records": [[member, partition, offset, value], ...],
      "commit_errors": [...]}.
  group_consumer.py cooperative BOOTSTRAP TOPIC GROUP PARTITIONS
      Two `cooperative-sticky` members settle, then a third joins; every on_assign/on_revoke is
      recorded (incremental: only the partitions added or taken away). Prints {"before": [[..],
      [..]], "after": [[..], [..], [..]], "revoked_after_join": [[..], [..]],
      "assigned_after_join": [[..], [..], [..]]}.
  group_consumer.py offset-reset BOOTSTRAP TOPIC GROUP RESET COUNT
      A new group with auto.offset.reset=RESET subscribes and waits until every assigned
      partition is being fetched (librdkafka's statistics: fetch_state "active"); then COUNT records "after-<i>" are produced, and it reads until it has
      COUNT of them, then until 3 s pass without a record. Prints {"records": [[p, o, v], ...]}.
Exits non-zero with a message on stderr when the group does not settle within the time limits.
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, TopicPartition

BASE = {"session.timeout.ms": 6000, "heartbeat.interval.ms": 500, "auto.offset.reset": "earliest",
        "enable.auto.commit": False, "topic.metadata.refresh.interval.ms": 1000}


def consume(bootstrap, topic, group, count):
    consumer = Consumer(dict(BASE, **{"bootstrap.servers": bootstrap, "group.id": group}))
    consumer.subscribe([topic])
    records = []
    deadline = time.time() + 90
    while len(records) < count:
        if time.time() > deadline:
            sys.exit(f"consumed {len(records)} of {count} records before the deadline")
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            if msg.error().fatal():
                sys.exit(f"consume failed: {msg.error()}")
            continue  # a broker went away, a transient error: librdkafka recovers by itself
        records.append([msg.partition(), msg.offset(), msg.value().decode()])
        consumer.commit(message=msg, asynchronous=False)
    assigned = consumer.assignment()
    committed = consumer.committed(assigned, timeout=20)
    consumer.close()
    print(json.dumps({"records": records, "committed": {str(tp.partition): tp.offset for tp in committed}}))


def consume_kafka_python(bootstrap, topic, group, count):
    from kafka import KafkaConsumer, OffsetAndMetadata, TopicPartition as KTopicPartition
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                             auto_offset_reset="earliest", session_timeout_ms=6000, heartbeat_interval_ms=500)
    records = []
    deadline = time.time() + 90
    while len(records) < count:
        if time.time() > deadline:
            sys.exit(f"kafka-python consumed {len(records)} of {count} records before the deadline")
        for tp, messages in consumer.poll(timeout_ms=500).items():
            for msg in messages:
                records.append([msg.partition, msg.offset, msg.value.decode()])
                consumer.commit({KTopicPartition(msg.topic, msg.partition): OffsetAndMetadata(msg.offset + 1, "", -1)})
    committed = {str(tp.partition): consumer.committed(tp) for tp in consumer.assignment()}
    consumer.close()
    print(json.dumps({"records": records, "committed": committed}))


def consume_aiokafka(bootstrap, topic, group, count):
    import asyncio
    from aiokafka import AIOKafkaConsumer

    async def run():
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                                    auto_offset_reset="earliest", session_timeout_ms=6000, heartbeat_interval_ms=500)
        await consumer.start()
        records = []
        try:
            async def read():
                async for msg in consumer:
                    records.append([msg.partition, msg.offset, msg.value.decode()])
                    await consumer.commit()
                    if len(records) >= count:
                        return
            await asyncio.wait_for(read(), 90)
            committed = {str(tp.partition): await consumer.committed(tp) for tp in consumer.assignment()}
        finally:
            await consumer.stop()
        return records, committed

    records, committed = asyncio.run(run())
    print(json.dumps({"records": records, "committed": committed}))


def settle(consumers, partitions, what, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for consumer in consumers:
            msg = consumer.poll(0.05)
            if msg is not None and msg.error() and msg.error().fatal():
                sys.exit(f"{what}: {msg.error()}")
        owned = [sorted(tp.partition for tp in c.assignment()) for c in consumers]
        flat = [p for ps in owned for p in ps]
        if sorted(flat) == list(range(partitions)) and all(owned):
            return owned
    sys.exit(f"{what}: the group did not settle: {[[tp.partition for tp in c.assignment()] for c in consumers]}")


def members(bootstrap, topic, group, count, partitions, strategy="range"):
    consumers = []
    for i in range(count):
        consumer = Consumer(dict(BASE, **{"bootstrap.servers": bootstrap, "group.id": group, "client.id": f"member-{i}",
                                          "partition.assignment.strategy": strategy}))
        consumer.subscribe([topic])
        consumers.append(consumer)
    print(json.dumps({"assignment": settle(consumers, partitions, "first rebalance")}), flush=True)
    consumers[0].close()
    print(json.dumps({"after_leave": settle(consumers[1:], partitions, "after a member left")}), flush=True)
    for consumer in consumers[1:]:
        consumer.close()


def static(bootstrap, topic, group, partitions):
    def member(instance, on_assign=None):
        consumer = Consumer(dict(BASE, **{"bootstrap.servers": bootstrap, "group.id": group, "client.id": instance,
                                          "group.instance.id": instance, "session.timeout.ms": 20000}))
        if on_assign:
            consumer.subscribe([topic], on_assign=on_assign)
        else:
            consumer.subscribe([topic])
        return consumer
    b_assignments = []
    a = member("a")
    b = member("b", on_assign=lambda c, parts: b_assignments.append(sorted(p.partition for p in parts)))
    before = settle([a, b], partitions, "first rebalance")
    a.close()
    a2 = member("a")
    after = settle([a2, b], partitions, "after a restarted")
    for _ in range(20):  # a few more polls: a rebalance, had one started, would reach b now
        b.poll(0.1)
        a2.poll(0.1)
    print(json.dumps({"before": before, "after": after, "b_assignments": len(b_assignments)}), flush=True)
    a2.close()
    b.close()


def poll_idle(consumers, on_message, idle=3.0, limit=30):
    """Polls every consumer round-robin until `idle` seconds pass without a record (at most
    `limit` seconds)."""
    last = time.time()
    deadline = last + limit
    while time.time() - last < idle and time.time() < deadline:
        for index, consumer in enumerate(consumers):
            msg = consumer.poll(0.05)
            if msg is not None and not msg.error():
                on_message(index, consumer, msg)
                last = time.time()


def members_consume(bootstrap, topic, group, count, partitions, total):
    consumers = []
    for i in range(count):
        consumer = Consumer(dict(BASE, **{"bootstrap.servers": bootstrap, "group.id": group, "client.id": f"member-{i}"}))
        consumer.subscribe([topic])
        consumers.append(consumer)
    records = []
    commit_errors = []
    live = list(range(count))

    def process(index, consumer, msg):
        records.append([index, msg.partition(), msg.offset(), msg.value().decode()])
        try:
            consumer.commit(message=msg, asynchronous=False)
        except KafkaException as error:
            commit_errors.append(f"member {index}: {error}")

    deadline = time.time() + 120
    while len(records) < total:
        if time.time() > deadline:
            sys.exit(f"consumed {len(records)} of {total} records before the deadline")
        for index in list(live):
            msg = consumers[index].poll(0.05)
            if msg is None:
                continue
            if msg.error():
                if msg.error().fatal():
                    sys.exit(f"consume failed: {msg.error()}")
                continue
            process(index, consumers[index], msg)
            if index == 0 and 0 in live and sum(1 for r in records if r[0] == 0) >= 20:
                consumers[0].close()
                live.remove(0)
    remaining = [consumers[i] for i in live]
    poll_idle(remaining, lambda i, c, m: process(live[i], c, m))
    for consumer in remaining:
        consumer.close()
    print(json.dumps({"records": records, "commit_errors": commit_errors}), flush=True)


def cooperative(bootstrap, topic, group, partitions):
    events = [[], [], []]

    def member(index):
        consumer = Consumer(dict(BASE, **{"bootstrap.servers": bootstrap, "group.id": group, "client.id": f"coop-{index}",
                                          "partition.assignment.strategy": "cooperative-sticky"}))
        consumer.subscribe(
            [topic],
            on_assign=lambda c, parts: events[index].append(("assign", sorted(p.partition for p in parts))),
            on_revoke=lambda c, parts: events[index].append(("revoke", sorted(p.partition for p in parts))))
        return consumer

    first = [member(0), member(1)]
    before = settle(first, partitions, "two members")
    marks = [len(events[0]), len(events[1])]
    third = member(2)
    after = settle(first + [third], partitions, "after a third member joined")
    for _ in range(20):  # a few more polls: a further rebalance, had one started, would show now
        for consumer in first + [third]:
            consumer.poll(0.05)
    after = [sorted(tp.partition for tp in c.assignment()) for c in first + [third]]
    since = [events[0][marks[0]:], events[1][marks[1]:], events[2]]
    print(json.dumps({
        "before": before, "after": after,
        "revoked_after_join": [sorted(p for kind, ps in e if kind == "revoke" for p in ps) for e in since[:2]],
        "assigned_after_join": [sorted(p for kind, ps in e if kind == "assign" for p in ps) for e in since]}),
        flush=True)
    for consumer in first + [third]:
        consumer.close()


def offset_reset(bootstrap, topic, group, reset, count):
    from confluent_kafka import Producer
    stats = {}

    def on_stats(text):
        stats["last"] = json.loads(text)

    # librdkafka's statistics show each partition's fetch state: "active" once its start offset is
    # known (for a new group, once the reset's ListOffsets is answered). position() would not
    # tell: it moves only when a record is consumed.
    consumer = Consumer(dict(BASE, **{"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": reset,
                                      "statistics.interval.ms": 200, "stats_cb": on_stats}))
    consumer.subscribe([topic])
    records = []
    deadline = time.time() + 90

    def fetching(assigned):
        partitions = stats.get("last", {}).get("topics", {}).get(topic, {}).get("partitions", {})
        return all(partitions.get(str(tp.partition), {}).get("fetch_state") == "active" for tp in assigned)

    while True:  # until assigned and every partition's start offset is resolved
        if time.time() > deadline:
            sys.exit(f"fetch positions not known before the deadline: {consumer.assignment()}, {stats.get('last', {}).get('topics')}")
        msg = consumer.poll(0.1)
        if msg is not None and not msg.error():
            records.append([msg.partition(), msg.offset(), msg.value().decode()])
        assigned = consumer.assignment()
        if assigned and fetching(assigned):
            break
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 0})
    for i in range(count):
        producer.produce(topic, f"after-{i}".encode())
    if producer.flush(60) != 0:
        sys.exit("the records after subscribing were not all acknowledged")
    while sum(1 for r in records if r[2].startswith("after-")) < count:
        if time.time() > deadline:
            sys.exit(f"consumed {len(records)} records before the deadline")
        msg = consumer.poll(0.1)
        if msg is not None and not msg.error():
            records.append([msg.partition(), msg.offset(), msg.value().decode()])
    poll_idle([consumer], lambda i, c, m: records.append([m.partition(), m.offset(), m.value().decode()]))
    consumer.close()
    print(json.dumps({"records": records}), flush=True)


if __name__ == "__main__":
    try:
        if sys.argv[1] == "consume":
            consume(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        elif sys.argv[1] == "consume-kafka-python":
            consume_kafka_python(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        elif sys.argv[1] == "consume-aiokafka":
            consume_aiokafka(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        elif sys.argv[1] == "members-consume":
            members_consume(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]))
        elif sys.argv[1] == "cooperative":
            cooperative(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        elif sys.argv[1] == "offset-reset":
            offset_reset(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]))
        elif sys.argv[1] == "static":
            static(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        else:
            members(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), *sys.argv[7:8])
    except KafkaException as error:
        sys.exit(f"confluent-kafka failed: {error}")
