/// A delay queue kept as a binary min-heap of its timers: the textbook design that the timing wheel
/// (`KafkaPurgatory.SystemTimer`) replaces, here only to be measured against it.
///
/// Each timer is one heap node, keyed by (expiration, sequence): earlier expirations first, and
/// timers due in the same millisecond in the order they were scheduled. Every node records its
/// index in the heap, so a cancel removes the node where it stands instead of leaving a tombstone
/// to be skipped later. Costs, with n timers queued:
///
///     schedule   O(log n)   append, sift up
///     cancel     O(log n)   swap with the last node, sift that one up or down
///     fire       O(log n)   per timer: take the root, sift the last node down
///
/// The wheel does the first two in O(1) (link into / unlink from a bucket) and keeps only its
/// buckets in a heap, at most one per slot.
///
/// Time is injected: the queue has no clock of its own. `advance(to:)` moves its notion of now and
/// fires, in order, every timer due by then; nothing fires in between.
///
/// Isolation: none. One thread at a time (the benchmark and the tests use it from one task).
public final class HeapDelayQueue {
    /// One scheduled timer. `heapIndex` is its position in the heap, or -1 once it has fired or
    /// been cancelled.
    public final class Timer {
        public let id: Int
        public let expirationMs: Int64
        fileprivate let sequence: UInt64
        fileprivate var heapIndex: Int

        fileprivate init(id: Int, expirationMs: Int64, sequence: UInt64, heapIndex: Int) {
            self.id = id
            self.expirationMs = expirationMs
            self.sequence = sequence
            self.heapIndex = heapIndex
        }

        /// True while the timer is queued: neither fired nor cancelled.
        public var isPending: Bool { heapIndex >= 0 }

        fileprivate func precedes(_ other: Timer) -> Bool {
            expirationMs != other.expirationMs ? expirationMs < other.expirationMs : sequence < other.sequence
        }
    }

    /// The queue's now, in milliseconds: the last time given to `advance(to:)` (or the start).
    public private(set) var nowMs: Int64

    private var heap: [Timer] = []
    private var nextSequence: UInt64 = 0
    private let fire: (Timer) -> Void

    /// - Parameters:
    ///   - startMs: the queue's initial now.
    ///   - fire: called once for each timer that falls due, in expiration order, from `schedule`
    ///     (for a timer already due) or `advance(to:)`.
    public init(startMs: Int64 = 0, fire: @escaping (Timer) -> Void) {
        self.nowMs = startMs
        self.fire = fire
    }

    /// The number of timers queued.
    public var count: Int { heap.count }

    /// The earliest expiration queued, if any.
    public var nextExpirationMs: Int64? { heap.first?.expirationMs }

    /// Queues a timer due `delayMs` after now; a delay of zero or less fires it at once (as
    /// `SystemTimer.add` does) and returns it already not pending.
    @discardableResult
    public func schedule(id: Int, delayMs: Int64) -> Timer {
        let (sum, overflow) = nowMs.addingReportingOverflow(delayMs)
        let timer = Timer(id: id, expirationMs: overflow ? Int64.max : sum, sequence: nextSequence, heapIndex: -1)
        nextSequence += 1
        if delayMs <= 0 {
            fire(timer)
            return timer
        }
        timer.heapIndex = heap.count
        heap.append(timer)
        siftUp(heap.count - 1)
        return timer
    }

    /// Removes a pending timer. False (and nothing changes) when it already fired or was cancelled.
    @discardableResult
    public func cancel(_ timer: Timer) -> Bool {
        let index = timer.heapIndex
        guard index >= 0, index < heap.count, heap[index] === timer else { return false }
        remove(at: index)
        return true
    }

    /// Moves now to `timeMs` (never backwards) and fires every timer due by then, earliest first.
    /// Returns how many fired.
    @discardableResult
    public func advance(to timeMs: Int64) -> Int {
        nowMs = max(nowMs, timeMs)
        var fired = 0
        while let head = heap.first, head.expirationMs <= nowMs {
            remove(at: 0)
            fire(head)
            fired += 1
        }
        return fired
    }

    // MARK: - Heap

    private func remove(at index: Int) {
        let removed = heap[index]
        let last = heap.removeLast()
        removed.heapIndex = -1
        guard index < heap.count else { return }  // the removed node was the last one
        heap[index] = last
        last.heapIndex = index
        if index > 0, last.precedes(heap[(index - 1) / 2]) {
            siftUp(index)
        } else {
            siftDown(index)
        }
    }

    private func siftUp(_ start: Int) {
        var child = start
        let node = heap[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard node.precedes(heap[parent]) else { break }
            heap[child] = heap[parent]
            heap[child].heapIndex = child
            child = parent
        }
        heap[child] = node
        node.heapIndex = child
    }

    private func siftDown(_ start: Int) {
        var parent = start
        let node = heap[parent]
        let count = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            let smaller = right < count && heap[right].precedes(heap[left]) ? right : left
            guard heap[smaller].precedes(node) else { break }
            heap[parent] = heap[smaller]
            heap[parent].heapIndex = parent
            parent = smaller
        }
        heap[parent] = node
        node.heapIndex = parent
    }
}

extension HeapDelayQueue {
    /// Checks the heap property and every node's recorded index. For tests.
    public var isConsistent: Bool {
        for (index, timer) in heap.enumerated() {
            if timer.heapIndex != index { return false }
            if index > 0, timer.precedes(heap[(index - 1) / 2]) { return false }
        }
        return true
    }
}
