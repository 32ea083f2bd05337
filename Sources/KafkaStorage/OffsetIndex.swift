/// The sparse offset index of a log segment (`<baseOffset>.index`, Kafka's `OffsetIndex`).
///
/// On-disk format: a sequence of 8-byte entries, big-endian,
///
///     relativeOffset: int32   (offset - baseOffset of the segment)
///     position:       int32   (byte position of that offset's batch in the .log file)
///
/// one every `index.interval.bytes` of appended data, with strictly increasing offsets and
/// positions. A lookup finds the greatest entry at or below the target offset, from which a reader
/// scans the log forward; with no such entry, the scan starts at the segment's first byte.
///
/// Isolation: not thread-safe; owned by one `LogSegment`.
public final class OffsetIndex {
    public static let entrySize = 8
    public let baseOffset: Int64
    let file: MappedIndexFile

    public init(path: String, baseOffset: Int64, maxIndexSize: Int) throws {
        self.baseOffset = baseOffset
        file = try MappedIndexFile(path: path, entrySize: Self.entrySize, maxIndexSize: maxIndexSize) { entry, index in
            let relative = entry.loadBigEndian(as: Int32.self)
            let position = entry.loadBigEndian(fromByteOffset: 4, as: Int32.self)
            // Entries are never (0, 0) past the first: a zero entry there is unwritten space.
            return relative >= 0 && position >= 0 && (index == 0 || relative != 0 || position != 0)
        }
        try dropOutOfOrderTail()
    }

    public var path: String { file.path }
    public var entries: Int { file.entries }
    public var isFull: Bool { file.isFull }
    public var sizeInBytes: Int { file.sizeInBytes }

    /// The entry at `index`: absolute offset and file position.
    public func entry(_ index: Int) -> (offset: Int64, position: Int32) {
        let pointer = file.entry(index)
        return (baseOffset + Int64(pointer.loadBigEndian(as: Int32.self)),
                pointer.loadBigEndian(fromByteOffset: 4, as: Int32.self))
    }

    /// The last entry, or (baseOffset, 0) when empty.
    public var lastEntry: (offset: Int64, position: Int32) {
        entries == 0 ? (baseOffset, 0) : entry(entries - 1)
    }

    /// Adds an entry; offsets must increase strictly and fit in 32 bits relative to the base.
    public func append(offset: Int64, position: Int32) throws {
        if entries > 0, offset <= lastEntry.offset {
            throw StorageError.invalidOffset(
                path: path, message: "attempt to append offset \(offset) after \(lastEntry.offset)")
        }
        let relative = offset - baseOffset
        guard relative >= 0, relative <= Int64(Int32.max) else {
            throw StorageError.invalidOffset(path: path, message: "offset \(offset) out of range of base \(baseOffset)")
        }
        try file.append { slot in
            slot.storeBigEndian(Int32(relative))
            slot.storeBigEndian(position, toByteOffset: 4)
        }
    }

    /// The greatest entry whose offset is at or below `target`, or (baseOffset, 0).
    public func lookup(_ target: Int64) -> (offset: Int64, position: Int32) {
        guard let index = largestEntry(atOrBelow: target) else { return (baseOffset, 0) }
        return entry(index)
    }

    /// Removes every entry at or above `offset` (log truncation).
    public func truncate(to offset: Int64) {
        let keep = largestEntry(atOrBelow: offset - 1).map { $0 + 1 } ?? 0
        file.truncate(toEntries: keep)
    }

    public func truncateAll() { file.truncate(toEntries: 0) }

    public func resize(to size: Int) throws { try file.resize(to: size) }
    public func trimToValidSize() throws { try file.trimToValidSize() }
    public func flush() throws { try file.flush() }
    public func close() throws { try file.close() }
    public func rename(to path: String) throws { try file.renameTo(path) }

    /// Binary search for the last entry with offset <= target.
    private func largestEntry(atOrBelow target: Int64) -> Int? {
        var low = 0
        var high = entries - 1
        var found: Int?
        while low <= high {
            let middle = (low + high) / 2
            if entry(middle).offset <= target {
                found = middle
                low = middle + 1
            } else {
                high = middle - 1
            }
        }
        return found
    }

    /// A crash may leave garbage after the valid entries: keep the longest increasing prefix.
    private func dropOutOfOrderTail() throws {
        var valid = min(entries, 1)
        while valid < entries, entry(valid).offset > entry(valid - 1).offset,
              entry(valid).position > entry(valid - 1).position {
            valid += 1
        }
        file.truncate(toEntries: valid)
    }
}
