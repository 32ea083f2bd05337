import Glibc
import Synchronization

/// An open file shared by reference (the role of Java's `FileChannel` under Kafka's
/// `FileRecords`): one descriptor, closed by `deinit` when the last owner lets go.
///
/// Owners: the segment's `FileRecords` (until the segment is closed or deleted), every
/// `FileSlice` read from it (until the slice is sent or dropped), and a flush of a rolled
/// segment that runs outside the log's lock. So a slice always reads the bytes of the file it
/// was cut from: renaming the file to `.deleted` (retention), unlinking it, or rolling a new
/// segment under the same name (truncation, then a roll at the same base offset) leaves this
/// descriptor on the old inode.
///
/// Only truncation changes bytes in place. It is recorded here (`noteTruncation`) before the
/// file is cut, so that a slice can tell whether its range survived (`FileSlice.isIntact`):
/// a byte range cut away may since have been written again with other records.
///
/// Isolation: the descriptor is immutable and used with positioned calls only (`pread`,
/// `pwrite`, `sendfile` with an offset), never `lseek`, so any thread may use it; nobody but
/// `deinit` closes it (a borrower such as NIO's `NIOFileHandle` must give it back, not close
/// it). The truncation record is behind a `Mutex`.
public final class FileChannel: Sendable {
    /// The open descriptor; valid for the object's whole life.
    public let descriptor: Int32
    /// The sizes the file was cut to, oldest first (truncations are rare: leader changes).
    private let truncations = Mutex<[Int]>([])

    /// Opens `path` read-write, creating it when missing.
    public init(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw MappedIndexFile.ioError(path, "open") }
        descriptor = fd
    }

    deinit { Glibc.close(descriptor) }

    /// The number of truncations so far: a slice records it when it is cut.
    public var truncationCount: Int { truncations.withLock { $0.count } }

    /// Records that the file is about to be cut to `size` bytes.
    func noteTruncation(to size: Int) {
        truncations.withLock { $0.append(size) }
    }

    /// The smallest size the file was cut to since `count` truncations, nil when none since.
    func smallestTruncation(since count: Int) -> Int? {
        truncations.withLock { $0.count > count ? $0[count...].min() : nil }
    }

    /// The file's current length.
    public func length() throws -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw MappedIndexFile.ioError("fd \(descriptor)", "fstat") }
        return Int(info.st_size)
    }

    /// `fsync`: whatever was written through any descriptor or mapping of the file is on disk
    /// when this returns.
    public func sync(path: String) throws {
        while fsync(descriptor) != 0 {
            guard errno == EINTR else { throw MappedIndexFile.ioError(path, "fsync") }
        }
    }

    /// Reads `size` bytes at `position` (fewer at the end of the file) into `target`. Returns the
    /// count read.
    func read(into target: UnsafeMutableRawBufferPointer, position: Int, path: String) throws -> Int {
        var done = 0
        while done < target.count {
            let result = pread(descriptor, target.baseAddress! + done, target.count - done, off_t(position + done))
            if result < 0 && errno == EINTR { continue }
            if result < 0 { throw MappedIndexFile.ioError(path, "pread") }
            if result == 0 { break }
            done += result
        }
        return done
    }
}

/// An open file and its name, to `fsync` outside the log's lock.
struct FileToSync: Sendable {
    let channel: FileChannel
    let path: String

    func sync() throws { try channel.sync(path: path) }
}
