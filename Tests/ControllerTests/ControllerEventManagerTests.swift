import Controller
import KafkaTestKit
import Logging
import Synchronization
import Testing

final class Recorded: Sendable {
    let events = Mutex<[ControllerEvent]>([])
    let concurrent = Mutex<(now: Int, max: Int)>((0, 0))
    var all: [ControllerEvent] { events.withLock { $0 } }
}

@Suite struct ControllerEventManagerTests {
    @Test func processesOneEventAtATimeInOrder() async throws {
        let manager = ControllerEventManager(logger: Logger(label: "test"))
        let recorded = Recorded()
        let sequence: [ControllerEvent] = [.startup, .brokerChange, .controllerChange, .reelect, .brokerChange]
        for event in sequence { manager.put(event) }
        manager.start { event in
            recorded.concurrent.withLock { $0.now += 1; $0.max = max($0.max, $0.now) }
            try? await Task.sleep(for: .milliseconds(2))
            recorded.events.withLock { $0.append(event) }
            recorded.concurrent.withLock { $0.now -= 1 }
        }
        // clearAndPut after the others have been processed returns once its own event is done.
        // The bound is the default 30 s, not 10: the processor is a task on the cooperative pool,
        // which the whole unit lane shares (two threads on a two-core machine, with tests that
        // block them in synchronous I/O), and its five events are five turns through that queue.
        try await waitUntil("every event processed") { manager.processedCount == UInt64(sequence.count) }
        await manager.clearAndPut(.expire)
        #expect(recorded.all == sequence + [.expire])
        #expect(recorded.concurrent.withLock { $0.max } == 1)
        await manager.close()
    }

    @Test func clearAndPutDropsWhatIsQueued() async throws {
        let manager = ControllerEventManager(logger: Logger(label: "test"))
        let recorded = Recorded()
        let gate = AsyncStream<Void>.makeStream()
        let started = AsyncStream<Void>.makeStream()
        manager.put(.startup)
        manager.put(.brokerChange)
        manager.put(.controllerChange)
        manager.start { event in
            if event == .startup {
                // Hold the first event until the test has cleared the queue.
                started.continuation.yield()
                for await _ in gate.stream { break }
            }
            recorded.events.withLock { $0.append(event) }
        }
        for await _ in started.stream { break }
        async let cleared: Void = manager.clearAndPut(.expire)
        try await waitUntil("the queue to be cleared") { manager.clearedCount == 1 }
        gate.continuation.yield()
        await cleared
        #expect(recorded.all == [.startup, .expire], "queued events before the expiry are never processed")
        manager.put(.registerBrokerAndReelect)
        try await waitUntil("the new event") { manager.processedCount == 3 }
        #expect(recorded.all == [.startup, .expire, .registerBrokerAndReelect])
        #expect(manager.currentState == .idle)
        await manager.close()
        await manager.clearAndPut(.expire)
        #expect(recorded.all.count == 3, "a closed manager takes no events")
    }

    @Test func eventsNameTheirControllerState() {
        #expect(ControllerEvent.brokerChange.state == .brokerChange)
        #expect(ControllerEvent.expire.state == .controllerChange)
        #expect(ControllerState.controllerChange.rawValue == "ControllerChange")
    }
}
