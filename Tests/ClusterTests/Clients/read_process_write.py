#!/usr/bin/env python3
"""A transactional read-process-write loop (confluent-kafka), as exactly-once stream processing
does it: a plain producer first writes in-0..in-29 to partition 0 of INPUT; then a
read_committed consumer of group GROUP reads them and a transactional producer writes
"out-<value>" to partition 0 of OUTPUT for each, with the consumed position sent to the
transaction (send_offsets_to_transaction) and committed with it:

  T1: in-0..9    committed   (group offset 10)
  T2: in-10..14  ABORTED     (its output "aborted-in-10".."aborted-in-14"; offset 15 never counts);
                 the consumer goes back to the committed offset, 10
  T3: in-10..19  committed   (group offset 20)
  T4: in-20..29  committed   (group offset 30)

A second consumer of GROUP (assigned nothing, it only asks committed()) reports the group's
committed offset of INPUT-0 at these points, one line each:
  "pending T<n> <offset>"  inside transaction n, after its offsets were sent and its records
                            flushed: the transaction's offsets must not show yet; for T3 this is
                            also after the abort of T2 has completed (T3's records could not be
                            added to the transaction before), so T2's offset would show here;
  "after T<n> <offset>"     once the committed offset reached what transaction n sent (waited
                            for, up to 60 s: the markers are written after commit returns), or
                            after the abort of T2 returned.
Prints "done" at the end.

Usage: read_process_write.py BOOTSTRAP INPUT OUTPUT GROUP TRANSACTIONAL_ID
"""
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition

bootstrap, input_topic, output_topic, group, transactional_id = sys.argv[1:6]

feeder = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
for n in range(30):
    feeder.produce(input_topic, value=f"in-{n}".encode(), partition=0)
if feeder.flush(60) != 0:
    sys.exit("the input was not written")

consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "isolation.level": "read_committed",
                     "enable.auto.commit": False, "auto.offset.reset": "earliest"})
checker = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": transactional_id,
                     "transaction.timeout.ms": 60000, "linger.ms": 5})
producer.init_transactions(120)


def committed():
    return checker.committed([TopicPartition(input_topic, 0)], 30)[0].offset


def consume(count):
    """The next COUNT records of INPUT-0, and the position after them."""
    records = []
    deadline = time.time() + 60
    while len(records) < count:
        if time.time() > deadline:
            sys.exit(f"only {len(records)} of {count} input records arrived")
        message = consumer.poll(0.5)
        if message is None:
            continue
        if message.error():
            print(f"consumer error: {message.error()}", file=sys.stderr)
            continue
        records.append(message)
    return records, records[-1].offset() + 1


def transaction(name, count, prefix, commit):
    records, position = consume(count)
    producer.begin_transaction()
    for record in records:
        producer.produce(output_topic, value=f"{prefix}{record.value().decode()}".encode(), partition=0)
    producer.flush(60)
    producer.send_offsets_to_transaction([TopicPartition(input_topic, 0, position)],
                                         consumer.consumer_group_metadata(), 60)
    print(f"pending {name} {committed()}", flush=True)
    if commit:
        producer.commit_transaction(120)
        deadline = time.time() + 60
        offset = committed()
        while offset != position and time.time() < deadline:
            time.sleep(0.2)
            offset = committed()
        print(f"after {name} {offset}", flush=True)
    else:
        producer.abort_transaction(120)
        print(f"after {name} {committed()}", flush=True)


consumer.assign([TopicPartition(input_topic, 0, 0)])
transaction("T1", 10, "out-", True)
transaction("T2", 5, "aborted-", False)
consumer.assign([TopicPartition(input_topic, 0, 10)])
transaction("T3", 10, "out-", True)
transaction("T4", 10, "out-", True)
consumer.close()
checker.close()
print("done", flush=True)
