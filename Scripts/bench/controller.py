#!/usr/bin/env python3
"""Measures the controller's phases from ZooKeeper's own transaction log (the times ZooKeeper's
leader stamped on each write: what Kafka's znode ctime/mtime show), as `kafka lab-timeline
--zookeeper-jsonl` prints it. Used by Scripts/bench-controller.sh.

  controller.py PHASE BROKER TOPIC START_MS END_MS < transactions.jsonl

PHASE:
  dead-broker   BROKER's session expired (its /brokers/ids/<id> vanished) -> the controller's last
                partition-state write of the phase (every leader BROKER had re-elected).
  failover      the new controller's create of /controller -> its last partition-state write of
                the phase (BROKER is the controller that died).
  restart       BROKER's create of /brokers/ids/<id> -> the write that put it back into the ISR of
                the last of its partitions.
  controlled    START_MS (when SIGTERM was sent) -> the controller's last partition-state write
                before BROKER deregistered (its leaderships moved, it left the ISRs); also ->
                BROKER's deregistration (its /brokers/ids/<id> deleted or its session closed).
Prints one line: PHASE seconds=… [exit_seconds=…] partitions=… (writes counted).
"""
import json
import re
import sys

STATE = re.compile(r"^/brokers/topics/(?P<topic>[^/]+)/partitions/(?P<p>\d+)/state$")


def main():
    phase, broker, topic, start, end = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    me = "broker %d" % broker
    txns = [json.loads(line) for line in sys.stdin if line.strip()]
    txns = [t for t in txns if start <= t["time"] <= end]

    def fenced(t):
        # A controller's write: a multi behind a check of /controller_epoch. A partition leader's
        # ISR change is a plain set, also when the leader is the controller's own broker (same
        # session), and is not the controller's work.
        return any(op["op"] == "check" and op["path"] == "/controller_epoch" for op in t["ops"])

    def state_writes(session=None, controller=False):
        for t in txns:
            if session is not None and t["session"] != session:
                continue
            if controller and not fenced(t):
                continue
            for op in t["ops"]:
                m = STATE.match(op.get("path", ""))
                if op["op"] == "set" and m and m.group("topic") == topic:
                    yield t, int(m.group("p")), json.loads(op["data"])

    def controller_session():
        # The session whose writes are fenced multis (a check of /controller_epoch).
        for t in reversed(txns):
            if fenced(t):
                return t["session"]
        return None

    if phase == "dead-broker":
        t0 = next(t["time"] for t in txns if t["session"] == me and any(op["op"] == "closeSession" for op in t["ops"]))
        writes = [(t, p) for t, p, s in state_writes(controller_session(), controller=True) if t["time"] >= t0]
        print("%s seconds=%.3f partitions=%d" % (phase, (writes[-1][0]["time"] - t0) / 1000, len({p for _, p in writes})))
    elif phase == "failover":
        created = [t for t in txns if any(op["op"] == "create" and op["path"] == "/controller" for op in t["ops"])]
        t0 = created[-1]["time"]
        new = created[-1]["session"]
        writes = [(t, p) for t, p, s in state_writes(new, controller=True) if t["time"] >= t0]
        print("%s seconds=%.3f partitions=%d new_controller=%s" % (phase, (writes[-1][0]["time"] - t0) / 1000,
                                                                   len({p for _, p in writes}), new))
    elif phase == "restart":
        t0 = next(t["time"] for t in txns if any(op["op"] == "create" and op["path"] == "/brokers/ids/%d" % broker for op in t["ops"]))
        back = {}
        for t, p, s in state_writes():
            if t["time"] >= t0 and broker in s["isr"] and p not in back:
                back[p] = t["time"]
        print("%s seconds=%.3f partitions=%d" % (phase, (max(back.values()) - t0) / 1000, len(back)))
    elif phase == "controlled":
        closed = [t["time"] for t in txns if t["session"] == me and any(op["op"] == "closeSession" for op in t["ops"])]
        deregistered = [t["time"] for t in txns if any(op["op"] == "delete" and op["path"] == "/brokers/ids/%d" % broker for op in t["ops"])]
        gone = (closed + deregistered)
        # The controller's writes while the broker was still registered: the leadership moves and
        # ISR removals of the controlled shutdown (not the broker-change handling after it left).
        moves = [(t, p) for t, p, s in state_writes(controller_session(), controller=True)
                 if s["leader"] != broker and (not gone or t["time"] <= min(gone))]
        print("%s seconds=%.3f exit_seconds=%s partitions=%d" % (
            phase, ((moves[-1][0]["time"] - start) / 1000) if moves else float("nan"),
            ("%.3f" % ((min(gone) - start) / 1000)) if gone else "n/a", len({p for _, p in moves})))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
