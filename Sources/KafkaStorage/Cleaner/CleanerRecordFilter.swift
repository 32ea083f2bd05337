import KafkaRecords
import NIOCore

/// What the cleaner's copy pass keeps of one chunk of a segment (Kafka's `MemoryRecords.filterTo`
/// driven by the cleaner's `RecordFilter`), as a value: the retained batches and the figures the
/// destination segment's `append` needs.
///
/// Batch by batch, first the batch (Kafka's `checkBatchRetention`), through the cleaning's
/// `CleanedTransactionMetadata`:
/// - **Discarding the records of a batch.** A data batch of an aborted transaction loses all its
///   records whatever their keys. A marker loses its record when its transaction has no data
///   batch left in this pass and the marker's segment is past the delete horizon
///   (`retainDeletes` false), as a tombstone would. A kept ABORT marker whose transaction's data
///   was read adds that transaction to `abortedTransactions`, for the cleaned `.txnindex`.
/// - **Retention of the batch.** A producer's last batch (`LastRecord`: the batch holding its
///   last data offset, or, when it has none under its epoch, its control batches of that epoch)
///   is kept even when none of its records is: an empty batch header then preserves the
///   producer's last sequence number and epoch, so an idempotent producer's next batch is not
///   refused as out of sequence. Any other batch left with no record is dropped, a discarded
///   one without its records being counted as read (Kafka's `BatchRetention.DELETE`).
/// - **Retention of a record** of a data batch not discarded (Kafka's `shouldRetainRecord`): a
///   record beyond the map's `latestOffset` is kept (it was not mapped); a record without a key
///   is dropped (counted as invalid: a compacted topic refuses them); a record whose key maps to a
///   later offset is dropped; a tombstone (null value) is dropped when `retainDeletes` is false.
///   A marker not discarded keeps its record: its key is not a data key (Kafka matches it against
///   the map too, where only a data record with the same four key bytes could find it).
/// - **Writing.** A batch that keeps every record is copied byte for byte. Otherwise its kept
///   records are re-encoded into one batch with the same base offset, the same last offset
///   (so the last sequence survives), the same codec (recompressed), timestamp type, producer id,
///   epoch, base sequence, transactional and control flags and partition leader epoch; its
///   baseTimestamp and maxTimestamp are those of the kept records; the time index points at its
///   last offset, as for a copied batch. An empty kept batch is a
///   61-byte header with no records, Kafka's `writeEmptyHeader`.
///
/// Only complete batches are consumed: `bytesRead` stops before a partial batch at the end of
/// the chunk, and the caller reads on from there (the transaction state moves on only for the
/// batches consumed).
struct CleanerFilterResult {
    var output = ByteBuffer()
    var bytesRead = 0
    var messagesRead = 0
    var bytesRetained = 0
    var messagesRetained = 0
    var invalidMessages = 0
    /// The largest offset kept (a kept batch's last offset when copied whole or kept empty).
    var maxOffset: Int64 = -1
    var maxTimestamp: Int64 = RecordBatch.noTimestamp
    var shallowOffsetOfMaxTimestamp: Int64 = -1
    /// The aborted transactions of the kept ABORT markers whose data was read, in marker order.
    var abortedTransactions: [AbortedTransaction] = []

    mutating func noteRetained(maxTimestamp: Int64, shallowOffset: Int64, maxOffset: Int64, messages: Int, bytes: Int) {
        if maxTimestamp > self.maxTimestamp {
            self.maxTimestamp = maxTimestamp
            shallowOffsetOfMaxTimestamp = shallowOffset
        }
        self.maxOffset = max(self.maxOffset, maxOffset)
        messagesRetained += messages
        bytesRetained += bytes
    }
}

enum CleanerRecordFilter {
    // RecordBatch v2 header layout (see `RecordBatch`).
    private static let attributesOffset = 21
    private static let crcOffset = 17
    private static let transactionalFlag: Int16 = 0x10
    private static let controlFlag: Int16 = 0x20

    /// Filters the complete batches of `chunk` (see the type's documentation).
    static func filter(
        _ chunk: ByteBuffer, map: inout SkimpyOffsetMap, retainDeletes: Bool,
        transactionMetadata: inout CleanedTransactionMetadata, lastRecordsOfActiveProducers: [Int64: LastRecord]
    ) throws -> CleanerFilterResult {
        var result = CleanerFilterResult()
        var batches = MemoryRecords(chunk).batches
        while let batch = batches.next() {
            result.bytesRead += batch.sizeInBytes
            let discardBatchRecords: Bool
            if batch.isControlBatch {
                let decision = transactionMetadata.onControlBatchRead(
                    producerId: batch.producerId, lastOffset: batch.lastOffset, type: try controlType(of: batch))
                if let aborted = decision.abortedTransactionToIndex { result.abortedTransactions.append(aborted) }
                discardBatchRecords = decision.canDiscard && !retainDeletes
            } else {
                discardBatchRecords = transactionMetadata.onBatchRead(
                    producerId: batch.producerId, lastOffset: batch.lastOffset, isTransactional: batch.isTransactional)
            }
            let retainEmpty = batch.hasProducerId
                && lastRecordsOfActiveProducers[batch.producerId].map {
                    $0.isLastRecord(lastOffset: batch.lastOffset, isControlBatch: batch.isControlBatch, producerEpoch: batch.producerEpoch)
                } == true
            if discardBatchRecords && !retainEmpty { continue }
            if batch.isControlBatch && !discardBatchRecords {
                result.messagesRead += Int(batch.recordCount)
                var bytes = batch.bytes
                result.output.writeBuffer(&bytes)
                result.noteRetained(
                    maxTimestamp: batch.maxTimestamp, shallowOffset: batch.lastOffset, maxOffset: batch.lastOffset,
                    messages: Int(batch.recordCount), bytes: batch.sizeInBytes)
                continue
            }
            let records = try batch.decodeRecords()
            result.messagesRead += records.count
            var kept: [DefaultRecord] = []
            kept.reserveCapacity(records.count)
            var maxKeptOffset: Int64 = -1
            for record in records where !discardBatchRecords {
                if shouldRetainRecord(record, map: &map, retainDeletes: retainDeletes, invalid: &result.invalidMessages) {
                    kept.append(record)
                    maxKeptOffset = max(maxKeptOffset, record.offset)
                }
            }
            if kept.count == records.count && !kept.isEmpty {
                var bytes = batch.bytes
                result.output.writeBuffer(&bytes)
                result.noteRetained(
                    maxTimestamp: batch.maxTimestamp, shallowOffset: batch.lastOffset, maxOffset: batch.lastOffset,
                    messages: kept.count, bytes: batch.sizeInBytes)
            } else if !kept.isEmpty {
                var builder = MemoryRecordsBuilder(
                    baseOffset: batch.baseOffset, compression: batch.compressionType ?? .none,
                    timestampType: batch.timestampType,
                    logAppendTime: batch.timestampType == .logAppendTime ? batch.maxTimestamp : RecordBatch.noTimestamp,
                    producerId: batch.producerId, producerEpoch: batch.producerEpoch, baseSequence: batch.baseSequence,
                    isTransactional: batch.isTransactional, isControlBatch: batch.isControlBatch,
                    partitionLeaderEpoch: batch.partitionLeaderEpoch, expectedRecordsSize: batch.sizeInBytes)
                for record in kept { try builder.append(record, offset: record.offset) }
                builder.overrideLastOffset(batch.lastOffset)
                var rebuilt = try builder.build()
                let size = rebuilt.readableBytes
                result.output.writeBuffer(&rebuilt)
                // A v2 batch is time-indexed at its last offset, the original one here, whatever
                // record holds the largest timestamp (Kafka's builder info after overrideLastOffset).
                result.noteRetained(
                    maxTimestamp: builder.maxTimestamp, shallowOffset: batch.lastOffset, maxOffset: maxKeptOffset,
                    messages: kept.count, bytes: size)
            } else if retainEmpty {
                var header = emptyBatchHeader(of: batch)
                result.output.writeBuffer(&header)
                result.noteRetained(
                    maxTimestamp: batch.maxTimestamp, shallowOffset: batch.lastOffset, maxOffset: batch.lastOffset,
                    messages: 0, bytes: RecordBatch.headerSize)
            }
        }
        switch batches.end {
        case .corrupt(let position, let error):
            throw StorageError.corrupt(path: "", message: "cleaner read a corrupt entry at chunk position \(position): \(error)")
        case .legacyFormat(let position, let magic):
            throw StorageError.corrupt(path: "", message: "cleaner read a magic \(magic) message at chunk position \(position); only v2 batches are stored")
        default:
            break
        }
        return result
    }

    /// The type of a control batch's record; nil for a control batch a cleaning emptied.
    static func controlType(of batch: RecordBatch) throws -> ControlRecordType? {
        guard batch.recordCount > 0 else { return nil }
        var records = try batch.records()
        guard let record = try records.next() else { return nil }
        return try ControlRecordType(key: record.key)
    }

    /// Kafka's `shouldRetainRecord` (see the type's documentation).
    static func shouldRetainRecord(_ record: DefaultRecord, map: inout SkimpyOffsetMap, retainDeletes: Bool, invalid: inout Int) -> Bool {
        if record.offset > map.latestOffset { return true }
        guard let key = record.key else {
            invalid += 1
            return false
        }
        let foundOffset = map.get(key: key)
        let redundant = foundOffset >= 0 && record.offset < foundOffset
        let obsoleteDelete = !retainDeletes && record.value == nil
        return !redundant && !obsoleteDelete
    }

    /// A record-less batch keeping `batch`'s offsets, producer fields, flags and maxTimestamp
    /// (also its baseTimestamp), uncompressed (Kafka's `writeEmptyHeader`).
    static func emptyBatchHeader(of batch: RecordBatch) -> ByteBuffer {
        var attributes: Int16 = 0
        if batch.timestampType == .logAppendTime { attributes |= TimestampType.attributeMask }
        if batch.isTransactional { attributes |= transactionalFlag }
        if batch.isControlBatch { attributes |= controlFlag }
        var header = ByteBuffer()
        header.writeInteger(batch.baseOffset)
        header.writeInteger(Int32(RecordBatch.headerSize - RecordBatch.logOverhead))
        header.writeInteger(batch.partitionLeaderEpoch)
        header.writeInteger(RecordBatch.currentMagic)
        header.writeInteger(UInt32(0))
        header.writeInteger(attributes)
        header.writeInteger(batch.lastOffsetDelta)
        header.writeInteger(batch.maxTimestamp)
        header.writeInteger(batch.maxTimestamp)
        header.writeInteger(batch.producerId)
        header.writeInteger(batch.producerEpoch)
        header.writeInteger(batch.baseSequence)
        header.writeInteger(Int32(0))
        let checksum = CRC32C.checksum(header, at: attributesOffset, length: RecordBatch.headerSize - attributesOffset) ?? 0
        header.setInteger(checksum, at: crcOffset)
        return header
    }
}
