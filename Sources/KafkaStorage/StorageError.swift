/// Failures of the log layer. Each names the file it concerns, so an operator can find it.
public enum StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call on a file failed (`errno` text included).
    case io(path: String, operation: String, message: String)
    /// A file's contents break its format (a checkpoint line, an index entry, a batch header).
    case corrupt(path: String, message: String)
    /// An append to an index out of order, or to a full index.
    case invalidOffset(path: String, message: String)
    case indexFull(path: String)
    /// The log was closed (deleted, or the broker is shutting down): nothing more is read or written.
    case closed(path: String)
    /// The file was truncated below the end of a slice read from it before the slice was sent:
    /// its bytes may since be other records.
    case truncatedUnderSlice(path: String, position: Int, size: Int)

    public var description: String {
        switch self {
        case .io(let path, let operation, let message): "\(operation) failed for \(path): \(message)"
        case .corrupt(let path, let message): "corrupt file \(path): \(message)"
        case .invalidOffset(let path, let message): "invalid offset for \(path): \(message)"
        case .indexFull(let path): "index \(path) is full"
        case .closed(let path): "log \(path) is closed"
        case .truncatedUnderSlice(let path, let position, let size):
            "\(path) was truncated under a slice of \(size) bytes at \(position) before it was sent"
        }
    }
}
