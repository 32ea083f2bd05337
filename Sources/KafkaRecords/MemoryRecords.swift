import NIOCore

/// A record set: zero or more batches laid end to end, as in the `records` field of a Produce
/// request or a Fetch response, and as in a `.log` segment file. Kafka's `MemoryRecords`.
///
/// Every entry starts with `offset int64, size int32` and has its magic byte at position 16, in
/// all three formats (RecordBatch v2, and legacy magic 0/1 messages), so the set can be walked
/// without knowing its format in advance. Its size is `size + 12`.
///
/// A record set read from a log (a fetch, a follower's response) may end with a **partial batch**:
/// the reader was given a byte limit, not a batch limit. `batches` stops before it and reports it
/// in `RecordBatchIterator.end`; a Produce request must not have one (`LogValidator` refuses it).
///
/// Ownership: `buffer` is the only reference a `MemoryRecords` keeps. The in-place setters
/// (`setBaseOffset`, `setPartitionLeaderEpoch`, `setMaxTimestamp`) write through it, so they
/// copy nothing when the storage is uniquely referenced; when it is shared (say, with the request
/// frame it was sliced from, or with a live `RecordBatch` view), NIO copies it once first
/// (copy-on-write), and the other holders keep seeing the old bytes.
public struct MemoryRecords: Sendable {
    /// The record set's bytes: the readable bytes of this buffer.
    public private(set) var buffer: ByteBuffer

    public init(_ buffer: ByteBuffer) {
        self.buffer = buffer
    }

    public static var empty: MemoryRecords { MemoryRecords(ByteBuffer()) }

    public var sizeInBytes: Int { buffer.readableBytes }
    public var isEmpty: Bool { buffer.readableBytes == 0 }

    /// The magic byte of the first entry, when there are enough bytes to hold one.
    public var firstMagic: Int8? {
        guard buffer.readableBytes > RecordBatch.magicOffset else { return nil }
        return buffer.getInteger(at: buffer.readerIndex + RecordBatch.magicOffset)
    }

    /// Iterates the v2 batches (views, no copies). See `RecordBatchIterator` for where it stops.
    public var batches: RecordBatchIterator { RecordBatchIterator(buffer) }

    /// The first complete v2 batch, if the set starts with one.
    public var firstBatch: RecordBatch? {
        var iterator = batches
        return iterator.next()
    }

    // MARK: In-place rewrites (the record bytes are never re-encoded)

    /// Sets the baseOffset of the v2 batch at `position` (relative to the start of the set). Not
    /// covered by the CRC. Returns false, changing nothing, when no v2 batch header fits there.
    @discardableResult
    public mutating func setBaseOffset(_ offset: Int64, ofBatchAt position: Int) -> Bool {
        guard let start = batchStart(position) else { return false }
        buffer.setInteger(offset, at: start)
        return true
    }

    /// Sets the partitionLeaderEpoch of the v2 batch at `position`. Not covered by the CRC.
    @discardableResult
    public mutating func setPartitionLeaderEpoch(_ epoch: Int32, ofBatchAt position: Int) -> Bool {
        guard let start = batchStart(position) else { return false }
        buffer.setInteger(epoch, at: start + RecordBatch.partitionLeaderEpochOffset)
        return true
    }

    /// Sets maxTimestamp and the timestamp-type bit of the v2 batch at `position`, and then the
    /// CRC, which covers both. Does nothing when both already hold these values (Kafka's
    /// `setMaxTimestamp`), so a batch that needs no change is not written to.
    @discardableResult
    public mutating func setMaxTimestamp(_ timestamp: Int64, type: TimestampType, ofBatchAt position: Int) -> Bool {
        guard let start = batchStart(position),
              let attributes: Int16 = buffer.getInteger(at: start + RecordBatch.attributesOffset),
              let current: Int64 = buffer.getInteger(at: start + RecordBatch.maxTimestampOffset),
              let length: Int32 = buffer.getInteger(at: start + RecordBatch.batchLengthOffset)
        else { return false }
        let newAttributes = type == .logAppendTime
            ? attributes | TimestampType.attributeMask
            : attributes & ~TimestampType.attributeMask
        if newAttributes == attributes && current == timestamp { return true }
        let end = start + Int(length) + RecordBatch.logOverhead
        guard end <= buffer.writerIndex else { return false }
        buffer.setInteger(newAttributes, at: start + RecordBatch.attributesOffset)
        buffer.setInteger(timestamp, at: start + RecordBatch.maxTimestampOffset)
        let crcStart = start + RecordBatch.attributesOffset
        let checksum = CRC32C.checksum(buffer, at: crcStart, length: end - crcStart) ?? 0
        buffer.setInteger(checksum, at: start + RecordBatch.crcOffset)
        return true
    }

    /// Absolute index of a v2 batch header at `position`, or nil when none fits there.
    private func batchStart(_ position: Int) -> Int? {
        guard position >= 0, buffer.readableBytes - position >= RecordBatch.headerSize else { return nil }
        let start = buffer.readerIndex + position
        guard buffer.getInteger(at: start + RecordBatch.magicOffset, as: Int8.self) == RecordBatch.currentMagic else { return nil }
        return start
    }
}

/// Walks the batches of a record set, handing out `RecordBatch` views (slices, no copies).
/// Kafka's `ByteBufferLogInputStream`.
///
/// `next()` returns nil at the end of the set and also where it cannot go on; `end` then says
/// which. A consumer of fetched data ignores `.partialBatch`; a produce refuses everything but
/// `.complete`; log recovery truncates at the position given.
public struct RecordBatchIterator: IteratorProtocol, Sequence, Sendable {
    /// Why iteration stopped.
    public enum End: Sendable, Equatable {
        /// Every byte of the set belonged to a complete batch.
        case complete
        /// The last `availableBytes` bytes, from `position`, are the start of an entry that does
        /// not fit (its declared size is known when at least 12 bytes are there).
        case partialBatch(position: Int, sizeInBytes: Int?, availableBytes: Int)
        /// The entry at `position` is not a batch: a size below the minimum, or an unknown magic.
        case corrupt(position: Int, RecordBatchError)
        /// The entry at `position` is a legacy (magic 0 or 1) message: read it with
        /// `LegacyMessageSet`.
        case legacyFormat(position: Int, magic: Int8)
    }

    private let records: ByteBuffer
    /// Position of the next entry, relative to the start of the set.
    public private(set) var position = 0
    /// Set once `next()` has returned nil.
    public private(set) var end: End?

    init(_ records: ByteBuffer) {
        self.records = records
    }

    public mutating func next() -> RecordBatch? {
        guard end == nil else { return nil }
        let available = records.readableBytes - position
        if available == 0 {
            end = .complete
            return nil
        }
        let start = records.readerIndex + position
        guard available >= RecordBatch.logOverhead, let length: Int32 = records.getInteger(at: start + RecordBatch.batchLengthOffset) else {
            end = .partialBatch(position: position, sizeInBytes: nil, availableBytes: available)
            return nil
        }
        // Kafka refuses any entry smaller than the smallest legacy message (14 bytes after the
        // log overhead); a v2 batch needs its whole header.
        guard length >= Int32(LegacyRecord.minimumSizeV0) else {
            end = .corrupt(position: position, .corruptMessage("entry size \(length) is smaller than the minimum \(LegacyRecord.minimumSizeV0)"))
            return nil
        }
        let size = Int(length) + RecordBatch.logOverhead
        guard available >= size, let magic: Int8 = records.getInteger(at: start + RecordBatch.magicOffset) else {
            end = .partialBatch(position: position, sizeInBytes: size, availableBytes: available)
            return nil
        }
        switch magic {
        case RecordBatch.currentMagic:
            guard let slice = records.getSlice(at: start, length: size),
                  let batch = try? RecordBatch(slice, position: position)
            else {
                end = .corrupt(position: position, .corruptMessage("record batch size \(size) is smaller than its 61-byte header"))
                return nil
            }
            position += size
            return batch
        case 0, 1:
            end = .legacyFormat(position: position, magic: magic)
            return nil
        default:
            end = .corrupt(position: position, .unsupportedMagic(magic))
            return nil
        }
    }

    /// The number of bytes of complete batches read so far (the valid prefix of the set).
    public var validBytes: Int { position }
}
