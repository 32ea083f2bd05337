import KafkaCommon

/// ISR changes a leader has decided and not yet written to ZooKeeper, and whether a writer is
/// draining them (`ReplicaManager+Isr`). Kafka 2.3 writes an expansion inside the follower's
/// fetch, one znode at a time; with a thousand partitions joining at once that is a thousand
/// ZooKeeper round trips in a row while the follower's fetch waits. Here the fetch only queues
/// the change; one writer takes everything queued so far and writes it in one pipelined burst,
/// then whatever was queued meanwhile, until the queue is empty. A follower's fetches never
/// wait for ZooKeeper, and a burst of N changes costs about one round trip, not N.
///
/// A value owned by the replica manager's `Mutex`. Invariants: a partition is queued at most
/// once (its `isrUpdateInFlight` flag keeps it from proposing another change until this one
/// completes); `isDraining` is true from the `submit` that starts a writer until the
/// `nextBatch` that finds the queue empty; waiters are handed back exactly then.
struct IsrUpdateQueue: Sendable {
    struct Update: Sendable {
        let partition: Partition
        let isr: [BrokerId]
    }

    private(set) var pending: [Update] = []
    private(set) var isDraining = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    var isIdle: Bool { pending.isEmpty && !isDraining }

    /// Queues an update. Returns true when the caller must start a writer (none is running).
    mutating func submit(_ update: Update) -> Bool {
        pending.append(update)
        guard !isDraining else { return false }
        isDraining = true
        return true
    }

    /// For the writer: everything queued so far, or nil when there is nothing left — the writer
    /// stops and the returned waiters are to be resumed.
    mutating func nextBatch() -> (batch: [Update]?, waiters: [CheckedContinuation<Void, Never>]) {
        guard pending.isEmpty else {
            defer { pending = [] }
            return (pending, [])
        }
        isDraining = false
        defer { waiters = [] }
        return (nil, waiters)
    }

    /// Registers a waiter to resume once the queue is written out. Returns false (and keeps
    /// nothing) when it already is.
    mutating func addWaiter(_ waiter: CheckedContinuation<Void, Never>) -> Bool {
        guard !isIdle else { return false }
        waiters.append(waiter)
        return true
    }
}
