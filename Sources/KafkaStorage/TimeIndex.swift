/// The time index of a log segment (`<baseOffset>.timeindex`, Kafka's `TimeIndex`).
///
/// On-disk format: a sequence of 12-byte entries, big-endian,
///
///     timestamp:      int64   (the largest timestamp seen so far in the segment)
///     relativeOffset: int32   (offset - baseOffset of the record carrying it)
///
/// appended alongside offset-index entries, and only when the timestamp grows, so timestamps and
/// offsets both increase. A lookup by time finds the greatest entry whose timestamp is at or
/// below the target; ListOffsets then scans forward from that offset for the first record at or
/// after the target.
///
/// Isolation: not thread-safe; owned by one `LogSegment`.
public final class TimeIndex {
    public static let entrySize = 12
    /// Kafka's `RecordBatch.NO_TIMESTAMP`.
    public static let noTimestamp: Int64 = -1
    public let baseOffset: Int64
    let file: MappedIndexFile

    public init(path: String, baseOffset: Int64, maxIndexSize: Int) throws {
        self.baseOffset = baseOffset
        file = try MappedIndexFile(path: path, entrySize: Self.entrySize, maxIndexSize: maxIndexSize) { entry, index in
            let timestamp = entry.loadBigEndian(as: Int64.self)
            let relative = entry.loadBigEndian(fromByteOffset: 8, as: Int32.self)
            return relative >= 0 && (index == 0 || timestamp != 0 || relative != 0)
        }
        var valid = min(entries, 1)
        while valid < entries, entry(valid).timestamp > entry(valid - 1).timestamp,
              entry(valid).offset >= entry(valid - 1).offset {
            valid += 1
        }
        file.truncate(toEntries: valid)
    }

    public var path: String { file.path }
    public var entries: Int { file.entries }
    public var isFull: Bool { file.isFull }
    public var sizeInBytes: Int { file.sizeInBytes }

    public func entry(_ index: Int) -> (timestamp: Int64, offset: Int64) {
        let pointer = file.entry(index)
        return (pointer.loadBigEndian(as: Int64.self),
                baseOffset + Int64(pointer.loadBigEndian(fromByteOffset: 8, as: Int32.self)))
    }

    /// The last entry, or (noTimestamp, baseOffset) when empty.
    public var lastEntry: (timestamp: Int64, offset: Int64) {
        entries == 0 ? (Self.noTimestamp, baseOffset) : entry(entries - 1)
    }

    /// Appends (timestamp, offset) if the timestamp is larger than the last entry's; otherwise
    /// the index already covers it and nothing is added. Offsets may not go backwards.
    public func maybeAppend(timestamp: Int64, offset: Int64) throws {
        if entries > 0 {
            guard offset >= lastEntry.offset else {
                throw StorageError.invalidOffset(
                    path: path, message: "attempt to append offset \(offset) before \(lastEntry.offset)")
            }
            guard timestamp > lastEntry.timestamp else { return }
        }
        let relative = offset - baseOffset
        guard relative >= 0, relative <= Int64(Int32.max) else {
            throw StorageError.invalidOffset(path: path, message: "offset \(offset) out of range of base \(baseOffset)")
        }
        try file.append { slot in
            slot.storeBigEndian(timestamp)
            slot.storeBigEndian(Int32(relative), toByteOffset: 8)
        }
    }

    /// The greatest entry with timestamp <= target, or (noTimestamp, baseOffset) when the target is
    /// before every entry.
    public func lookup(_ target: Int64) -> (timestamp: Int64, offset: Int64) {
        var low = 0
        var high = entries - 1
        var found: Int?
        while low <= high {
            let middle = (low + high) / 2
            if entry(middle).timestamp <= target {
                found = middle
                low = middle + 1
            } else {
                high = middle - 1
            }
        }
        return found.map(entry) ?? (Self.noTimestamp, baseOffset)
    }

    /// Removes every entry whose offset is at or above `offset`.
    public func truncate(to offset: Int64) {
        var keep = entries
        while keep > 0, entry(keep - 1).offset >= offset { keep -= 1 }
        file.truncate(toEntries: keep)
    }

    public func truncateAll() { file.truncate(toEntries: 0) }

    public func resize(to size: Int) throws { try file.resize(to: size) }
    public func trimToValidSize() throws { try file.trimToValidSize() }
    public func flush() throws { try file.flush() }
    public func close() throws { try file.close() }
    public func rename(to path: String) throws { try file.renameTo(path) }
}
