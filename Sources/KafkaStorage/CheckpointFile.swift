import Foundation
import Glibc
import KafkaCommon

/// Kafka's checkpoint text files (`CheckpointFile`):
///
///     0                      <- format version
///     3                      <- number of entries
///     orders 0 1200          <- one entry per line, fields separated by one space
///     orders 1 1187
///     payments 0 77
///
/// Used for `recovery-point-offset-checkpoint`, `replication-offset-checkpoint` and
/// `log-start-offset-checkpoint` in each log directory (entries `topic partition offset`) and for
/// each partition's `leader-epoch-checkpoint` (entries `epoch startOffset`).
///
/// Writes go to `<file>.tmp`, are fsynced, renamed over the file and the directory is fsynced:
/// a crash leaves the old or the new checkpoint, never a mix.
public struct CheckpointFile<Entry: CheckpointEntry>: Sendable {
    public static var currentVersion: Int { 0 }
    public let path: String

    public init(path: String) { self.path = path }

    public func write(_ entries: [Entry]) throws {
        var text = "\(Self.currentVersion)\n\(entries.count)\n"
        for entry in entries { text += entry.line + "\n" }
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw MappedIndexFile.ioError(temporary, "open") }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard count > 0 else {
                Glibc.close(fd)
                throw MappedIndexFile.ioError(temporary, "write")
            }
            written += count
        }
        guard fsync(fd) == 0 else {
            Glibc.close(fd)
            throw MappedIndexFile.ioError(temporary, "fsync")
        }
        Glibc.close(fd)
        guard rename(temporary, path) == 0 else { throw MappedIndexFile.ioError(path, "rename") }
        let directory = (path as NSString).deletingLastPathComponent
        let directoryFd = open(directory.isEmpty ? "." : directory, O_RDONLY)
        if directoryFd >= 0 {
            fsync(directoryFd)
            Glibc.close(directoryFd)
        }
    }

    /// The entries, or [] when the file does not exist or is empty (Kafka reads an empty file as
    /// no entries: `cleaner-offset-checkpoint` is 0 bytes until the first cleaning). A malformed
    /// file is a `.corrupt` error naming the file and line.
    public func read() throws -> [Entry] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw StorageError.io(path: path, operation: "read", message: error.localizedDescription)
        }
        if text.isEmpty { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard lines.count >= 2 else { throw StorageError.corrupt(path: path, message: "missing version or count") }
        guard Int(lines[0]) == Self.currentVersion else {
            throw StorageError.corrupt(path: path, message: "unrecognized version '\(lines[0])'")
        }
        guard let count = Int(lines[1]), count >= 0 else {
            throw StorageError.corrupt(path: path, message: "line 2: malformed entry count '\(lines[1])'")
        }
        guard lines.count - 2 == count else {
            throw StorageError.corrupt(path: path, message: "expected \(count) entries, found \(lines.count - 2)")
        }
        return try lines.dropFirst(2).enumerated().map { index, line in
            guard let entry = Entry(line: line) else {
                throw StorageError.corrupt(path: path, message: "line \(index + 3): malformed entry '\(line)'")
            }
            return entry
        }
    }
}

/// One line of a checkpoint file.
public protocol CheckpointEntry: Sendable {
    init?(line: String)
    var line: String { get }
}

/// `topic partition offset`: recovery points, high watermarks, log start offsets.
public struct TopicPartitionOffset: CheckpointEntry, Equatable {
    public var topicPartition: TopicPartition
    public var offset: Int64

    public init(_ topicPartition: TopicPartition, _ offset: Int64) {
        self.topicPartition = topicPartition
        self.offset = offset
    }

    public init?(line: String) {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 3, !fields[0].isEmpty, let partition = Int32(fields[1]), let offset = Int64(fields[2])
        else { return nil }
        self.init(TopicPartition(String(fields[0]), partition), offset)
    }

    public var line: String { "\(topicPartition.topic) \(topicPartition.partition) \(offset)" }
}

/// `epoch startOffset`: a partition's leader epochs and the first offset of each.
public struct EpochEntry: CheckpointEntry, Equatable {
    public var epoch: LeaderEpoch
    public var startOffset: Int64

    public init(epoch: LeaderEpoch, startOffset: Int64) {
        self.epoch = epoch
        self.startOffset = startOffset
    }

    public init?(line: String) {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 2, let epoch = Int32(fields[0]), let offset = Int64(fields[1]) else { return nil }
        self.init(epoch: LeaderEpoch(epoch), startOffset: offset)
    }

    public var line: String { "\(epoch.rawValue) \(startOffset)" }
}

/// The names of the checkpoint files Kafka keeps in each log directory and partition directory.
public enum CheckpointFileName {
    public static let recoveryPoint = "recovery-point-offset-checkpoint"
    public static let replicationOffset = "replication-offset-checkpoint"
    public static let logStartOffset = "log-start-offset-checkpoint"
    public static let leaderEpoch = "leader-epoch-checkpoint"
    /// Per log directory: the offset up to which each compacted partition is clean (the first
    /// dirty offset of its next cleaning). Written by the log cleaner.
    public static let cleanerOffset = "cleaner-offset-checkpoint"
    /// Written at clean shutdown; its presence at start-up means no recovery is needed.
    public static let cleanShutdown = ".kafka_cleanshutdown"
}
