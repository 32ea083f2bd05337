import KafkaCommon
import Synchronization

/// A clock that moves only when told to (Kafka's `MockTime`), for driving the timing wheel through
/// simulated time in the benchmark and the tests: both readings start at `startMs` and move together.
public final class ManualTime: Time {
    private let monotonicNanoseconds: Atomic<UInt64>
    private let wallClockOffsetMs: Int64

    public init(startMs: Int64 = 0, wallClockMs: Int64 = 1_700_000_000_000) {
        precondition(startMs >= 0, "the monotonic clock starts at zero or later")
        monotonicNanoseconds = Atomic(UInt64(startMs) * 1_000_000)
        wallClockOffsetMs = wallClockMs - startMs
    }

    public var nanoseconds: UInt64 { monotonicNanoseconds.load(ordering: .acquiring) }
    public var milliseconds: Int64 { nowMs + wallClockOffsetMs }

    /// The monotonic clock in whole milliseconds, as `SystemTimer` reads it.
    public var nowMs: Int64 { Int64(nanoseconds / 1_000_000) }

    /// Sets the clock to `timeMs`; never moves it backwards.
    public func set(toMs timeMs: Int64) {
        let target = UInt64(max(0, timeMs)) * 1_000_000
        var current = monotonicNanoseconds.load(ordering: .relaxed)
        while current < target {
            let (exchanged, original) = monotonicNanoseconds.compareExchange(
                expected: current, desired: target, ordering: .acquiringAndReleasing)
            if exchanged { return }
            current = original
        }
    }
}
