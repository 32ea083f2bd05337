import Foundation
import KafkaCommon
import Synchronization

@testable import KafkaPurgatory

/// A clock that moves only when a test says so (Kafka's `MockTime`). Both readings move together.
final class MockTime: Time {
    private struct Readings {
        var milliseconds: Int64
        var nanoseconds: UInt64
    }
    private let readings: Mutex<Readings>

    /// Starts the monotonic clock at `monotonicMs` and the wall clock at a fixed date.
    init(monotonicMs: Int64 = 10_000, wallClockMs: Int64 = 1_700_000_000_000) {
        readings = Mutex(Readings(milliseconds: wallClockMs, nanoseconds: UInt64(monotonicMs) * 1_000_000))
    }

    var milliseconds: Int64 { readings.withLock { $0.milliseconds } }
    var nanoseconds: UInt64 { readings.withLock { $0.nanoseconds } }

    /// The monotonic clock in whole milliseconds, as the timer reads it.
    var monotonicMs: Int64 { Int64(nanoseconds / 1_000_000) }

    /// Moves both clocks forward; never really sleeps.
    func sleep(_ ms: Int64) {
        readings.withLock {
            $0.milliseconds += ms
            $0.nanoseconds += UInt64(ms) * 1_000_000
        }
    }
}

/// Polls `condition` every millisecond until it holds or `timeout` passes. True if it held.
func waitUntil(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while !condition() {
        if clock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(1))
    }
    return true
}

/// What ran, in order, and when by the mock clock.
final class RunLog: Sendable {
    struct Run: Equatable {
        let id: Int
        let atMs: Int64
    }
    private let runs = Mutex<[Run]>([])

    func record(_ id: Int, atMs: Int64) { runs.withLock { $0.append(Run(id: id, atMs: atMs)) } }
    var all: [Run] { runs.withLock { $0 } }
    var ids: [Int] { all.map(\.id) }
    func count(of id: Int) -> Int { all.filter { $0.id == id }.count }
}

/// A timer task that records its run in a `RunLog`, stamped with the mock clock.
final class RecordingTask: TimerTask, @unchecked Sendable {
    let id: Int
    private let log: RunLog
    private let time: MockTime
    private let before: (@Sendable () -> Void)?

    init(id: Int, delayMs: Int64, log: RunLog, time: MockTime, before: (@Sendable () -> Void)? = nil) {
        self.id = id
        self.log = log
        self.time = time
        self.before = before
        super.init(delayMs: delayMs)
    }

    override func run() {
        before?()
        log.record(id, atMs: time.monotonicMs)
    }
}

/// A delayed operation that completes once `isSatisfied` is set, counting every hook call and
/// checking that `tryComplete()` never runs on two threads at once, nor while another thread holds
/// the operation's lock.
final class MockDelayedOperation: DelayedOperation, @unchecked Sendable {
    let id: Int
    let isSatisfied = Atomic<Bool>(false)
    let tryCompleteCalls = Atomic<Int>(0)
    let completeCalls = Atomic<Int>(0)
    let expirationCalls = Atomic<Int>(0)
    /// Counts overlapping `tryComplete()` runs and runs while another thread held the lock.
    let violations = Atomic<Int>(0)
    private let inside = Atomic<Int>(0)
    private let hooks = Mutex<[String]>([])

    init(id: Int = 0, delayMs: Int64, lock: ReentrantLock? = nil, satisfied: Bool = false) {
        self.id = id
        super.init(delayMs: delayMs, lock: lock)
        isSatisfied.store(satisfied, ordering: .relaxed)
    }

    /// The order in which `onComplete` and `onExpiration` ran.
    var hookOrder: [String] { hooks.withLock { $0 } }

    override func tryComplete() -> Bool {
        tryCompleteCalls.add(1, ordering: .relaxed)
        if inside.add(1, ordering: .sequentiallyConsistent).newValue != 1 { violations.add(1, ordering: .relaxed) }
        // A re-entrant lock that we hold can be taken again at once; one held elsewhere cannot.
        if !lock.tryLock() { violations.add(1, ordering: .relaxed) } else { lock.unlock() }
        defer { inside.subtract(1, ordering: .sequentiallyConsistent) }
        return isSatisfied.load(ordering: .sequentiallyConsistent) ? forceComplete() : false
    }

    override func onComplete() {
        completeCalls.add(1, ordering: .relaxed)
        hooks.withLock { $0.append("complete") }
    }

    override func onExpiration() {
        expirationCalls.add(1, ordering: .relaxed)
        hooks.withLock { $0.append("expire") }
    }
}

/// Runs `body` on a thread of its own, for code that blocks. Not `DispatchQueue.global()`: on
/// Linux its threads are the ones Swift concurrency runs on, and blocking them starves the tests.
func onOwnThread(_ body: @escaping @Sendable () -> Void) {
    Thread(block: body).start()
}

/// An atomic counter in a class, so that escaping closures can share it.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .sequentiallyConsistent) }
    var value: Int { count.load(ordering: .sequentiallyConsistent) }
}
