import Foundation
import Glibc
import NIOCore

/// A segment's index of aborted transactions, `<base>.txnindex` (Kafka's `TransactionIndex`).
///
/// The file is a plain sequence of `AbortedTransaction` entries (34 bytes each, big-endian, no
/// header; see there), one per ABORT marker written to the segment, in the order of the markers.
/// It is created on the first append, not with the segment, so a segment that never saw an
/// aborted transaction has no `.txnindex`, as in Kafka 2.3.
///
/// Invariants: entries have strictly increasing `lastOffset` (the marker offsets), all at or
/// above `startOffset` (the segment's base offset); the file length is a multiple of 34.
/// `append` refuses an entry that would break the order; `sanityCheck` refuses a file that
/// breaks the others.
///
/// A `read_committed` fetch asks every segment from the one it reads, in order, for the aborted
/// transactions overlapping its range (`collectAbortedTransactions`): each entry also records the
/// partition's last stable offset just after its marker, so the search can stop at the first
/// entry whose LSO already covers the fetch's upper bound (every later transaction to abort
/// started above it).
///
/// Isolation: not thread-safe; owned by its `LogSegment` and used under the log's lock.
public final class TransactionIndex {
    public let startOffset: Int64
    public private(set) var path: String
    /// Open only once the file exists (read at open, or created by the first append).
    private var channel: FileChannel?
    /// The last entry's `lastOffset`, for the order check (read from the file on the first
    /// append after opening an existing one).
    private var lastOffset: Int64?
    /// Bytes of whole entries in the file (where the next entry is written).
    private var length = 0

    /// Opens the index at `path` when the file exists (its entries are read back); otherwise
    /// nothing is created until the first `append`.
    public init(startOffset: Int64, path: String) throws {
        self.startOffset = startOffset
        self.path = path
        if FileManager.default.fileExists(atPath: path) {
            let channel = try FileChannel(path: path)
            self.channel = channel
            length = try channel.length()
        }
    }

    /// Whether the file exists (something was appended, or it was found on disk).
    public var isCreated: Bool { channel != nil }

    /// Whether the file is on disk (open or not).
    public var fileExists: Bool { FileManager.default.fileExists(atPath: path) }

    /// Number of entries.
    public var count: Int { length / AbortedTransaction.entrySize }

    // MARK: Writes

    /// Appends `transaction`, creating the file when needed. Throws `StorageError.invalidOffset`
    /// when its `lastOffset` is not above the previous entry's.
    public func append(_ transaction: AbortedTransaction) throws {
        if lastOffset == nil, length >= AbortedTransaction.entrySize { lastOffset = try entries().last?.lastOffset }
        if let lastOffset, lastOffset >= transaction.lastOffset {
            throw StorageError.invalidOffset(
                path: path,
                message: "the last offset of appended transactions must increase: \(transaction.lastOffset) is not above \(lastOffset)")
        }
        let channel = try openChannel()
        var buffer = ByteBuffer()
        Self.write(transaction, into: &buffer)
        try buffer.withUnsafeReadableBytes { bytes in
            var done = 0
            while done < bytes.count {
                let written = pwrite(channel.descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(length + done))
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { throw MappedIndexFile.ioError(path, "pwrite") }
                done += written
            }
        }
        length += AbortedTransaction.entrySize
        lastOffset = transaction.lastOffset
    }

    /// The last entry's marker offset (nil for an empty index).
    public func lastMarkerOffset() throws -> Int64? {
        if lastOffset == nil, length >= AbortedTransaction.entrySize { lastOffset = try entries().last?.lastOffset }
        return lastOffset
    }

    /// Removes the entries whose marker is at or after `offset` (a segment truncated there).
    public func truncateTo(_ offset: Int64) throws {
        let all = try entries()
        guard let cut = all.firstIndex(where: { $0.lastOffset >= offset }) else { return }
        try truncateFile(to: cut * AbortedTransaction.entrySize)
        lastOffset = cut > 0 ? all[cut - 1].lastOffset : nil
    }

    /// Empties the index (a segment being recovered: the producer state replays its markers).
    /// The file, when it exists, is kept at length zero.
    public func reset() throws {
        if channel != nil { try truncateFile(to: 0) }
        length = 0
        lastOffset = nil
    }

    private func truncateFile(to newLength: Int) throws {
        guard let channel else { return }
        guard ftruncate(channel.descriptor, off_t(newLength)) == 0 else { throw MappedIndexFile.ioError(path, "ftruncate") }
        length = newLength
    }

    private func openChannel() throws -> FileChannel {
        if let channel { return channel }
        let channel = try FileChannel(path: path)
        self.channel = channel
        length = try channel.length()
        return channel
    }

    // MARK: Reads

    /// Every entry, in file order. A partial entry at the end is not read.
    public func entries() throws -> [AbortedTransaction] {
        guard let channel, length >= AbortedTransaction.entrySize else { return [] }
        let size = length - length % AbortedTransaction.entrySize
        var buffer = ByteBuffer()
        buffer.reserveCapacity(size)
        let read = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { target in
            try channel.read(into: UnsafeMutableRawBufferPointer(rebasing: target[0..<size]), position: 0, path: path)
        }
        guard read == size else {
            throw StorageError.corrupt(path: path, message: "read \(read) of the \(size) bytes of the transaction index")
        }
        var result: [AbortedTransaction] = []
        result.reserveCapacity(size / AbortedTransaction.entrySize)
        while buffer.readableBytes >= AbortedTransaction.entrySize {
            result.append(try Self.read(from: &buffer, path: path))
        }
        return result
    }

    /// Kafka's `collectAbortedTxns`: the entries overlapping `fetchOffset..<upperBoundOffset`
    /// (marker at or after `fetchOffset`, first record before `upperBoundOffset`), and whether
    /// the search is complete: true once an entry's LSO reaches `upperBoundOffset`, since no
    /// transaction aborted later (in this segment or the next) began below the bound. When not
    /// complete, the caller goes on with the next segment.
    public func collectAbortedTransactions(fetchOffset: Int64, upperBoundOffset: Int64) throws
        -> (abortedTransactions: [AbortedTransaction], isComplete: Bool)
    {
        var found: [AbortedTransaction] = []
        for entry in try entries() {
            if entry.lastOffset >= fetchOffset && entry.firstOffset < upperBoundOffset { found.append(entry) }
            if entry.lastStableOffset >= upperBoundOffset { return (found, true) }
        }
        return (found, false)
    }

    /// Checks the file read at open (Kafka's `sanityCheck`, and the length check of the other
    /// indexes): a length that is not a multiple of 34 bytes, an entry of an unknown version or
    /// one whose marker lies below the segment's base offset throws `StorageError.corrupt`
    /// naming the file. The log then recovers the segment, which rebuilds the index.
    public func sanityCheck() throws {
        guard channel != nil else { return }
        guard length % AbortedTransaction.entrySize == 0 else {
            throw StorageError.corrupt(
                path: path,
                message: "transaction index length \(length) is not a multiple of the entry size \(AbortedTransaction.entrySize)")
        }
        for entry in try entries() where entry.lastOffset < startOffset {
            throw StorageError.corrupt(
                path: path,
                message: "last offset \(entry.lastOffset) of aborted transaction of producer \(entry.producerId) is below the segment's start offset \(startOffset)")
        }
    }

    // MARK: Lifecycle

    public func flush() throws {
        try channel?.sync(path: path)
    }

    /// The open file, for a flush outside the log's lock.
    var fileToSync: FileToSync? { channel.map { FileToSync(channel: $0, path: path) } }

    /// Closes the file (an open `FileChannel` is closed when its last owner lets go). A later
    /// append or read opens it again.
    public func close() {
        channel = nil
    }

    /// Renames the file when it exists; the index takes `newPath` either way (a later first
    /// append creates it there).
    public func rename(to newPath: String) throws {
        if FileManager.default.fileExists(atPath: path) {
            guard Glibc.rename(path, newPath) == 0 else { throw MappedIndexFile.ioError(path, "rename to \(newPath)") }
        }
        path = newPath
    }

    /// Closes and deletes the file when it exists.
    public func deleteIfExists() {
        close()
        unlink(path)
    }

    // MARK: Entry format

    /// Writes one 34-byte entry.
    public static func write(_ entry: AbortedTransaction, into buffer: inout ByteBuffer) {
        buffer.writeInteger(AbortedTransaction.currentVersion)
        buffer.writeInteger(entry.producerId)
        buffer.writeInteger(entry.firstOffset)
        buffer.writeInteger(entry.lastOffset)
        buffer.writeInteger(entry.lastStableOffset)
    }

    /// Reads one 34-byte entry; a version above the current one is corrupt (as Kafka refuses it).
    public static func read(from buffer: inout ByteBuffer, path: String) throws -> AbortedTransaction {
        guard let version: Int16 = buffer.readInteger(), let producerId: Int64 = buffer.readInteger(),
              let firstOffset: Int64 = buffer.readInteger(), let lastOffset: Int64 = buffer.readInteger(),
              let lastStableOffset: Int64 = buffer.readInteger()
        else { throw StorageError.corrupt(path: path, message: "partial transaction index entry") }
        guard version <= AbortedTransaction.currentVersion else {
            throw StorageError.corrupt(
                path: path,
                message: "unexpected aborted transaction version \(version), current version is \(AbortedTransaction.currentVersion)")
        }
        return AbortedTransaction(producerId: producerId, firstOffset: firstOffset, lastOffset: lastOffset, lastStableOffset: lastStableOffset)
    }
}

/// Not `Sendable`: owned by a `LogSegment` under its log's lock.
@available(*, unavailable)
extension TransactionIndex: Sendable {}
