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
/// outside that lock get `FileSlice` values, which name a byte range and never see it change
/// (appends only go past it; truncation below it happens only on leader change).
public final class FileRecords {
    public private(set) var path: String
    private var descriptor: Int32
    /// Bytes of entries in the file.
    public private(set) var sizeInBytes: Int

    /// Opens (or creates) `path`. The size is the file's length.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { throw MappedIndexFile.ioError(path, "open") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            Glibc.close(fd)
            throw MappedIndexFile.ioError(path, "fstat")
        }
        descriptor = fd
        sizeInBytes = Int(info.st_size)
    }

    deinit {
        if descriptor >= 0 { Glibc.close(descriptor) }
    }

    // MARK: Writing

    /// Writes the readable bytes of `records` at the end of the file, as they are. Returns the
    /// number of bytes written.
    @discardableResult
    public func append(_ records: MemoryRecords) throws -> Int {
        let count = records.sizeInBytes
        guard count > 0 else { return 0 }
        let start = sizeInBytes
        let failed: Bool = records.buffer.withUnsafeReadableBytes { bytes in
            var written = 0
            while written < bytes.count {
                // Non-empty (`count > 0` above), so the base address exists.
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
    /// bytes removed.
    @discardableResult
    public func truncate(to size: Int) throws -> Int {
        // Invariant, not input: sizes are file positions found by the offset index or by recovery.
        precondition(size >= 0, "negative truncation size \(size)")
        var info = stat()
        let fileSize = fstat(descriptor, &info) == 0 ? Int(info.st_size) : sizeInBytes
        guard size < sizeInBytes || size < fileSize else { return 0 }
        guard ftruncate(descriptor, off_t(size)) == 0 else { throw MappedIndexFile.ioError(path, "ftruncate") }
        let removed = max(0, sizeInBytes - size)
        sizeInBytes = min(sizeInBytes, size)
        return removed
    }

    /// `fsync`: the appended bytes are on disk when this returns.
    public func flush() throws {
        guard descriptor >= 0 else { return }
        guard fsync(descriptor) == 0 else { throw MappedIndexFile.ioError(path, "fsync") }
    }

    public func close() throws {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
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
        var buffer = ByteBufferAllocator().buffer(capacity: length)
        guard length > 0 else { return buffer }
        var failed = false
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { target in
            var done = 0
            while done < length {
                // `length > 0` (checked above), so the base address exists.
                let result = pread(descriptor, target.baseAddress! + done, length - done, off_t(position + done))
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else {
                    failed = result < 0
                    break
                }
                done += result
            }
            return done
        }
        if failed { throw MappedIndexFile.ioError(path, "pread") }
        return buffer
    }

    /// Reads the bytes a slice names.
    public func read(_ slice: FileSlice) throws -> ByteBuffer {
        try read(position: slice.position, size: slice.size)
    }

    /// The bytes from `position` for `size` bytes (clamped to the file), as a value to send.
    public func slice(position: Int, size: Int) -> FileSlice {
        let start = min(max(0, position), sizeInBytes)
        return FileSlice(path: path, position: start, size: max(0, min(size, sizeInBytes - start)))
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

    /// Deletes the file (closing it first). True when it existed.
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

/// A byte range of a segment file, to be sent as it is (with `sendfile`/`FileRegion`) in a Fetch
/// response, or read with `FileRecords.read(_:)`. A value: it stays valid as long as the file is
/// not truncated below `position + size` (only leader changes truncate) or deleted (retention
/// renames first and removes the file only after `file.delete.delay.ms`).
public struct FileSlice: Sendable, Equatable {
    public var path: String
    public var position: Int
    public var size: Int

    public init(path: String, position: Int, size: Int) {
        self.path = path
        self.position = position
        self.size = size
    }

    public static func empty(path: String = "") -> FileSlice { FileSlice(path: path, position: 0, size: 0) }
}
