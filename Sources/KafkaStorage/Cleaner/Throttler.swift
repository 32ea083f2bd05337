import Glibc
import KafkaCommon
import Synchronization

/// Keeps a measured rate under `desiredRatePerSec` by sleeping (Kafka's `utils.Throttler`, used
/// by the log cleaner for `log.cleaner.io.max.bytes.per.second`).
///
/// Callers report what they did (`maybeThrottle(bytes)`). Amounts add up over a window; once the
/// window is longer than `checkIntervalMs` the rate over it is computed, and if it is above the
/// desired rate the caller sleeps for as long as the amount should have taken at that rate
/// minus the time it did take. Then a new window starts (after the sleep). Shared by all cleaner
/// threads: together they stay under the rate. The rate can change at run time
/// (`updateDesiredRatePerSec`, for a dynamic `log.cleaner.io.max.bytes.per.second`); the next
/// check uses the new one.
public final class Throttler: Sendable {
    public let checkIntervalMs: Int64
    let time: any Time
    let sleep: @Sendable (Int64) -> Void

    private struct Window {
        var periodStartNanos: UInt64
        var observedSoFar = 0.0
        var desiredRatePerSec: Double
    }
    private let window: Mutex<Window>

    /// `sleep` sleeps for the given milliseconds (tests inject one that moves their clock).
    public init(
        desiredRatePerSec: Double, checkIntervalMs: Int64 = 300, time: any Time,
        sleep: @escaping @Sendable (Int64) -> Void = { ms in if ms > 0 { usleep(UInt32(clamping: ms * 1000)) } }
    ) {
        self.checkIntervalMs = checkIntervalMs
        self.time = time
        self.sleep = sleep
        self.window = Mutex(Window(periodStartNanos: time.nanoseconds, desiredRatePerSec: desiredRatePerSec))
    }

    /// The rate in bytes per second the callers are kept under.
    public var desiredRatePerSec: Double { window.withLock { $0.desiredRatePerSec } }

    /// Sets a new rate; the window under way is measured against it at its next check.
    public func updateDesiredRatePerSec(_ rate: Double) { window.withLock { $0.desiredRatePerSec = rate } }

    /// Adds `observed` to the window and sleeps when the window's rate is too high. Returns the
    /// milliseconds slept (0 when none).
    @discardableResult
    public func maybeThrottle(_ observed: Double) -> Int64 {
        // The window is updated and the sleep taken under the lock: a second thread waits for the
        // first one's sleep, as Kafka's throttler synchronises on itself.
        window.withLock { window in
            window.observedSoFar += observed
            let now = time.nanoseconds
            let elapsedNanos = now &- window.periodStartNanos
            guard elapsedNanos > UInt64(checkIntervalMs) * 1_000_000, window.observedSoFar > 0 else { return 0 }
            var slept: Int64 = 0
            let ratePerSec = window.observedSoFar * 1e9 / Double(elapsedNanos)
            if ratePerSec > window.desiredRatePerSec {
                let desiredRatePerMs = window.desiredRatePerSec / 1000
                let elapsedMs = Double(elapsedNanos) / 1e6
                let sleepMs = Int64((window.observedSoFar / desiredRatePerMs - elapsedMs).rounded())
                if sleepMs > 0 {
                    sleep(sleepMs)
                    slept = sleepMs
                }
            }
            window.periodStartNanos = time.nanoseconds
            window.observedSoFar = 0
            return slept
        }
    }
}
