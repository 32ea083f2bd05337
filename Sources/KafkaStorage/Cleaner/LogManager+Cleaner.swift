import KafkaCommon

extension LogManager {
    /// The log cleaner, nil when `log.cleaner.enable` is false (or no cleaner config was given).
    /// Started by `startup`, stopped first thing by `shutdown`.
    public var cleaner: LogCleaner? { cleanerSlot.withLock { $0 } }

    func makeCleaner(_ config: LogCleanerConfig) {
        let cleaner = LogCleaner(
            config: config, logDirs: logDirs,
            logs: { [weak self] in self?.state.withLock { $0.logs } ?? [:] }, time: time)
        cleanerSlot.withLock { $0 = cleaner }
    }

    /// Lets `log`'s truncations pause the cleaner (see `Log.withCleaningPaused`).
    func attachCleaner(_ log: Log) {
        guard let manager = cleaner?.manager else { return }
        log.cleanerManager.withLock { $0 = manager }
    }
}

extension Log {
    /// Runs `body`, a truncation of this log, with its cleaning aborted and paused (Kafka's
    /// `LogManager.truncateTo` and `truncateFullyAndStartAt`): no cleaner thread reads the log
    /// while `body` runs. Afterwards the cleaner checkpoint is lowered to the active segment's
    /// base offset when it lay above it, and cleaning resumes. A log of a broker without a
    /// cleaner, or not compacted, just runs `body`, as does a truncation to `truncatingTo` at or
    /// above the active segment's base offset (it cuts only the active segment, which the
    /// cleaner never reads). Never call it holding the log's lock.
    public func withCleaningPaused<Result>(truncatingTo offset: Int64? = nil, _ body: () throws -> Result) rethrows -> Result {
        guard let manager = cleanerManager.withLock({ $0 }),
              withLock({ log in log.config.isCompact && offset.map { $0 < log.activeSegment.baseOffset } ?? true })
        else { return try body() }
        manager.abortAndPauseCleaning(topicPartition)
        defer { manager.resumeCleaning([topicPartition]) }
        let result = try body()
        if let active = withLock({ $0.isClosed ? nil : $0.activeSegment.baseOffset }) {
            manager.maybeTruncateCheckpoint(LogManager.parentDir(of: self), topicPartition, offset: active)
        }
        return result
    }
}

extension Log {
    /// Runs `body`, a deletion of this log's oldest segments, unless a cleaner thread is busy
    /// with the log: a compacted log of a broker with a cleaner is paused for it when idle
    /// (Kafka's `pauseCleaningForNonCompactedPartitions` for one log) and resumed afterwards;
    /// when it is being cleaned, `body` is skipped (nil) and the next retention pass deletes.
    /// Never call it holding the log's lock.
    public func ifCleaningIdle<Result>(_ body: () throws -> Result) rethrows -> Result? {
        guard let manager = cleanerManager.withLock({ $0 }), withLock({ $0.config.isCompact }) else { return try body() }
        guard manager.pauseIfIdle(topicPartition) else { return nil }
        defer { manager.resumeCleaning([topicPartition], quietly: true) }
        return try body()
    }
}
