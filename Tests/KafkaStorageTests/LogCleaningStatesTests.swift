import KafkaCommon
import Testing

@testable import KafkaStorage

/// The cleaning states and Kafka's transitions between them, as a value.
@Suite struct LogCleaningStatesTests {
    let tp = TopicPartition("compacted", 0)

    /// Whether `transition` is refused, leaving the states as they were.
    enum Transition { case markInProgress, abortAndPause, resume, done }

    func refused(_ states: LogCleaningStates, _ transition: Transition) -> Bool {
        var copy = states
        do {
            switch transition {
            case .markInProgress: try copy.markInProgress(tp)
            case .abortAndPause: try copy.abortAndPause(tp)
            case .resume: try copy.resume(tp)
            case .done: try copy.done(tp)
            }
            return false
        } catch {
            return copy == states
        }
    }

    @Test func aCleaningRunsFromIdleToInProgressAndBack() throws {
        var states = LogCleaningStates()
        #expect(states.isIdle(tp))
        try states.markInProgress(tp)
        #expect(states[tp] == .inProgress)
        #expect(refused(states, .markInProgress))
        let completed = try states.done(tp)
        #expect(completed)
        #expect(states.isIdle(tp))
    }

    @Test func abortingACleaningInProgressPausesItOnceTheThreadIsDone() throws {
        var states = LogCleaningStates()
        try states.markInProgress(tp)
        try states.abortAndPause(tp)
        #expect(states[tp] == .aborted)
        #expect(!states.isPaused(tp))
        // A second abort while the thread has not yet seen the first is refused.
        #expect(refused(states, .abortAndPause))
        let completed = try states.done(tp)
        #expect(!completed)
        #expect(states[tp] == .paused(1))
        try states.resume(tp)
        #expect(states.isIdle(tp))
    }

    @Test func pausesNestAndEachResumeUndoesOne() throws {
        var states = LogCleaningStates()
        try states.abortAndPause(tp)
        try states.abortAndPause(tp)
        #expect(states[tp] == .paused(2))
        #expect(refused(states, .markInProgress))
        try states.resume(tp)
        #expect(states[tp] == .paused(1))
        try states.resume(tp)
        #expect(states.isIdle(tp))
        #expect(refused(states, .resume))
        #expect(refused(states, .done))
    }

    @Test func retentionPausesOnlyIdleLogs() throws {
        var states = LogCleaningStates()
        let first = states.pauseIfIdle(tp)
        #expect(first)
        #expect(states[tp] == .paused(1))
        let second = states.pauseIfIdle(tp)
        #expect(!second)
        try states.resume(tp)
        try states.markInProgress(tp)
        let whileInProgress = states.pauseIfIdle(tp)
        #expect(!whileInProgress)
        #expect(states[tp] == .inProgress)
    }
}
