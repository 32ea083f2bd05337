import Controller
import Foundation
import Glibc
import Testing

@testable import KafkaBroker

/// The network processors' idle fractions from thread CPU time, and the controller's per-state
/// timers, with injected figures.
@Suite struct NetworkProcessorIdleTests {
    typealias Clock = NetworkProcessorGroup.ProcessorClock
    static let second: UInt64 = 1_000_000_000

    @Test func idleIsWallTimeMinusCpuTimeOverTheWindow() {
        var idle = NetworkProcessorIdle()
        // Processor 0 started at t=10 s and ran 1 s of its first 4; processor 1 ran 3 s of 4.
        let first = idle.update(now: 14 * Self.second, clocks: [
            Clock(index: 0, serial: 100, startedNanos: 10 * Self.second, cpuNanos: 1 * Self.second),
            Clock(index: 1, serial: 101, startedNanos: 10 * Self.second, cpuNanos: 3 * Self.second),
        ])
        #expect(first.perProcessor.map { $0.idle } == [0.75, 0.25])
        #expect(first.average == 0.5)
        // Over the next 2 s, processor 0 ran 2 s (busy all along), processor 1 not at all.
        let second = idle.update(now: 16 * Self.second, clocks: [
            Clock(index: 0, serial: 100, startedNanos: 10 * Self.second, cpuNanos: 3 * Self.second),
            Clock(index: 1, serial: 101, startedNanos: 10 * Self.second, cpuNanos: 3 * Self.second),
        ])
        #expect(second.perProcessor.map { $0.idle } == [0, 1])
        #expect(second.average == 0.5)
    }

    @Test func aWindowShorterThanASecondKeepsTheLastFraction() {
        var idle = NetworkProcessorIdle()
        _ = idle.update(now: 2 * Self.second, clocks: [Clock(index: 0, serial: 7, startedNanos: 0, cpuNanos: Self.second)])
        // 100 ms later, 100 ms of CPU: not a window of its own; still 50%.
        let soon = idle.update(now: 2 * Self.second + Self.second / 10,
                               clocks: [Clock(index: 0, serial: 7, startedNanos: 0, cpuNanos: Self.second + Self.second / 10)])
        #expect(soon.average == 0.5)
        // A second after the first sample: 1.1 s of CPU... of 1 s wall clamps to 0% idle.
        let later = idle.update(now: 3 * Self.second,
                                clocks: [Clock(index: 0, serial: 7, startedNanos: 0, cpuNanos: 2 * Self.second + Self.second / 10)])
        #expect(later.average == 0)
    }

    @Test func aRemovedProcessorLeavesTheAverageAndNoProcessorIsFullyIdle() {
        var idle = NetworkProcessorIdle()
        #expect(idle.update(now: Self.second, clocks: []).average == 1)
        _ = idle.update(now: 4 * Self.second, clocks: [
            Clock(index: 0, serial: 1, startedNanos: 0, cpuNanos: 0),
            Clock(index: 1, serial: 2, startedNanos: 0, cpuNanos: 4 * Self.second),
        ])
        let after = idle.update(now: 6 * Self.second, clocks: [Clock(index: 0, serial: 1, startedNanos: 0, cpuNanos: Self.second)])
        #expect(after.perProcessor.map { $0.index } == [0])
        #expect(after.average == 0.5)
        #expect(idle.samples.keys.sorted() == [1])
    }

    @Test func theProcessorThreadsCpuTimeIsReadFromTheKernel() async throws {
        let group = NetworkProcessorGroup(numberOfProcessors: 2)
        defer { group.shutdownGracefully { _ in } }
        // Each loop records its thread at its first task; a task submitted after it has run too.
        for loop in group.loops { try await loop.submit {}.get() }
        let clocks = group.processorClocks
        #expect(clocks.map(\.index) == [0, 1])
        #expect(Set(clocks.map(\.serial)).count == 2)
        #expect(clocks.allSatisfy { $0.startedNanos > 0 && $0.startedNanos <= NetworkProcessorGroup.monotonicNanos() })
        // 100 ms of CPU on the first processor's thread (measured by that thread's own clock)
        // show on its clock, read from here.
        let before = try #require(clocks.first).cpuNanos
        try await group.loops[0].submit {
            let start = NetworkProcessorGroup.nanos(on: CLOCK_THREAD_CPUTIME_ID) ?? 0
            while (NetworkProcessorGroup.nanos(on: CLOCK_THREAD_CPUTIME_ID) ?? .max) < start + 100_000_000 {}
        }.get()
        let after = try #require(group.processorClocks.first).cpuNanos
        #expect(after >= before + 100_000_000)
    }

    @Test func everyControllerStateHasKafkasTimerAndValue() {
        #expect(ControllerState.controllerChange.rateAndTimeMetricName == "ControllerChangeRateAndTimeMs")
        #expect(ControllerState.brokerChange.rateAndTimeMetricName == "LeaderElectionRateAndTimeMs")
        #expect(ControllerState.idle.rateAndTimeMetricName == nil)
        #expect(ControllerState.allStates.map(\.value) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14])
        #expect(Set(ControllerState.allStates.map(\.rawValue)).count == ControllerState.allStates.count)
        let metrics = BrokerMetrics()
        let stats = ControllerStatsMetrics(metrics)
        stats.eventProcessed(.controllerChange, milliseconds: 3)
        stats.eventProcessed(.controllerChange, milliseconds: 4)
        stats.eventProcessed(.brokerChange, milliseconds: 20)
        stats.eventProcessed(.idle, milliseconds: 1)
        let text = metrics.registry.emitToString()
        #expect(BrokerMetricsTests.sample(text, "kafka_controller_controllerstats_controllerchangerateandtimems_count") == 2)
        #expect(BrokerMetricsTests.sample(text, "kafka_controller_controllerstats_leaderelectionrateandtimems_count") == 1)
        #expect(BrokerMetricsTests.sample(text, "kafka_controller_controllerstats_topicchangerateandtimems_count") == 0)
    }
}
