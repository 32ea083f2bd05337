import Glibc
import KafkaRecords
import NIOCore

/// The `.log` file of a segment: record batches laid end to end, exactly as they arrived on the
/// wire (Kafka's `FileRecords`).
///
/// On-disk format: a sequence of entries, each `baseOffset int64, batchLength int32` followed by
/// `batchLength` bytes (see `RecordBatch` for the v2 header). Nothing frames the file: its size is
/// the sum of its entries, and a crash can leave a torn entry at the end (recovery cuts it off).
///
/// Invariants: `sizeInBytes` is the byte count appended (the file's length, unless a crash has
/// left more); appends only ever go to `sizeInBytes`, with `pwrite`, copying nothing.
///
/// Isolation: not thread-safe; owned by one `LogSegment` and used under its log's lock. Readers
/// outside that lock get `FileSlice` values, which hold the open file (`FileChannel`) and a byte
/// range: appends only go past it, renames and deletion do not reach an open file, and a
/// truncation below its end (only on leader change) is recorded in the channel for the slice to
/// see (`FileSlice.isIntact`).
public final class FileRecords {
    public private(set) var path: String
    /// The open file, shared with the slices read from it; nil once closed.
    public private(set) var channel: FileChannel?
    /// Bytes of entries in the file.
    public private(set) var sizeInBytes: Int

    /// Opens (or creates) `path`. The size is the file's length.
    public init(path: String) throws {
        self.path = path
        let channel = try FileChannel(path: path)
        self.channel = channel
        sizeInBytes = try channel.length()
    }

    /// The open channel, or `StorageError.closed`.
    private func openChannel() throws -> FileChannel {
        guard let channel else { throw StorageError.closed(path: path) }
        return channel
    }

    // MARK: Writing

    /// Writes the readable bytes of `records` at the end of the file, as they are. Returns the
    /// number of bytes written.
    @discardableResult
    public func append(_ records: MemoryRecords) throws -> Int {
        let count = records.sizeInBytes
        guard count > 0 else { return 0 }
        let descriptor = try openChannel().descriptor
        let start = sizeInBytes
        let failed: Bool = records.buffer.withUnsafeReadableBytes { bytes in
            var written = 0
            while written < bytes.count {
                let result = pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(start + written))
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else { return true }
                written += result
            }
            return false
        }
        if failed { throw MappedIndexFile.ioError(path, "pwrite") }
        sizeInBytes += count
        return count
    }

    /// Cuts the file to `size` bytes (no-op at or above the current size). Returns the number of
    /// bytes removed. The cut is first recorded in the channel, so that slices reaching past it
    /// know their bytes may have changed.
    @discardableResult
    public func truncate(to size: Int) throws -> Int {
        guard size >= 0 else { throw StorageError.invalidOffset(path: path, message: "negative truncation size \(size)") }
        let channel = try openChannel()
        let fileSize = (try? channel.length()) ?? sizeInBytes
        guard size < sizeInBytes || size < fileSize else { return 0 }
        channel.noteTruncation(to: size)
        guard ftruncate(channel.descriptor, off_t(size)) == 0 else { throw MappedIndexFile.ioError(path, "ftruncate") }
        let removed = max(0, sizeInBytes - size)
        sizeInBytes = min(sizeInBytes, size)
        return removed
    }

    /// `fsync`: the appended bytes are on disk when this returns.
    public func flush() throws {
        try channel?.sync(path: path)
    }

    /// Lets go of the file: the descriptor closes once no slice holds it any more.
    public func close() throws {
        channel = nil
    }

    /// Renames the file (to `.deleted`, `.swap`, …); the descriptor stays valid.
    public func rename(to newPath: String) throws {
        guard Glibc.rename(path, newPath) == 0 else { throw MappedIndexFile.ioError(path, "rename to \(newPath)") }
        path = newPath
    }

    // MARK: Reading

    /// Reads `size` bytes at `position` (fewer at the end of the file) into a new buffer. For the
    /// broker's own use (recovery, timestamp search, tests); fetches send `FileSlice`s instead.
    public func read(position: Int, size: Int) throws -> ByteBuffer {
        let length = max(0, min(size, sizeInBytes - position))
        return try FileSlice.read(try openChannel(), path: path, position: position, size: length)
    }

    /// The bytes from `position` for `size` bytes (clamped to the file), as a value to send:
    /// it holds the open file, so it reads these bytes whatever later happens to the file's name.
    public func slice(position: Int, size: Int) throws -> FileSlice {
        let start = min(max(0, position), sizeInBytes)
        let length = max(0, min(size, sizeInBytes - start))
        guard length > 0 else { return .empty(path: path) }
        let channel = try openChannel()
        return FileSlice(channel: channel, path: path, position: start, size: length, truncationCount: channel.truncationCount)
    }

    /// The header fields of the entry at `position`, read without its records, or nil when fewer
    /// than a whole entry's bytes remain or its size is impossible.
    public func batchHeader(at position: Int) throws -> BatchHeader? {
        guard sizeInBytes - position >= RecordBatch.logOverhead else { return nil }
        let header = try read(position: position, size: 27)
        guard let baseOffset: Int64 = header.getInteger(at: header.readerIndex),
              let length: Int32 = header.getInteger(at: header.readerIndex + 8)
        else { return nil }
        let size = Int(length) + RecordBatch.logOverhead
        guard length >= 14, position + size <= sizeInBytes else { return nil }
        let magic: Int8 = header.getInteger(at: header.readerIndex + 16) ?? -1
        var lastOffset = baseOffset
        if magic >= RecordBatch.currentMagic, let delta: Int32 = header.getInteger(at: header.readerIndex + 23) {
            lastOffset = baseOffset + Int64(delta)
        }
        return BatchHeader(baseOffset: baseOffset, lastOffset: lastOffset, position: position, sizeInBytes: size, magic: magic)
    }

    /// The first batch at or after `startingPosition` whose last offset is at or above `target`
    /// (Kafka's `searchForOffsetWithSize`): its base offset, position and size. Walks headers only.
    public func searchForOffset(_ target: Int64, startingAt startingPosition: Int) throws -> (offset: Int64, position: Int, size: Int)? {
        var position = startingPosition
        while let header = try batchHeader(at: position) {
            if header.lastOffset >= target { return (header.baseOffset, position, header.sizeInBytes) }
            position += header.sizeInBytes
        }
        return nil
    }

    /// The first record at or after `startingPosition` with offset ≥ `startingOffset` and
    /// timestamp ≥ `target` (Kafka's `searchForTimestamp`): its timestamp and offset.
    public func searchForTimestamp(_ target: Int64, startingPosition: Int, startingOffset: Int64) throws -> (timestamp: Int64, offset: Int64)? {
        var position = startingPosition
        while let header = try batchHeader(at: position) {
            defer { position += header.sizeInBytes }
            guard header.lastOffset >= startingOffset,
                  let batch = try? RecordBatch(read(position: position, size: header.sizeInBytes)),
                  batch.maxTimestamp >= target
            else { continue }
            var records = try batch.records()
            while let record = try records.next() {
                if record.timestamp >= target && record.offset >= startingOffset { return (record.timestamp, record.offset) }
            }
        }
        return nil
    }

    /// The largest batch maxTimestamp at or after `startingPosition`, and the last offset of the
    /// batch holding it (Kafka's `largestTimestampAfter`), or (−1, −1).
    public func largestTimestamp(after startingPosition: Int) throws -> (timestamp: Int64, offset: Int64) {
        var result: (timestamp: Int64, offset: Int64) = (RecordBatch.noTimestamp, -1)
        var position = startingPosition
        while let header = try batchHeader(at: position) {
            if let batch = try? RecordBatch(read(position: position, size: header.sizeInBytes)), batch.maxTimestamp > result.timestamp {
                result = (batch.maxTimestamp, batch.lastOffset)
            }
            position += header.sizeInBytes
        }
        return result
    }

    /// Deletes the file (letting go of it first). True when it existed. Slices still holding
    /// the file read on from the unlinked inode.
    @discardableResult
    public func deleteIfExists() throws -> Bool {
        try close()
        return unlink(path) == 0
    }
}

/// The shallow header of one entry of a `.log` file.
public struct BatchHeader: Sendable, Equatable {
    public var baseOffset: Int64
    /// For v2 batches baseOffset + lastOffsetDelta; for legacy entries the entry's offset.
    public var lastOffset: Int64
    public var position: Int
    public var sizeInBytes: Int
    public var magic: Int8
}

