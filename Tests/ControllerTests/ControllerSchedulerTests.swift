import Controller
import KafkaTestKit
import Synchronization
import Testing

@Suite struct ControllerSchedulerTests {
    final class Fired: Sendable {
        private let count = Mutex(0)
        func increment() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    @Test func runsOnceTheDelayHasPassedOnItsClock() async throws {
        let clock = ManualClock()
        let scheduler = ControllerScheduler(clock: clock)
        let fired = Fired()
        scheduler.schedule(after: .seconds(5)) { fired.increment() }
        try await waitUntil("the task to sleep") { clock.sleeperCount == 1 }
        clock.advance(by: .seconds(4))
        #expect(fired.value == 0 && clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        try await waitUntil("the action to run") { fired.value == 1 }
        #expect(clock.sleeperCount == 0)
    }

    @Test func schedulingReplacesAndCancellingDrops() async throws {
        let clock = ManualClock()
        let scheduler = ControllerScheduler(clock: clock)
        let first = Fired()
        let second = Fired()
        scheduler.schedule(after: .seconds(5)) { first.increment() }
        try await waitUntil("the first task to sleep") { clock.sleeperCount == 1 }
        scheduler.schedule(after: .seconds(300)) { second.increment() }
        // The replaced task is woken by its cancellation and leaves; only the new one sleeps.
        try await waitUntil("only the second task to sleep") { clock.sleeperCount == 1 }
        clock.advance(by: .seconds(10))
        #expect(first.value == 0 && second.value == 0)
        clock.advance(by: .seconds(290))
        try await waitUntil("the second action to run") { second.value == 1 }
        #expect(first.value == 0)

        scheduler.schedule(after: .seconds(1)) { first.increment() }
        try await waitUntil("the third task to sleep") { clock.sleeperCount == 1 }
        scheduler.cancel()
        try await waitUntil("the cancelled task to leave") { clock.sleeperCount == 0 }
        clock.advance(by: .seconds(5))
        #expect(first.value == 0)
    }
}
