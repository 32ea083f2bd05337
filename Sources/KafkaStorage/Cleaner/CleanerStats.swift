/// What one cleaning of one log did (Kafka's `CleanerStats`): the figures behind the cleaner's
/// per-run summary. Times are left to the caller, which owns the clock.
public struct CleanerStats: Sendable, Equatable {
    /// Records and bytes scanned while building the offset map.
    public var mapMessagesRead = 0
    public var mapBytesRead = 0
    /// Records and bytes read by the copy pass, and what it wrote back.
    public var messagesRead = 0
    public var bytesRead = 0
    public var messagesWritten = 0
    public var bytesWritten = 0
    /// Records without a key met by the copy pass (dropped: a compacted log cannot keep them).
    public var invalidMessagesRead = 0
    /// The offset map's fill once the map was built (`size / slots`).
    public var bufferUtilization = 0.0
    /// Monotonic clock readings (nanoseconds): the run's start, the offset map's completion, and
    /// the end of the copy pass.
    public var startNanos: UInt64 = 0
    public var mapCompleteNanos: UInt64 = 0
    public var endNanos: UInt64 = 0

    public init() {}
}

/// Thrown from a `Cleaner.swapCrashPoint` to stop a cleaning as a crash would: the cleaner leaves
/// the files as they are instead of deleting its `.cleaned` output.
public struct SimulatedCrash: Error, Equatable, Sendable {
    public init() {}
}
