import NIOCore

/// Who is appending: the rules differ. Kafka's `AppendOrigin`.
public enum AppendOrigin: Sendable, Hashable {
    /// A producer, through a Produce request: the strictest rules (base offset 0, no control
    /// batches, consistent counts and sequences).
    case client
    /// The broker itself (group or transaction coordinator, transaction markers): control batches
    /// allowed.
    case coordinator
    /// A follower appending what it fetched from the leader: offsets are kept, nothing is
    /// rewritten (see `LogValidator.analyzeAndValidateRecords`).
    case replication
}

/// The append-time checks of a partition leader, and offset assignment. Kafka's `LogValidator`
/// (plus the record checks of `Log.analyzeAndValidateRecords`).
///
/// `validateMessagesAndAssignOffsets` takes the records of one partition from a Produce request
/// (or from a coordinator) and returns them ready to be written to the log:
///
/// 1. A v2 record set must hold exactly one complete batch: no trailing bytes, no second batch,
///    no partial batch (Kafka's rule since magic 2). Magic 0/1 sets are up-converted (step 5).
/// 2. The batch: size ≤ `maxMessageBytes` (MESSAGE_TOO_LARGE), CRC-32C (CORRUPT_MESSAGE), a known
///    codec (UNSUPPORTED_COMPRESSION_TYPE); from clients: baseOffset 0, recordCount > 0 and equal
///    to lastOffsetDelta + 1, a sequence when there is a producer id, not a control batch
///    (CORRUPT_MESSAGE, Kafka 2.3's InvalidRecordException); a producer must not claim LogAppendTime (INVALID_TIMESTAMP).
/// 3. Each record (decompressed if need be, bounded by `maxDecompressedBytes`): well formed,
///    offsetDelta equal to its index (contiguous from 0), a key on a compacted topic, and with
///    CreateTime a timestamp within `messageTimestampDifferenceMaxMs` of `now`.
/// 4. Offsets: when the topic keeps the producer's codec (`compression.type=producer`, or the same
///    codec), the batch is rewritten **in place**: baseOffset = the next offset of the log,
///    partitionLeaderEpoch = the leader's, maxTimestamp = the largest record timestamp (or `now`
///    with the LogAppendTime bit, for a LogAppendTime topic), and the CRC when maxTimestamp or the
///    attributes changed. The record bytes are untouched. Otherwise the records are re-encoded
///    with the topic's codec by `MemoryRecordsBuilder`, keeping producer id, epoch, sequence and
///    the transactional and control flags.
/// 5. Magic 0/1 (Produce v0–v2): every message's CRC-32 is checked, wrappers are decompressed
///    (one wrapper at most; inner offsets of magic 1 contiguous from 0), the records are checked as
///    in step 3, and everything becomes one v2 batch (`LegacyMessageSet`).
///
/// The function is pure: no I/O, no locks; the caller holds the partition's append lock so that
/// `offsetCounter` is the log end offset.
public enum LogValidator {
    /// The topic configuration the checks depend on (Kafka's LogConfig keys in the comments).
    public struct Config: Sendable, Hashable {
        /// `max.message.bytes`: the largest batch, after any re-encoding.
        public var maxMessageBytes: Int
        /// `message.timestamp.type`.
        public var messageTimestampType: TimestampType
        /// `message.timestamp.difference.max.ms` (CreateTime only).
        public var messageTimestampDifferenceMaxMs: Int64
        /// `compression.type`.
        public var compressionType: BrokerCompressionType
        /// `cleanup.policy` contains `compact`: records need keys.
        public var isCompacted: Bool
        /// The bound on a batch's decompressed records (not a Kafka setting).
        public var maxDecompressedBytes: Int

        public init(
            maxMessageBytes: Int = 1_000_012,
            messageTimestampType: TimestampType = .createTime,
            messageTimestampDifferenceMaxMs: Int64 = .max,
            compressionType: BrokerCompressionType = .producer,
            isCompacted: Bool = false,
            maxDecompressedBytes: Int = CompressionCodec.defaultDecompressionLimit
        ) {
            self.maxMessageBytes = maxMessageBytes
            self.messageTimestampType = messageTimestampType == .noTimestampType ? .createTime : messageTimestampType
            self.messageTimestampDifferenceMaxMs = max(0, messageTimestampDifferenceMaxMs)
            self.compressionType = compressionType
            self.isCompacted = isCompacted
            self.maxDecompressedBytes = maxDecompressedBytes
        }
    }

    /// What the validated append will write, and what the log needs to index it. Kafka's
    /// `ValidationAndOffsetAssignResult` with the offsets of `LogAppendInfo`.
    public struct ValidationResult: Sendable {
        /// The bytes to append: the input rewritten in place, or a new batch.
        public var validatedRecords: MemoryRecords
        public var firstOffset: Int64
        public var lastOffset: Int64
        public var recordCount: Int
        /// The batch's maxTimestamp as written (`now` for LogAppendTime).
        public var maxTimestamp: Int64
        /// The offset the time index should point at for `maxTimestamp` (the record's own offset
        /// for uncompressed CreateTime batches, the batch's last offset otherwise), −1 when no
        /// record has a timestamp.
        public var shallowOffsetOfMaxTimestamp: Int64
        /// `now` when the topic uses LogAppendTime, else −1 (the Produce response's
        /// `log_append_time`).
        public var logAppendTime: Int64
        public var sourceCompression: CompressionType
        public var targetCompression: CompressionType
        /// True when the records were re-encoded (recompressed or up-converted).
        public var messageSizeMaybeChanged: Bool

        public var nextOffset: Int64 { lastOffset + 1 }
    }

    /// Validates `records` for an append at `offsetCounter` (the log end offset) and assigns its
    /// offsets. See the type's documentation for the rules. Throws the first violation found;
    /// the caller answers the partition with `error.kafkaErrorCode`.
    public static func validateMessagesAndAssignOffsets(
        _ records: consuming MemoryRecords,
        offsetCounter: Int64,
        now: Int64,
        partitionLeaderEpoch: Int32,
        origin: AppendOrigin = .client,
        config: Config = Config()
    ) throws(RecordBatchError) -> ValidationResult {
        guard let magic = records.firstMagic else {
            if records.isEmpty { throw .invalidRecord("the record set holds no batch") }
            throw .corruptMessage("record set of \(records.sizeInBytes) bytes is shorter than a batch header")
        }
        switch magic {
        case RecordBatch.currentMagic:
            let plan = try validateBatch(records, offsetCounter: offsetCounter, now: now, origin: origin, config: config)
            if let rebuilt = plan.rebuilt {
                return try rebuild(rebuilt, plan: plan, offsetCounter: offsetCounter, now: now, partitionLeaderEpoch: partitionLeaderEpoch, config: config)
            }
            return assignInPlace(records, plan: plan, offsetCounter: offsetCounter, now: now, partitionLeaderEpoch: partitionLeaderEpoch, config: config)
        case 0, 1:
            return try upConvert(records, offsetCounter: offsetCounter, now: now, partitionLeaderEpoch: partitionLeaderEpoch, origin: origin, config: config)
        default:
            throw .unsupportedMagic(magic)
        }
    }

    // MARK: - RecordBatch v2

    /// What validation learnt about the one batch, with no view into the buffer kept (so that the
    /// in-place rewrite finds the storage uniquely referenced).
    struct BatchPlan {
        var recordCount: Int
        var lastOffsetDelta: Int32
        var maxRecordTimestamp: Int64
        var offsetDeltaOfMaxTimestamp: Int32
        var sourceCompression: CompressionType
        var targetCompression: CompressionType
        /// Set when the records must be re-encoded: the batch's header fields and its records.
        var rebuilt: (header: RebuildHeader, records: [DefaultRecord])?
    }

    struct RebuildHeader {
        var producerId: Int64
        var producerEpoch: Int16
        var baseSequence: Int32
        var isTransactional: Bool
        var isControlBatch: Bool
    }

    static func validateBatch(
        _ records: MemoryRecords,
        offsetCounter: Int64,
        now: Int64,
        origin: AppendOrigin,
        config: Config
    ) throws(RecordBatchError) -> BatchPlan {
        var iterator = records.batches
        let first = iterator.next()
        let second = first == nil ? nil : iterator.next()
        switch iterator.end {
        case .partialBatch(let position, let size, let available):
            throw .corruptMessage("truncated record batch at byte \(position): \(available) of \(size.map(String.init) ?? "?") bytes")
        case .corrupt(_, let error):
            throw error
        case .legacyFormat(_, let magic):
            throw .invalidRecord("a magic \(magic) message follows a magic 2 batch")
        case .complete, nil:
            break
        }
        guard let batch = first else { throw .invalidRecord("the record set holds no batch") }
        guard second == nil else { throw .invalidRecord("a magic 2 produce must hold exactly one record batch") }
        guard batch.sizeInBytes <= config.maxMessageBytes else {
            throw .messageTooLarge(size: batch.sizeInBytes, limit: config.maxMessageBytes)
        }
        try batch.ensureValid()
        guard let source = batch.compressionType else { throw .unsupportedCompressionType(batch.compressionId) }

        let count = batch.recordCount
        if origin == .client {
            guard batch.baseOffset == 0 else {
                throw .invalidRecord("the base offset of a produced batch must be 0, not \(batch.baseOffset)")
            }
            guard count > 0 else { throw .invalidRecord("invalid record count \(count)") }
            guard Int64(batch.lastOffsetDelta) + 1 == Int64(count) else {
                throw .invalidRecord("lastOffsetDelta \(batch.lastOffsetDelta) disagrees with the record count \(count)")
            }
            if batch.hasProducerId && batch.baseSequence < 0 {
                throw .invalidRecord("invalid sequence \(batch.baseSequence) for producer id \(batch.producerId)")
            }
            guard !batch.isControlBatch else { throw .invalidRecord("clients may not write control batches") }
        }
        guard batch.timestampType != .logAppendTime else {
            throw .invalidTimestamp("a producer may not set the LogAppendTime timestamp type")
        }

        var target = config.compressionType.target(forSource: source)
        // Kafka leaves uncompressed control batches uncompressed whatever the topic's codec.
        if source == .none && batch.isControlBatch { target = .none }
        let keep = target != source
        var kept: [DefaultRecord] = []
        var maxTimestamp = RecordBatch.noTimestamp
        var deltaOfMax: Int32 = -1
        var index: Int32 = 0
        var lastDelta: Int32 = -1
        var iteratorOfRecords = try batch.records(decompressionLimit: config.maxDecompressedBytes)
        while let record = try iteratorOfRecords.next() {
            guard record.offsetDelta == index else {
                throw .invalidRecord("record \(index) of the batch has offset delta \(record.offsetDelta)")
            }
            try validateRecord(
                hasKey: record.hasKey, timestamp: record.timestamp, offset: offsetCounter &+ Int64(index), now: now, config: config)
            if record.timestamp > maxTimestamp {
                maxTimestamp = record.timestamp
                deltaOfMax = record.offsetDelta
            }
            if keep { kept.append(record) }
            lastDelta = record.offsetDelta
            index += 1
        }
        guard index > 0 || origin != .client else { throw .invalidRecord("empty record batch") }
        guard lastDelta == batch.lastOffsetDelta || index == 0 else {
            throw .invalidRecord("the last record's offset delta \(lastDelta) differs from lastOffsetDelta \(batch.lastOffsetDelta)")
        }
        var plan = BatchPlan(
            recordCount: Int(index), lastOffsetDelta: batch.lastOffsetDelta, maxRecordTimestamp: maxTimestamp,
            offsetDeltaOfMaxTimestamp: deltaOfMax, sourceCompression: source, targetCompression: target, rebuilt: nil)
        if keep {
            let header = RebuildHeader(
                producerId: batch.producerId, producerEpoch: batch.producerEpoch, baseSequence: batch.baseSequence,
                isTransactional: batch.isTransactional, isControlBatch: batch.isControlBatch)
            plan.rebuilt = (header, kept)
        }
        return plan
    }

    /// Kafka's `validateRecord`: keys on compacted topics, CreateTime timestamps near `now`.
    static func validateRecord(hasKey: Bool, timestamp: Int64, offset: Int64, now: Int64, config: Config) throws(RecordBatchError) {
        if config.isCompacted && !hasKey {
            throw .invalidRecord("a compacted topic cannot accept a record without a key (offset \(offset))")
        }
        if config.messageTimestampType == .createTime && timestamp != RecordBatch.noTimestamp {
            let (difference, overflow) = timestamp.subtractingReportingOverflow(now)
            if overflow || difference.magnitude > UInt64(config.messageTimestampDifferenceMaxMs) {
                throw .invalidTimestamp(
                    "timestamp \(timestamp) of the record at offset \(offset) is more than \(config.messageTimestampDifferenceMaxMs) ms from the broker's \(now)")
            }
        }
    }

    static func assignInPlace(
        _ records: consuming MemoryRecords,
        plan: BatchPlan,
        offsetCounter: Int64,
        now: Int64,
        partitionLeaderEpoch: Int32,
        config: Config
    ) -> ValidationResult {
        let lastOffset = offsetCounter &+ Int64(plan.lastOffsetDelta)
        let logAppend = config.messageTimestampType == .logAppendTime
        let maxTimestamp = logAppend ? now : plan.maxRecordTimestamp
        records.setBaseOffset(offsetCounter, ofBatchAt: 0)
        records.setPartitionLeaderEpoch(partitionLeaderEpoch, ofBatchAt: 0)
        records.setMaxTimestamp(maxTimestamp, type: logAppend ? .logAppendTime : .createTime, ofBatchAt: 0)
        let shallowOffset: Int64
        if logAppend || plan.sourceCompression != .none {
            shallowOffset = lastOffset
        } else {
            shallowOffset = plan.offsetDeltaOfMaxTimestamp < 0 ? -1 : offsetCounter &+ Int64(plan.offsetDeltaOfMaxTimestamp)
        }
        return ValidationResult(
            validatedRecords: records, firstOffset: offsetCounter, lastOffset: lastOffset, recordCount: plan.recordCount,
            maxTimestamp: maxTimestamp, shallowOffsetOfMaxTimestamp: shallowOffset, logAppendTime: logAppend ? now : RecordBatch.noTimestamp,
            sourceCompression: plan.sourceCompression, targetCompression: plan.targetCompression, messageSizeMaybeChanged: false)
    }

    static func rebuild(
        _ rebuilt: (header: RebuildHeader, records: [DefaultRecord]),
        plan: BatchPlan,
        offsetCounter: Int64,
        now: Int64,
        partitionLeaderEpoch: Int32,
        config: Config
    ) throws(RecordBatchError) -> ValidationResult {
        let logAppend = config.messageTimestampType == .logAppendTime
        var builder = MemoryRecordsBuilder(
            baseOffset: offsetCounter, compression: plan.targetCompression,
            timestampType: logAppend ? .logAppendTime : .createTime, logAppendTime: now,
            producerId: rebuilt.header.producerId, producerEpoch: rebuilt.header.producerEpoch,
            baseSequence: rebuilt.header.baseSequence, isTransactional: rebuilt.header.isTransactional,
            isControlBatch: rebuilt.header.isControlBatch, partitionLeaderEpoch: partitionLeaderEpoch,
            expectedRecordsSize: rebuilt.records.reduce(0) { $0 + $1.sizeInBytes })
        for (index, record) in rebuilt.records.enumerated() {
            try builder.append(record, offset: offsetCounter &+ Int64(index))
        }
        return try finish(builder, offsetCounter: offsetCounter, now: now, source: plan.sourceCompression, config: config)
    }

    /// Builds, checks the new size, and reports, for every re-encoding path.
    static func finish(
        _ builder: MemoryRecordsBuilder,
        offsetCounter: Int64,
        now: Int64,
        source: CompressionType,
        config: Config
    ) throws(RecordBatchError) -> ValidationResult {
        let records = try builder.buildRecords()
        guard records.sizeInBytes <= config.maxMessageBytes else {
            throw .messageTooLarge(size: records.sizeInBytes, limit: config.maxMessageBytes)
        }
        let logAppend = builder.timestampType == .logAppendTime
        let lastOffset = builder.nextOffset - 1
        let shallowOffset = logAppend || builder.compression != .none ? lastOffset : builder.offsetOfMaxTimestamp
        return ValidationResult(
            validatedRecords: records, firstOffset: offsetCounter, lastOffset: lastOffset, recordCount: builder.recordCount,
            maxTimestamp: builder.maxTimestamp, shallowOffsetOfMaxTimestamp: shallowOffset,
            logAppendTime: logAppend ? now : RecordBatch.noTimestamp, sourceCompression: source,
            targetCompression: builder.compression, messageSizeMaybeChanged: true)
    }

    // MARK: - Magic 0 and 1

    static func upConvert(
        _ records: MemoryRecords,
        offsetCounter: Int64,
        now: Int64,
        partitionLeaderEpoch: Int32,
        origin: AppendOrigin,
        config: Config
    ) throws(RecordBatchError) -> ValidationResult {
        let entries = try LegacyMessageSet.entries(records.buffer)
        guard let first = entries.first else { throw .invalidRecord("the record set holds no message") }
        var source = CompressionType.none
        for entry in entries {
            guard entry.sizeInBytes <= config.maxMessageBytes else {
                throw .messageTooLarge(size: entry.sizeInBytes, limit: config.maxMessageBytes)
            }
            guard entry.magic == first.magic else {
                throw .invalidRecord("message magic \(entry.magic) differs from the first message's \(first.magic)")
            }
            if entry.isCompressed { source = try entry.compressionType() }
        }
        if source != .none && entries.count > 1 {
            throw .invalidRecord("a compressed produce must hold exactly one wrapper message")
        }
        var deep: [LegacyRecord] = []
        for entry in entries {
            if entry.timestampType == .logAppendTime {
                throw .invalidTimestamp("a producer may not set the LogAppendTime timestamp type")
            }
            deep.append(contentsOf: try LegacyMessageSet.deepRecords(of: entry, decompressionLimit: config.maxDecompressedBytes))
        }
        for (index, record) in deep.enumerated() {
            if origin == .client && source != .none && first.magic >= 1 && record.storedOffset != Int64(index) {
                throw .invalidRecord("inner message \(index) of the wrapper has offset \(record.storedOffset)")
            }
            try validateRecord(
                hasKey: record.hasKey, timestamp: record.timestamp, offset: offsetCounter &+ Int64(index), now: now, config: config)
        }
        let logAppend = config.messageTimestampType == .logAppendTime
        var builder = MemoryRecordsBuilder(
            baseOffset: offsetCounter, compression: config.compressionType.target(forSource: source),
            timestampType: logAppend ? .logAppendTime : .createTime, logAppendTime: now,
            partitionLeaderEpoch: partitionLeaderEpoch,
            expectedRecordsSize: deep.reduce(0) { $0 + $1.sizeInBytes })
        for record in deep {
            builder.append(timestamp: record.timestamp, key: record.key, value: record.value)
        }
        return try finish(builder, offsetCounter: offsetCounter, now: now, source: source, config: config)
    }
}

// MARK: - Shallow analysis (every append, followers included)

/// The shallow summary of a record set that a log needs before appending it, computed without
/// decompressing anything. Kafka's `LogAppendInfo` as filled by `analyzeAndValidateRecords`.
public struct LogAppendInfo: Sendable {
    /// baseOffset of the first batch (nil when the set has no complete batch).
    public var firstOffset: Int64?
    /// lastOffset of the last complete batch, −1 when none.
    public var lastOffset: Int64
    /// The largest batch maxTimestamp, −1 when none.
    public var maxTimestamp: Int64
    /// lastOffset of the batch holding `maxTimestamp`, −1 when none.
    public var offsetOfMaxTimestamp: Int64
    /// Number of complete batches.
    public var shallowCount: Int
    /// Bytes of complete batches, from the start of the set.
    public var validBytes: Int
    /// False when a batch's lastOffset does not exceed the previous one's.
    public var offsetsMonotonic: Bool
    /// The codec of the last compressed batch (`.none` if none is).
    public var sourceCompression: CompressionType
    /// partitionLeaderEpoch of the last batch, −1 when none.
    public var lastLeaderEpoch: Int32
    /// How iteration ended: `.complete`, or `.partialBatch` for a trailing fragment (which a
    /// follower drops: it is the next fetch's first batch).
    public var end: RecordBatchIterator.End
    /// The valid prefix of the set (a slice: the trailing partial batch trimmed off, no copy).
    public var validRecords: MemoryRecords
}

extension LogValidator {
    /// Kafka's `analyzeAndValidateRecords`: the shallow checks every append makes, leader or
    /// follower: for each complete v2 batch, baseOffset 0 from clients (CORRUPT_MESSAGE), size ≤
    /// `maxMessageBytes` (MESSAGE_TOO_LARGE), CRC-32C (CORRUPT_MESSAGE), a known codec
    /// (UNSUPPORTED_COMPRESSION_TYPE). A trailing partial batch stops the walk (and is left out of
    /// `validRecords`); a corrupt entry or a legacy message throws.
    ///
    /// A follower appends `validRecords` with the leader's offsets after checking
    /// `offsetsMonotonic` and that `firstOffset` is its log end offset.
    public static func analyzeAndValidateRecords(
        _ records: MemoryRecords,
        origin: AppendOrigin,
        maxMessageBytes: Int
    ) throws(RecordBatchError) -> LogAppendInfo {
        var info = LogAppendInfo(
            firstOffset: nil, lastOffset: -1, maxTimestamp: RecordBatch.noTimestamp, offsetOfMaxTimestamp: -1,
            shallowCount: 0, validBytes: 0, offsetsMonotonic: true, sourceCompression: .none,
            lastLeaderEpoch: RecordBatch.noPartitionLeaderEpoch, end: .complete, validRecords: .empty)
        var iterator = records.batches
        while let batch = iterator.next() {
            if origin == .client && batch.baseOffset != 0 {
                throw .invalidRecord("the base offset of a produced batch must be 0, not \(batch.baseOffset)")
            }
            guard batch.sizeInBytes <= maxMessageBytes else {
                throw .messageTooLarge(size: batch.sizeInBytes, limit: maxMessageBytes)
            }
            try batch.ensureValid()
            guard let compression = batch.compressionType else { throw .unsupportedCompressionType(batch.compressionId) }
            if info.firstOffset == nil { info.firstOffset = batch.baseOffset }
            if info.lastOffset >= batch.lastOffset { info.offsetsMonotonic = false }
            info.lastOffset = batch.lastOffset
            if batch.maxTimestamp > info.maxTimestamp {
                info.maxTimestamp = batch.maxTimestamp
                info.offsetOfMaxTimestamp = batch.lastOffset
            }
            if compression != .none { info.sourceCompression = compression }
            info.lastLeaderEpoch = batch.partitionLeaderEpoch
            info.shallowCount += 1
        }
        let end = iterator.end ?? .complete
        switch end {
        case .complete, .partialBatch:
            break
        case .corrupt(_, let error):
            throw error
        case .legacyFormat(let position, let magic):
            throw .invalidRecord("magic \(magic) message at byte \(position): this log stores magic 2 batches only")
        }
        info.end = end
        info.validBytes = iterator.validBytes
        let buffer = records.buffer
        info.validRecords = MemoryRecords(buffer.getSlice(at: buffer.readerIndex, length: iterator.validBytes) ?? ByteBuffer())
        return info
    }
}
