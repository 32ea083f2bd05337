import KafkaCommon

/// Where a log stands with the cleaner (Kafka's `LogCleaningState`). A log with no state is
/// idle: the cleaner may pick it.
public enum LogCleaningState: Sendable, Equatable {
    /// A cleaner thread is cleaning the log (or deleting its old segments).
    case inProgress
    /// Someone asked to abort the cleaning in progress; the cleaner thread has not yet seen it.
    /// Once it does, the log becomes `paused(1)`.
    case aborted
    /// Cleaning is paused, by `count` callers that each resume it once.
    case paused(Int)
}

/// The cleaning state of every log, with Kafka's transitions (`LogCleanerManager`'s `inProgress`
/// map), as a value: `LogCleanerManager` holds one under its lock and waits on its changes.
///
///     idle ──grab──▶ inProgress ──done──▶ idle
///                        │ abortAndPause
///                        ▼
///                     aborted ──done (the thread saw it)──▶ paused(1)
///     idle ──abortAndPause──▶ paused(1) ──abortAndPause──▶ paused(n+1)
///     paused(n) ──resume──▶ paused(n-1), or idle from paused(1)
///
/// Invariant: a log is in at most one state, and only `inProgress` logs are touched by a
/// cleaner thread; a caller of `abortAndPause` may change the log once the state is `paused`.
/// A transition from a state where it makes no sense is a `LogCleaningStateError`, as
/// Kafka's `IllegalStateException`, and leaves the state unchanged.
public struct LogCleaningStates: Sendable, Equatable {
    public private(set) var states: [TopicPartition: LogCleaningState] = [:]

    public init() {}

    public subscript(_ topicPartition: TopicPartition) -> LogCleaningState? { states[topicPartition] }

    /// Idle logs only (no state at all).
    public func isIdle(_ topicPartition: TopicPartition) -> Bool { states[topicPartition] == nil }

    public func isPaused(_ topicPartition: TopicPartition) -> Bool {
        if case .paused = states[topicPartition] { return true }
        return false
    }

    /// The cleaner picked the log (for cleaning or for deleting old segments).
    public mutating func markInProgress(_ topicPartition: TopicPartition) throws(LogCleaningStateError) {
        guard states[topicPartition] == nil else { throw .illegal(topicPartition, "mark in progress", states[topicPartition]) }
        states[topicPartition] = .inProgress
    }

    /// Kafka's `abortAndPauseCleaning`, the state part: an idle log is paused at once, a paused
    /// one once more, one in progress is marked aborted (the caller then waits for `paused`).
    public mutating func abortAndPause(_ topicPartition: TopicPartition) throws(LogCleaningStateError) {
        switch states[topicPartition] {
        case nil: states[topicPartition] = .paused(1)
        case .inProgress: states[topicPartition] = .aborted
        case .paused(let count): states[topicPartition] = .paused(count + 1)
        case .aborted: throw .illegal(topicPartition, "abort and pause", .aborted)
        }
    }

    /// Kafka's `resumeCleaning`: undoes one pause.
    public mutating func resume(_ topicPartition: TopicPartition) throws(LogCleaningStateError) {
        switch states[topicPartition] {
        case .paused(let count) where count > 1: states[topicPartition] = .paused(count - 1)
        case .paused: states[topicPartition] = nil
        case let other: throw .illegal(topicPartition, "resume", other)
        }
    }

    /// Kafka's `doneCleaning` / `doneDeleting`, the state part: true when the work completed
    /// (the log is idle again and the caller records its checkpoint), false when it had been
    /// aborted (the log is now `paused(1)`, and waiters are woken).
    @discardableResult
    public mutating func done(_ topicPartition: TopicPartition) throws(LogCleaningStateError) -> Bool {
        switch states[topicPartition] {
        case .inProgress:
            states[topicPartition] = nil
            return true
        case .aborted:
            states[topicPartition] = .paused(1)
            return false
        case let other: throw .illegal(topicPartition, "finish cleaning", other)
        }
    }

    /// Kafka's `pauseCleaningForNonCompactedPartitions`, for one log: marks an idle log paused so
    /// retention may delete its segments; false (and no change) when it is not idle.
    public mutating func pauseIfIdle(_ topicPartition: TopicPartition) -> Bool {
        guard states[topicPartition] == nil else { return false }
        states[topicPartition] = .paused(1)
        return true
    }

    /// Forgets a log (deleted): whatever its state.
    public mutating func remove(_ topicPartition: TopicPartition) { states[topicPartition] = nil }
}

public enum LogCleaningStateError: Error, Sendable, Equatable, CustomStringConvertible {
    case illegal(TopicPartition, String, LogCleaningState?)

    public var description: String {
        switch self {
        case .illegal(let tp, let action, let state):
            "Cannot \(action) for partition \(tp) in state \(state.map { "\($0)" } ?? "idle")"
        }
    }
}
