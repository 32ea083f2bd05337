import KafkaRecords
import NIOCore

/// A byte range of a segment's `.log` file, to be sent as it is (with `sendfile`/`FileRegion`) in
/// a Fetch response, or read with `read()` (Kafka's `FileRecords.slice`).
///
/// The slice holds the open file it was cut from (`FileChannel`), not its name: the bytes it
/// sends are the bytes the log read, even when retention renames or removes the segment, or a
/// truncation deletes it and a new segment is rolled under the same name, before the slice is
/// sent. Holding the slice keeps the descriptor open; dropping the last slice (and the segment
/// letting go) closes it.
///
/// One change can still reach it: a truncation of the same file below the slice's end (a
/// leader change cutting the active segment). `isIntact` tells; a slice that is not intact must
/// not be sent (its range may since hold other records), as Kafka refuses to send a
/// `FileRecords` truncated under it.
///
/// A value, `Sendable`: the channel is shared, the range immutable. An empty slice holds no file.
public struct FileSlice: Sendable, Equatable, CustomStringConvertible {
    /// The file the bytes are in; nil for an empty slice.
    public let channel: FileChannel?
    /// The file's name when the slice was cut (for messages only: it may have changed since).
    public let path: String
    public let position: Int
    public let size: Int
    /// The channel's truncation count when the slice was cut.
    let truncationCount: Int

    init(channel: FileChannel?, path: String, position: Int, size: Int, truncationCount: Int) {
        self.channel = channel
        self.path = path
        self.position = position
        self.size = size
        self.truncationCount = truncationCount
    }

    /// No bytes.
    public static func empty(path: String = "") -> FileSlice {
        FileSlice(channel: nil, path: path, position: 0, size: 0, truncationCount: 0)
    }

    /// True unless the file was truncated below `position + size` since the slice was cut.
    public var isIntact: Bool {
        guard let channel, size > 0 else { return true }
        guard let smallest = channel.smallestTruncation(since: truncationCount) else { return true }
        return smallest >= position + size
    }

    /// Reads the slice's bytes into a new buffer (down-conversion, tests, the broker's own use;
    /// fetches send the slice). Throws `StorageError.truncatedUnderSlice` when the file was cut
    /// under it.
    public func read() throws -> ByteBuffer {
        guard let channel, size > 0 else { return ByteBuffer() }
        guard isIntact else {
            throw StorageError.truncatedUnderSlice(path: path, position: position, size: size)
        }
        return try Self.read(channel, path: path, position: position, size: size)
    }

    static func read(_ channel: FileChannel, path: String, position: Int, size: Int) throws -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        guard size > 0 else { return buffer }
        try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { target in
            try channel.read(into: UnsafeMutableRawBufferPointer(rebasing: target[..<size]), position: position, path: path)
        }
        return buffer
    }

    /// Same file (the same open channel), same range.
    public static func == (lhs: FileSlice, rhs: FileSlice) -> Bool {
        lhs.channel === rhs.channel && lhs.position == rhs.position && lhs.size == rhs.size
    }

    public var description: String { "FileSlice(\(path), position: \(position), size: \(size))" }
}
