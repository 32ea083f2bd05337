import KafkaRecords

/// What an append wrote (Kafka's `LogAppendInfo` as the log fills it after writing).
public struct LogAppendResult: Sendable, Equatable {
    public var firstOffset: Int64
    public var lastOffset: Int64
    /// The largest timestamp appended (`logAppendTime` for LogAppendTime topics), −1 when none.
    public var maxTimestamp: Int64
    public var offsetOfMaxTimestamp: Int64
    /// The broker's time for LogAppendTime topics, else −1 (the Produce response's field).
    public var logAppendTime: Int64
    /// The log start offset after the append (the Produce response's field).
    public var logStartOffset: Int64
    /// Bytes written.
    public var validBytes: Int
    /// Number of batches written.
    public var shallowCount: Int
    /// True when nothing was written because the batch is a producer's retry of one already in
    /// the log (its sequence range matches one of the producer's last five batches): the offsets
    /// and timestamp are those of the original batch.
    public var isDuplicate = false
}

extension LocalLog {
    /// Appends records from a producer (or the broker's coordinators) as the partition's leader
    /// (Kafka's `appendAsLeader`): `LogValidator` checks them and assigns offsets from the log
    /// end offset and the leader epoch, in place when it can; then they are written.
    ///
    /// `records` is consumed: when the caller keeps no other reference to its buffer, the
    /// validator rewrites offsets in place and the same bytes are written to the file, uncopied.
    ///
    /// Once written, `leaderEpoch` is assigned to the first offset in the leader epoch cache
    /// (a no-op unless it is a new epoch).
    ///
    /// The producer state checks the batch before it is written (`ProducerAppendInfo`): a retry of
    /// one of the producer's last five batches writes nothing and returns the original offsets
    /// (`isDuplicate`); a sequence or epoch violation throws `ProducerStateError`.
    ///
    /// Throws `RecordBatchError` when the records are refused (answer the partition with its
    /// `kafkaErrorCode`; the log is unchanged), `LogError.invalidLeaderEpoch` for a negative
    /// epoch (nothing written), `StorageError` when the disk fails.
    @discardableResult
    public func appendAsLeader(_ records: consuming MemoryRecords, leaderEpoch: Int32, origin: AppendOrigin = .client) throws -> LogAppendResult {
        try ensureOpen()
        guard leaderEpoch >= 0 else { throw LogError.invalidLeaderEpoch(epoch: leaderEpoch, startOffset: logEndOffset) }
        let now = time.milliseconds
        let validated = try LogValidator.validateMessagesAndAssignOffsets(
            records, offsetCounter: logEndOffset, now: now, partitionLeaderEpoch: leaderEpoch, origin: origin,
            config: config.validatorConfig)
        let producerState = try analyzeAndValidateProducerState(validated.validatedRecords, origin: origin)
        if let duplicate = producerState.duplicate {
            // A producer's retry of a batch already written: answered with its first offsets.
            return LogAppendResult(
                firstOffset: duplicate.firstOffset, lastOffset: duplicate.lastOffset, maxTimestamp: duplicate.timestamp,
                offsetOfMaxTimestamp: duplicate.lastOffset,
                logAppendTime: config.messageTimestampType == .logAppendTime ? duplicate.timestamp : -1,
                logStartOffset: logStartOffset, validBytes: 0, shallowCount: 0, isDuplicate: true)
        }
        let result = LogAppendResult(
            firstOffset: validated.firstOffset, lastOffset: validated.lastOffset, maxTimestamp: validated.maxTimestamp,
            offsetOfMaxTimestamp: validated.shallowOffsetOfMaxTimestamp, logAppendTime: validated.logAppendTime,
            logStartOffset: logStartOffset, validBytes: validated.validatedRecords.sizeInBytes, shallowCount: 1)
        try write(validated.validatedRecords, result)
        try applyProducerState(producerState, lastOffset: result.lastOffset)
        try assignLeaderEpoch(leaderEpoch, startOffset: result.firstOffset)
        return result
    }

    /// Appends what a follower fetched from its leader (Kafka's `appendAsFollower`): offsets and
    /// epochs are kept as sent; each batch is checked shallowly (size, CRC, codec) and the offsets
    /// must increase and start at or after the log end offset. A trailing partial batch is
    /// dropped (the next fetch brings it whole). Returns nil when there was no complete batch.
    ///
    /// Once written, each batch's partition leader epoch is assigned to its base offset in the
    /// leader epoch cache (Kafka does this per batch for appends that keep their offsets). A
    /// batch with a negative epoch refuses the whole append (`LogError.invalidLeaderEpoch`,
    /// nothing written).
    @discardableResult
    public func appendAsFollower(_ records: MemoryRecords) throws -> LogAppendResult? {
        try ensureOpen()
        let info = try LogValidator.analyzeAndValidateRecords(records, origin: .replication, maxMessageBytes: config.maxMessageSize)
        guard info.shallowCount > 0, let firstOffset = info.firstOffset else { return nil }
        guard info.offsetsMonotonic else {
            throw RecordBatchError.invalidRecord("out of order offsets in records appended to \(topicPartition)")
        }
        guard firstOffset >= logEndOffset else {
            throw LogError.unexpectedAppendOffset(firstOffset: firstOffset, logEndOffset: logEndOffset)
        }
        let result = LogAppendResult(
            firstOffset: firstOffset, lastOffset: info.lastOffset, maxTimestamp: info.maxTimestamp,
            offsetOfMaxTimestamp: info.offsetOfMaxTimestamp, logAppendTime: -1, logStartOffset: logStartOffset,
            validBytes: info.validBytes, shallowCount: info.shallowCount)
        try checkPartitionLeaderEpochs(of: info.validRecords)
        let producerState = try analyzeAndValidateProducerState(info.validRecords, origin: .replication)
        try write(info.validRecords, result)
        try applyProducerState(producerState, lastOffset: result.lastOffset)
        try assignEpochStartOffsets(of: info.validRecords)
        return result
    }

    /// Rolls if needed, writes the bytes to the active segment, moves the log end offset and
    /// applies the `flush.messages` policy.
    private func write(_ records: MemoryRecords, _ result: LogAppendResult) throws {
        guard records.sizeInBytes <= config.segmentBytes else {
            throw RecordBatchError.recordListTooLarge(size: records.sizeInBytes, limit: config.segmentBytes)
        }
        let segment = try maybeRoll(messagesSize: records.sizeInBytes, result)
        try segment.append(
            largestOffset: result.lastOffset, largestTimestamp: result.maxTimestamp,
            shallowOffsetOfMaxTimestamp: result.offsetOfMaxTimestamp, records: records)
        try updateLogEndOffset(result.lastOffset + 1)
        if unflushedMessages >= config.flushInterval { try flush() }
    }

    /// The segment to append to: the active one, or a new one when `LogSegment.shouldRoll` says
    /// so (size, age, full index, or offsets that no longer fit 32 bits from its base).
    private func maybeRoll(messagesSize: Int, _ result: LogAppendResult) throws -> LogSegment {
        let segment = activeSegment
        let params = RollParams(
            maxSegmentMs: config.segmentMs, maxSegmentBytes: config.segmentBytes, maxTimestampInMessages: result.maxTimestamp,
            maxOffsetInMessages: result.lastOffset, messagesSize: messagesSize, now: time.milliseconds)
        guard segment.shouldRoll(params) else { return segment }
        logger.debug("Rolling new log segment", metadata: [
            "size": "\(segment.size)", "maxSegmentBytes": "\(config.segmentBytes)",
            "offsetIndexFull": "\(segment.offsetIndex.isFull)", "timeIndexFull": "\(segment.timeIndex.isFull)",
        ])
        return try roll(expectedNextOffset: result.firstOffset)
    }
}
