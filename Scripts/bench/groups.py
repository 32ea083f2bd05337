#!/usr/bin/env python3
"""Consumer-group figures (through confluent-kafka, i.e. librdkafka) for Scripts/bench-groups.sh.

  groups.py warmup   BOOTSTRAP TOPIC GROUP                 one member joins and gets an assignment
                                                           (creates __consumer_offsets); not timed
  groups.py join     BOOTSTRAP TOPIC GROUP MEMBERS          -> JSON: seconds from the first subscribe
                                                           to Stable (every member holds its share)
  groups.py commit   BOOTSTRAP TOPIC GROUP COUNT            -> JSON: synchronous OffsetCommit latency
                                                           p50/p99/max (ms), timed one by one
  groups.py failover BOOTSTRAP TOPIC GROUP ID:PID,... RATE BEFORE AFTER
                                                         -> JSON: the longest gap between consumed
                                                           records around a kill -9 of the group
                                                           coordinator's broker, losses, re-reads

Every figure is one JSON object on stdout; progress goes to stderr.
"""
import json
import os
import signal
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient


def log(message):
    print(f"[groups.py] {message}", file=sys.stderr, flush=True)


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, int(round(p / 100.0 * (len(sorted_values) - 1))))
    return sorted_values[index]


def consumer_config(bootstrap, group, **extra):
    config = {"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
              "auto.offset.reset": "earliest", "session.timeout.ms": 6000}
    config.update(extra)
    if os.environ.get("GROUPS_DEBUG"):  # e.g. GROUPS_DEBUG=cgrp: librdkafka's group log, to driver.log
        config["debug"] = os.environ["GROUPS_DEBUG"]
    return config


def partition_count(bootstrap, topic):
    metadata = AdminClient({"bootstrap.servers": bootstrap}).list_topics(topic, timeout=30)
    return len(metadata.topics[topic].partitions)


def coordinator_of(bootstrap, group):
    """The broker id of the group's coordinator, from DescribeGroups through the AdminClient."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    description = admin.describe_consumer_groups([group], request_timeout=30)[group].result(timeout=40)
    return description.coordinator.id


class Member:
    """One group member polled by its own thread; `assignment` is what it holds now (cleared on
    revoke), `assigns` counts the on_assign callbacks (one per generation it took part in)."""

    def __init__(self, bootstrap, topic, group, **extra):
        self.topic = topic
        self.consumer = Consumer(consumer_config(bootstrap, group, **extra))
        self.assignment = set()
        self.assigns = 0
        self.assigned_at = None
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = None

    def on_assign(self, consumer, partitions):
        with self.lock:
            self.assignment = {p.partition for p in partitions}
            self.assigns += 1
            self.assigned_at = time.perf_counter()

    def on_revoke(self, consumer, partitions):
        with self.lock:
            self.assignment = set()

    def subscribe(self):
        self.consumer.subscribe([self.topic], on_assign=self.on_assign, on_revoke=self.on_revoke)

    def poll_forever(self, handle=None):
        while not self.stop.is_set():
            message = self.consumer.poll(0.05)
            if message is not None and handle is not None:
                handle(self, message)

    def start(self, handle=None):
        self.thread = threading.Thread(target=self.poll_forever, args=(handle,), daemon=True)
        self.thread.start()

    def close(self):
        self.stop.set()
        if self.thread is not None:
            self.thread.join()
        self.consumer.close()


def stable(members, partitions):
    """Every member holds a share, the shares are disjoint and cover every partition, and no
    member holds more than its fair share (what the range assignor gives at Stable)."""
    shares = []
    for member in members:
        with member.lock:
            shares.append(set(member.assignment))
    fair = -(-partitions // len(members))
    union = set().union(*shares)
    return (all(shares) and sum(len(s) for s in shares) == partitions and len(union) == partitions
            and all(len(s) <= fair for s in shares))


def warmup(bootstrap, topic, group):
    member = Member(bootstrap, topic, group)
    member.subscribe()
    member.start()
    deadline = time.time() + 180
    while time.time() < deadline and not member.assignment:
        time.sleep(0.05)
    ok = bool(member.assignment)
    member.close()
    if not ok:
        sys.exit(f"warm-up member of {group} got no assignment within 180 s")


def join(bootstrap, topic, group, count, timeout=120.0):
    partitions = partition_count(bootstrap, topic)
    members = [Member(bootstrap, topic, group) for _ in range(count)]
    start = time.perf_counter()
    for member in members:
        member.subscribe()
    for member in members:
        member.start()
    reached = None
    while time.perf_counter() - start < timeout:
        if stable(members, partitions):
            reached = time.perf_counter()
            break
        time.sleep(0.005)
    result = {"members": count, "partitions": partitions, "stable": reached is not None,
              "seconds_to_stable": round(reached - start, 3) if reached else None,
              "first_assign_s": round(min((m.assigned_at for m in members if m.assigned_at), default=start) - start, 3)
              if any(m.assigned_at for m in members) else None,
              "on_assign_calls": [m.assigns for m in members],
              "assignments": [sorted(m.assignment) for m in members]}
    if reached is None:
        result["timeout_s"] = timeout
    try:
        result["coordinator"] = coordinator_of(bootstrap, group)
    except Exception as error:  # the figure stands without it
        result["coordinator"] = f"unknown ({error})"
    for member in members:
        member.close()
    return result


def commit(bootstrap, topic, group, count):
    partitions = partition_count(bootstrap, topic)
    member = Member(bootstrap, topic, group)
    member.subscribe()
    deadline = time.time() + 120
    while time.time() < deadline and not member.assignment:
        member.consumer.poll(0.05)
    if not member.assignment:
        sys.exit(f"the member of {group} got no assignment within 120 s")
    owned = sorted(member.assignment)
    assert len(owned) == partitions
    latencies = []
    errors = []
    start = time.perf_counter()
    for i in range(count):
        offsets = [TopicPartition(topic, owned[i % len(owned)], i + 1)]
        sent = time.perf_counter()
        try:
            member.consumer.commit(offsets=offsets, asynchronous=False)
            latencies.append(time.perf_counter() - sent)
        except KafkaException as error:
            errors.append(str(error))
    elapsed = time.perf_counter() - start
    # Read one back: the commits were stored, not only acknowledged.
    committed = member.consumer.committed([TopicPartition(topic, owned[(count - 1) % len(owned)])], timeout=30)
    member.consumer.close()
    latencies.sort()
    return {"commits": count, "errors": len(errors), "first_error": errors[0] if errors else None,
            "seconds": round(elapsed, 3), "commits_per_s": round(count / elapsed),
            "last_committed_offset_read_back": committed[0].offset, "expected": count,
            "coordinator": coordinator_of(bootstrap, group),
            "latency_ms": {"p50": round(percentile(latencies, 50) * 1000, 3),
                           "p99": round(percentile(latencies, 99) * 1000, 3),
                           "max": round(latencies[-1] * 1000, 3) if latencies else None}}


class Ledger:
    """What the group consumed, shared by the members' threads: every record with its time,
    the offsets each commit acknowledged, and re-reads split by whether the offset was already
    covered by an acknowledged commit when it came back (that would be a committed offset lost)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.records = []                 # (time, member index, partition, offset, sequence)
        self.seen = set()                 # (partition, offset)
        self.sequences = set()
        self.committed = {}               # partition -> highest acknowledged committed offset
        self.reread_committed = []
        self.reread_uncommitted = 0
        self.commit_errors = []

    def consumed(self, index, message):
        now = time.perf_counter()
        key = (message.partition(), message.offset())
        with self.lock:
            if key in self.seen:
                if message.offset() < self.committed.get(message.partition(), -1):
                    self.reread_committed.append(key)
                else:
                    self.reread_uncommitted += 1
            self.seen.add(key)
            self.sequences.add(int(message.value()))
            self.records.append((now, index, message.partition(), message.offset(), int(message.value())))

    def acknowledged(self, offsets):
        with self.lock:
            for tp in offsets:
                self.committed[tp.partition] = max(self.committed.get(tp.partition, -1), tp.offset)


def failover(bootstrap, topic, group, brokers, rate, before_s, after_s):
    pids = {int(b.split(":")[0]): int(b.split(":")[1]) for b in brokers.split(",")}
    ledger = Ledger()
    members = []

    def handle(member, message):
        """Consume one record, then commit its offset synchronously (so every acknowledged commit
        covers records really consumed); a failed commit is counted and consuming goes on."""
        if message.error():
            return
        ledger.consumed(members.index(member), message)
        offsets = [TopicPartition(message.topic(), message.partition(), message.offset() + 1)]
        try:
            result = member.consumer.commit(offsets=offsets, asynchronous=False)
            ledger.acknowledged([tp for tp in result if tp.error is None])
        except KafkaException as error:
            with ledger.lock:
                ledger.commit_errors.append((time.perf_counter(), str(error)))

    for _ in range(3):
        members.append(Member(bootstrap, topic, group, **{"session.timeout.ms": 6000}))
    for member in members:
        member.subscribe()
    for member in members:
        member.start(handle)
    partitions = partition_count(bootstrap, topic)
    deadline = time.time() + 120
    while time.time() < deadline and not stable(members, partitions):
        time.sleep(0.05)
    if not stable(members, partitions):
        sys.exit(f"group {group} did not reach Stable within 120 s")
    coordinator = coordinator_of(bootstrap, group)
    log(f"group {group} stable, coordinator broker {coordinator}; producing {rate}/s")

    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 0})
    acked = set()
    failed = []

    def delivered(err, msg):
        if err:
            failed.append(str(err))
        else:
            acked.add(int(msg.value()))

    start = time.perf_counter()
    killed_at = None
    sequence = 0
    while True:
        now = time.perf_counter()
        if killed_at is None and now - start >= before_s:
            os.kill(pids[coordinator], signal.SIGKILL)
            killed_at = time.perf_counter()
            log(f"killed broker {coordinator} (pid {pids[coordinator]}) with SIGKILL")
        if killed_at is not None and now - killed_at >= after_s:
            break
        target = start + sequence / rate
        if now < target:
            producer.poll(min(target - now, 0.01))
            continue
        try:
            producer.produce(topic, value=str(sequence).encode(), key=str(sequence).encode(),
                             on_delivery=delivered)
            sequence += 1
        except BufferError:
            producer.poll(0.01)
        producer.poll(0)
    produced = sequence
    remaining = producer.flush(120)
    stop_producing = time.perf_counter()
    # Drain: wait until every acknowledged record has been consumed (or give up after 60 s).
    drain_deadline = time.perf_counter() + 60
    while time.perf_counter() < drain_deadline:
        with ledger.lock:
            if acked <= ledger.sequences:
                break
        time.sleep(0.05)
    for member in members:
        member.stop.set()
    for member in members:
        member.thread.join()
    try:
        new_coordinator = coordinator_of(bootstrap, group)
    except Exception as error:
        new_coordinator = f"unknown ({error})"
    assigns = [m.assigns for m in members]
    for member in members:
        member.consumer.close()

    records = sorted(ledger.records)
    times = [r[0] for r in records]
    # The longest gap between consecutive records the group consumed (all members together),
    # from 1 s before the kill to the end of production, and the longest a single member saw.
    window = [t for t in times if killed_at - 1 <= t <= stop_producing]
    gaps = [(b - a, a) for a, b in zip(window, window[1:])]
    longest, longest_from = max(gaps) if gaps else (None, None)
    per_member = []
    for index in range(len(members)):
        own = [r[0] for r in records if r[1] == index and killed_at - 1 <= r[0] <= stop_producing]
        per_member.append(round(max((b - a for a, b in zip(own, own[1:])), default=0), 3))
    first_after_kill = next((t for t in times if t > killed_at), None)
    commit_errors_after_kill = [e for e in ledger.commit_errors if e[0] >= killed_at]
    lost = sorted(acked - ledger.sequences)
    return {"rate_per_s": rate, "produced": produced, "acked": len(acked), "failed_deliveries": len(failed),
            "unflushed": remaining, "consumed_records": len(records),
            "coordinator_killed": coordinator, "coordinator_after": new_coordinator,
            "longest_gap_s": round(longest, 3) if longest is not None else None,
            "longest_gap_starts_after_kill_s": round(longest_from - killed_at, 3) if longest_from is not None else None,
            "longest_gap_per_member_s": per_member,
            "first_record_after_kill_s": round(first_after_kill - killed_at, 3) if first_after_kill else None,
            "acked_not_consumed": len(lost), "acked_not_consumed_first": lost[:10],
            "committed_read_twice": len(ledger.reread_committed),
            "committed_read_twice_first": ledger.reread_committed[:10],
            "uncommitted_read_again": ledger.reread_uncommitted,
            "commit_errors": len(ledger.commit_errors), "commit_errors_after_kill": len(commit_errors_after_kill),
            "first_commit_error": ledger.commit_errors[0][1] if ledger.commit_errors else None,
            "on_assign_calls": assigns}


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    mode = argv[1]
    if mode == "warmup":
        warmup(argv[2], argv[3], argv[4])
        return
    if mode == "join":
        result = join(argv[2], argv[3], argv[4], int(argv[5]))
    elif mode == "commit":
        result = commit(argv[2], argv[3], argv[4], int(argv[5]))
    elif mode == "failover":
        result = failover(argv[2], argv[3], argv[4], argv[5], float(argv[6]), float(argv[7]), float(argv[8]))
    else:
        sys.exit(__doc__)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv)
