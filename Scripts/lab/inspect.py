#!/usr/bin/env python3
"""What the failover lab asks the cluster, through Metadata (confluent-kafka's AdminClient):
who is the controller, who leads a partition, who is in its ISR; and waits on those.

  inspect.py BOOTSTRAP controller                 print the controller's id
  inspect.py BOOTSTRAP partition TOPIC P          print "leader=1 replicas=1,2,3 isr=1,2"
  inspect.py BOOTSTRAP wait-controller-not ID     wait until another broker is controller
  inspect.py BOOTSTRAP wait-leader TOPIC P ID     wait until ID leads TOPIC-P
  inspect.py BOOTSTRAP wait-leader-not TOPIC P ID wait until TOPIC-P is led by a broker other than ID
  inspect.py BOOTSTRAP wait-isr TOPIC P N         wait until TOPIC-P has N replicas in sync
  inspect.py BOOTSTRAP wait-all-isr TOPIC N       wait until every partition has N replicas in sync
  inspect.py BOOTSTRAP wait-all-led TOPIC [--not ID]
                                                  wait until every partition has a leader (not ID)

Waits give up after --timeout seconds (60) with exit status 1. Each answer comes from a fresh
client, so nothing is cached between polls.
"""
import sys
import time

from confluent_kafka.admin import AdminClient


def metadata(bootstrap, topic=None):
    # log_level 0: librdkafka's complaints about the broker the scenario just killed stay quiet.
    client = AdminClient({"bootstrap.servers": bootstrap, "socket.timeout.ms": 2000,
                          "reconnect.backoff.max.ms": 200, "log_level": 0})
    return client.list_topics(topic=topic, timeout=5)


def partition(bootstrap, topic, number):
    md = metadata(bootstrap, topic)
    found = md.topics.get(topic)
    if found is None or found.error is not None or number not in found.partitions:
        return None
    return found.partitions[number]


def describe(p):
    return "leader=%d replicas=%s isr=%s" % (p.leader, ",".join(map(str, p.replicas)), ",".join(map(str, p.isrs)))


def wait(what, condition, timeout):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return 0
        except Exception:  # a broker going away mid-request: ask again
            pass
        if time.monotonic() > deadline:
            print("gave up after %ds waiting for %s" % (timeout, what), file=sys.stderr)
            return 1
        time.sleep(0.1)


def main(argv):
    timeout = 60
    if "--timeout" in argv:
        at = argv.index("--timeout")
        timeout = float(argv[at + 1])
        del argv[at:at + 2]
    bootstrap, command, args = argv[1], argv[2], argv[3:]
    if command == "controller":
        print(metadata(bootstrap).controller_id)
        return 0
    if command == "partition":
        p = partition(bootstrap, args[0], int(args[1]))
        print(describe(p) if p else "unknown")
        return 0 if p else 1
    if command == "wait-controller-not":
        old = int(args[0])
        return wait("a controller other than %d" % old,
                    lambda: metadata(bootstrap).controller_id not in (old, -1), timeout)
    if command == "wait-leader":
        topic, number, leader = args[0], int(args[1]), int(args[2])
        return wait("%d to lead %s-%d" % (leader, topic, number),
                    lambda: partition(bootstrap, topic, number).leader == leader, timeout)
    if command == "wait-leader-not":
        topic, number, old = args[0], int(args[1]), int(args[2])
        return wait("a leader other than %d for %s-%d" % (old, topic, number),
                    lambda: partition(bootstrap, topic, number).leader not in (old, -1), timeout)
    if command == "wait-isr":
        topic, number, size = args[0], int(args[1]), int(args[2])
        return wait("%d in-sync replicas of %s-%d" % (size, topic, number),
                    lambda: len(partition(bootstrap, topic, number).isrs) == size, timeout)
    if command == "wait-all-isr":
        topic, size = args[0], int(args[1])

        def all_in_sync():
            md = metadata(bootstrap, topic).topics[topic]
            return md.error is None and md.partitions and all(len(p.isrs) == size for p in md.partitions.values())
        return wait("every partition of %s with %d in-sync replicas" % (topic, size), all_in_sync, timeout)
    if command == "wait-all-led":
        topic = args[0]
        excluded = int(args[2]) if len(args) > 2 and args[1] == "--not" else -1

        def all_led():
            md = metadata(bootstrap, topic).topics[topic]
            return md.error is None and all(p.leader not in (-1, excluded) for p in md.partitions.values())
        return wait("every partition of %s led%s" % (topic, " by a broker other than %d" % excluded if excluded >= 0 else ""),
                    all_led, timeout)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
