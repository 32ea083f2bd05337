import KafkaCommon
import Synchronization
import Testing

@testable import KafkaStorage

/// Kafka's throttler with an injected clock: the rate is measured over windows longer than the
/// check interval and the caller sleeps for what the window should have taken at the rate.
@Suite struct ThrottlerTests {
    let time = MockTime()

    final class Sleeps: Sendable {
        let slept = Mutex<[Int64]>([])
        func withLock<T>(_ body: (inout [Int64]) -> T) -> T { slept.withLock { body(&$0) } }
    }

    func throttler(rate: Double, slept: Sleeps) -> Throttler {
        let time = self.time
        return Throttler(desiredRatePerSec: rate, checkIntervalMs: 100, time: time) { ms in
            slept.withLock { $0.append(ms) }
            time.sleep(ms)
        }
    }

    @Test func withinTheCheckIntervalNothingSleeps() {
        let slept = Sleeps()
        let throttler = throttler(rate: 1_000, slept: slept)
        time.sleep(50)
        #expect(throttler.maybeThrottle(1_000_000) == 0)
        #expect(slept.withLock { $0 }.isEmpty)
    }

    @Test func aWindowOverTheRateSleepsForTheDifference() {
        let slept = Sleeps()
        let throttler = throttler(rate: 1_000, slept: slept)  // 1 byte per ms
        throttler.maybeThrottle(3_000)
        time.sleep(200)
        // 3,000 + 2,000 bytes in 200 ms should have taken 5,000 ms: sleeps 4,800.
        #expect(throttler.maybeThrottle(2_000) == 4_800)
        #expect(slept.withLock { $0 } == [4_800])
        // A new window starts after the sleep: 100 bytes in 150 ms is under the rate.
        time.sleep(150)
        #expect(throttler.maybeThrottle(100) == 0)
    }

    @Test func aWindowUnderTheRateDoesNotSleep() {
        let slept = Sleeps()
        let throttler = throttler(rate: 1_000_000, slept: slept)
        time.sleep(1_000)
        #expect(throttler.maybeThrottle(500_000) == 0)
        #expect(slept.withLock { $0 }.isEmpty)
    }
}
