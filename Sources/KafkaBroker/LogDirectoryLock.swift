import Foundation
import Glibc

/// The `.lock` file of a log directory, held with `flock` for as long as the broker runs, so that
/// two broker processes never use one directory (Kafka's `FileLock` on `.lock`).
public final class LogDirectoryLock: Sendable {
    public static let fileName = ".lock"
    public let path: String
    private let descriptor: Int32

    public init(directory: String) throws {
        path = URL(fileURLWithPath: directory).appendingPathComponent(Self.fileName).path
        let fd = open(path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else {
            throw ConfigError(file: path, key: "log.dirs", message: "cannot open \(Self.fileName): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw ConfigError(file: path, key: "log.dirs",
                              message: "Failed to acquire lock on file .lock in \(directory). A Kafka instance in another process or thread is using this directory.")
        }
        descriptor = fd
    }

    public func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
