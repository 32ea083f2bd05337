import KafkaRecords
import NIOCore

/// What the cleaner's copy pass keeps of one chunk of a segment (Kafka's `MemoryRecords.filterTo`
/// driven by the cleaner's `RecordFilter`), as a value: the retained batches and the figures the
/// destination segment's `append` needs.
///
/// Batch by batch:
/// - **Retention of the batch.** A batch whose last offset is the last offset its producer wrote
///   (`lastOffsetOfActiveProducers[producerId] == lastOffset`) is kept even when none of its
///   records is: an empty batch header then preserves the producer's last sequence number,
///   so an idempotent producer's next batch is not refused as out of sequence. Any other batch
///   left with no record is dropped.
/// - **Retention of a record** (Kafka's `shouldRetainRecord`): a record beyond the map's
///   `latestOffset` is kept (it was not mapped); a record without a key is dropped (counted as
///   invalid: a compacted topic refuses them); a record whose key maps to a later offset is
///   dropped; a tombstone (null value) is dropped when `retainDeletes` is false.
/// - **Writing.** A batch that keeps every record is copied byte for byte. Otherwise its kept
///   records are re-encoded into one batch with the same base offset, the same last offset
///   (so the last sequence survives), the same codec (recompressed), timestamp type, producer id,
///   epoch, base sequence, transactional and control flags and partition leader epoch; its
///   baseTimestamp and maxTimestamp are those of the kept records; the time index points at its
///   last offset, as for a copied batch. An empty kept batch is a
///   61-byte header with no records, Kafka's `writeEmptyHeader`.
///
/// Control batches (transaction markers) are copied whole, and transactional records are never
/// in the offset map (so none supersedes another), for now: removing markers and aborted records,
/// and letting committed transactional records supersede older ones, belongs to the transactions
/// work (Kafka's `CleanedTransactionMetadata`).
///
/// Only complete batches are consumed: `bytesRead` stops before a partial batch at the end of
/// the chunk, and the caller reads on from there.
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
        lastOffsetOfActiveProducers: [Int64: Int64]
    ) throws -> CleanerFilterResult {
        var result = CleanerFilterResult()
        var batches = MemoryRecords(chunk).batches
        while let batch = batches.next() {
            result.bytesRead += batch.sizeInBytes
            if batch.isControlBatch {
                // Transaction markers are kept whole until the cleaner tracks transactions.
                result.messagesRead += Int(batch.recordCount)
                var bytes = batch.bytes
                result.output.writeBuffer(&bytes)
                result.noteRetained(
                    maxTimestamp: batch.maxTimestamp, shallowOffset: batch.lastOffset, maxOffset: batch.lastOffset,
                    messages: Int(batch.recordCount), bytes: batch.sizeInBytes)
                continue
            }
            let retainEmpty = batch.hasProducerId && lastOffsetOfActiveProducers[batch.producerId] == batch.lastOffset
            let records = try batch.decodeRecords()
            result.messagesRead += records.count
            var kept: [DefaultRecord] = []
            kept.reserveCapacity(records.count)
            var maxKeptOffset: Int64 = -1
            for record in records {
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
