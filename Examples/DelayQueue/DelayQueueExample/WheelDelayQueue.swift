import Dispatch
import KafkaCommon
import KafkaPurgatory

/// The delay queue of seed 000 §IV on the purgatory's hierarchical timing wheel: the same
/// `SystemTimer` (tick 1 ms, 20 slots, overflow wheels made on demand) that times out this broker's
/// DelayedProduce and DelayedFetch, driven by an injected clock so that it can be compared step for
/// step with `HeapDelayQueue`.
///
/// `schedule` is `SystemTimer.add` (link into a bucket: O(1)), `cancel` is `TimerTask.cancel`
/// (unlink: O(1)), and `advance(to:)` moves the clock and calls `advanceClock(timeoutMs: 0)`,
/// which flushes every due bucket, moving coarse buckets' timers down to finer wheels and handing
/// level 0's to the timer's executor, which calls `fire`.
///
/// Isolation: `schedule`, `cancel` and `advance` may be called from any thread (the timer's own
/// locks); `fire` runs on the timer's serial executor thread.
public final class WheelDelayQueue: Sendable {
    /// One scheduled timer: a `TimerTask` that reports its id when it runs.
    public final class Timer: TimerTask, @unchecked Sendable {
        public let id: Int
        private let fire: @Sendable (Int) -> Void

        init(id: Int, delayMs: Int64, fire: @escaping @Sendable (Int) -> Void) {
            self.id = id
            self.fire = fire
            super.init(delayMs: delayMs)
        }

        public override func run() { fire(id) }
    }

    public let time: ManualTime
    public let timer: SystemTimer
    private let fire: @Sendable (Int) -> Void

    /// - Parameters:
    ///   - startMs: the clock's and the wheels' start.
    ///   - fire: called with a timer's id when it runs, on the timer's executor.
    public init(startMs: Int64 = 0, fire: @escaping @Sendable (Int) -> Void) {
        self.time = ManualTime(startMs: startMs)
        self.timer = SystemTimer(executorName: "delay-queue", time: time)
        self.fire = fire
    }

    /// Timers scheduled and neither fired nor cancelled (not counting those on the executor).
    public var count: Int { timer.size }

    @discardableResult
    public func schedule(id: Int, delayMs: Int64) -> Timer {
        let task = Timer(id: id, delayMs: delayMs, fire: fire)
        timer.add(task)
        return task
    }

    public func cancel(_ task: Timer) {
        task.cancel()
    }

    /// Moves the clock to `timeMs` and lets the wheels catch up; due timers are handed to the
    /// executor. Call `drain()` to wait until they have fired.
    public func advance(to timeMs: Int64) {
        time.set(toMs: timeMs)
        timer.advanceClock(timeoutMs: 0)
    }

    /// Returns once every timer handed to the executor so far has fired.
    public func drain() async {
        await timer.drainExecutor()
    }
}
