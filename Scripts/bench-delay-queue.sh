#!/usr/bin/env bash
# The delay queue of seed 000 §IV (Examples/DelayQueue): the purgatory's hierarchical timing wheel
# (KafkaPurgatory.SystemTimer) against a binary-heap delay queue, doing the same work at 10k, 100k
# and 1M timers: insert n timers with delays spread over 30 s, cancel every other one, then move a
# simulated clock through the spread in 10 ms steps until the rest have fired. Prints ns per
# insert, cancel and fire for each (best of 3 rounds) and the heap's cost as a multiple of the
# wheel's: the wheel's insert and cancel stay flat (O(1): link into / unlink from a bucket) while
# the heap's grow with log n. Both queues hand the timers each clock step fired to a serial
# DispatchQueue in one batch (as SystemTimer.advanceClock does), so "fire" compares the structures,
# not an inline call against a hand-off.
#
# Time is simulated (no sleeping): the figures are CPU time of the two data structures alone.
# Needs no ZooKeeper or broker; builds only the `delay-queue` product (release).
#
#   Scripts/bench-delay-queue.sh [--sizes 10000,100000,1000000] [--rounds 3] [--spread-ms 30000] [--step-ms 10]
#   Scripts/bench-delay-queue.sh --demo [--count 1000000] [--max-delay-ms 2000] [--cancel-every 2]
#
# --demo runs the example instead: a million delayed messages on the real clock, every other one
# cancelled, the rest delivered when due; it prints how late the deliveries were.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

MODE=bench
if [ "${1:-}" = "--demo" ]; then
    MODE=demo
    shift
fi

swift build -c release --product delay-queue >&2
BIN="$(swift build -c release --show-bin-path)/delay-queue"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -m); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$BIN" "$MODE" "$@"
