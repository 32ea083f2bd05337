import Foundation
import KafkaCommon
import Logging

/// A partition's leader epochs and the first offset written in each (Kafka 2.3's
/// `LeaderEpochFileCache`, persisted as `LeaderEpochCheckpointFile`). Followers ask the leader
/// for the end offset of their latest epoch (OffsetForLeaderEpoch) and truncate to it, instead
/// of truncating to their high watermark (KIP-101/KIP-279).
///
/// On disk: `<log dir>/leader-epoch-checkpoint`, a `CheckpointFile` of `EpochEntry` lines (or
/// an empty file, which Kafka creates with the log, until the first entry):
///
///     0          <- format version
///     2          <- number of entries
///     0 0        <- epoch 0 starts at offset 0
///     3 120      <- epoch 3 starts at offset 120 (epochs 1 and 2 wrote nothing)
///
/// Every change is written through to the file before the mutating call returns (atomically:
/// see `CheckpointFile`); a failed write throws `StorageError` and leaves the entries in memory
/// as changed, as Kafka does (its caller then takes the log directory offline). One exception:
/// an append's new epoch (`assign(epoch:startOffset:deferWrite:)` with `deferWrite`) only marks
/// the cache `isDirty`, and the log has the scheduler write it (`pendingWrite`, `markWritten`),
/// so a follower's fetcher or a produce request never waits on the checkpoint's fsync. The log
/// writes a dirty cache before its recovery point passes the new entry and before it closes;
/// see `LocalLog+LeaderEpoch.swift` for why a crash in between loses nothing recovery cannot
/// rebuild.
///
/// Invariants, kept by `assign` as long as the log appends in offset order: entries are sorted
/// by epoch and by start offset, both strictly increasing; each epoch is ≥ 0. A file is loaded
/// as it is, without checking them (Kafka does the same).
///
/// Isolation: a value owned by its `Log` (`Log.leaderEpochCache`) and changed only through the
/// log's methods, under the log's lock (Kafka gives the cache a lock of its own; here the log's
/// serialises it). `close()` is called when the log is closed: its directory may then be
/// renamed or re-created for a new log of the same partition, so every later change is refused
/// with `StorageError` instead of writing to a path that is no longer this log's.
public struct LeaderEpochFileCache: Sendable {
    /// Kafka's `UNDEFINED_EPOCH` and `UNDEFINED_EPOCH_OFFSET`: "no such epoch".
    public static let undefinedEpoch: Int32 = -1
    public static let undefinedEpochOffset: Int64 = -1

    public let topicPartition: TopicPartition
    public let checkpoint: CheckpointFile<EpochEntry>
    /// Writes the file, from under the log's lock or without it (see the type).
    public let writer: LeaderEpochCheckpointWriter
    /// Counts the changes of `entries`; `writtenVersion` is the last one on disk (as far as this
    /// cache knows: writes made without the log's lock report back through `markWritten`).
    public private(set) var version: UInt64 = 0
    public private(set) var writtenVersion: UInt64 = 0
    /// The entries, oldest epoch first.
    public private(set) var entries: [EpochEntry]
    /// Set by `close()`: no change is written any more.
    public private(set) var isClosed = false
    let logger: Logger

    /// Loads the checkpoint at `path`. As in Kafka, a missing file is created empty (0 bytes),
    /// and an empty file is an empty cache: Kafka 2.3 creates it for every log and writes it at
    /// the first change. A malformed file throws `StorageError.corrupt` naming the file and line.
    public init(topicPartition: TopicPartition, path: String, logger: Logger) throws {
        self.topicPartition = topicPartition
        self.checkpoint = CheckpointFile(path: path)
        self.writer = LeaderEpochCheckpointWriter(checkpoint: checkpoint)
        self.logger = logger
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if attributes == nil {
            guard FileManager.default.createFile(atPath: path, contents: Data()) else {
                throw StorageError.io(path: path, operation: "create", message: "cannot create the leader epoch checkpoint")
            }
            self.entries = []
        } else if (attributes?[.size] as? Int) == 0 {
            self.entries = []
        } else {
            self.entries = try checkpoint.read()
        }
    }

    public var isEmpty: Bool { entries.isEmpty }
    /// Whether the entries changed since they were last written (a deferred write is due).
    public var isDirty: Bool { version > writtenVersion }
    public var earliestEntry: EpochEntry? { entries.first }
    public var latestEntry: EpochEntry? { entries.last }
    /// The epoch of the latest entry: the newest epoch that has records in the log.
    public var latestEpoch: Int32? { entries.last?.epoch.rawValue }

    // MARK: Assignment

    /// Records that `epoch` starts at `startOffset` (Kafka's `assign`), called for each appended
    /// batch. Nothing changes when `epoch` is the latest epoch and `startOffset` is not below its
    /// start offset (the common case: another batch of the current epoch).
    ///
    /// Otherwise the new entry is appended after removing every entry it contradicts: those
    /// whose epoch is ≥ `epoch` or whose start offset is ≥ `startOffset`. An epoch or offset
    /// going backwards means batches arrived out of order; Kafka trusts the latest append and
    /// logs a warning, and so does this. Returns whether the entries changed.
    ///
    /// Throws `LogError.invalidLeaderEpoch` for a negative epoch (Kafka's
    /// IllegalArgumentException), `StorageError` when the checkpoint cannot be written.
    ///
    /// With `deferWrite`, an assignment that only appends an entry (the common case: a new epoch
    /// above every entry, starting above every entry) is not written here: the cache becomes
    /// `isDirty` and the caller has it written later (`pendingWrite`). An assignment that removes
    /// entries is always written at once.
    @discardableResult
    public mutating func assign(epoch: Int32, startOffset: Int64, deferWrite: Bool = false) throws -> Bool {
        if let latest = entries.last, latest.epoch.rawValue == epoch, startOffset >= latest.startOffset { return false }
        guard epoch >= 0 else { throw LogError.invalidLeaderEpoch(epoch: epoch, startOffset: startOffset) }
        try ensureOpen()
        let entry = EpochEntry(epoch: LeaderEpoch(epoch), startOffset: startOffset)
        if let latest = entries.last {
            if epoch < latest.epoch.rawValue {
                logger.warning("Leader epoch assignment below the latest epoch: records arrived out of order", metadata: [
                    "entry": "\(entry.line)", "latest": "\(latest.line)",
                ])
            } else if startOffset < latest.startOffset {
                logger.warning("Leader epoch assignment below the latest start offset: records arrived out of order", metadata: [
                    "entry": "\(entry.line)", "latest": "\(latest.line)",
                ])
            }
        }
        let removed = entries.filter { !($0.epoch < entry.epoch && $0.startOffset < startOffset) }
        entries.removeAll { !($0.epoch < entry.epoch && $0.startOffset < startOffset) }
        entries.append(entry)
        version += 1
        // Replacing one entry at the same start offset is a leader change before any write.
        if removed.count > 1 || (removed.count == 1 && removed[0].startOffset != startOffset) {
            logger.warning("New leader epoch entry truncated conflicting entries", metadata: [
                "entry": "\(entry.line)", "removed": "\(removed.map(\.line))", "entries": "\(entries.count)",
            ])
        } else {
            logger.debug("Appended leader epoch entry", metadata: ["entry": "\(entry.line)", "entries": "\(entries.count)"])
            if deferWrite, removed.isEmpty { return true }
        }
        try flush()
        return true
    }

    // MARK: Lookup

    /// The end offset of `requestedEpoch` as OffsetForLeaderEpoch answers it (Kafka 2.3's
    /// `endOffsetFor`), with the epoch the answer belongs to:
    ///
    /// - `undefinedEpoch` (−1) asked, or no entry at all, or an epoch above every entry:
    ///   `(−1, −1)`;
    /// - the latest epoch: `(latest, logEndOffset)`;
    /// - an older epoch: the largest epoch ≤ the one asked, ending where the first epoch above
    ///   the one asked starts;
    /// - an epoch below every entry: `(requestedEpoch, start offset of the earliest entry)`:
    ///   the records before it are gone, and a follower must not keep more than that.
    public func endOffset(for requestedEpoch: Int32, logEndOffset: Int64) -> (epoch: Int32, endOffset: Int64) {
        if requestedEpoch == Self.undefinedEpoch { return (Self.undefinedEpoch, Self.undefinedEpochOffset) }
        if let latest = latestEpoch, latest == requestedEpoch { return (requestedEpoch, logEndOffset) }
        guard let firstHigher = entries.firstIndex(where: { $0.epoch.rawValue > requestedEpoch }) else {
            return (Self.undefinedEpoch, Self.undefinedEpochOffset)
        }
        let endOffset = entries[firstHigher].startOffset
        guard firstHigher > 0 else { return (requestedEpoch, endOffset) }
        return (entries[firstHigher - 1].epoch.rawValue, endOffset)
    }

    /// The epoch of the record at `offset`: that of the last entry starting at or below it, nil
    /// when every entry starts above it (or there is none). Right for offsets below the log end
    /// offset, whose entries `assign` and the truncations keep in line with the batches.
    public func epoch(forOffset offset: Int64) -> Int32? {
        entries.last { $0.startOffset <= offset }?.epoch.rawValue
    }

    // MARK: Truncation

    /// Removes the entries starting at or after `endOffset` (the log was truncated to it; Kafka's
    /// `truncateFromEnd`). A negative offset changes nothing.
    public mutating func truncateFromEnd(endOffset: Int64) throws {
        guard endOffset >= 0, let latest = entries.last, latest.startOffset >= endOffset else { return }
        try ensureOpen()
        let kept = entries.filter { $0.startOffset < endOffset }
        logger.debug("Truncated leader epoch entries from the end", metadata: [
            "endOffset": "\(endOffset)", "removed": "\(entries.count - kept.count)", "entries": "\(kept.count)",
        ])
        entries = kept
        version += 1
        try flush()
    }

    /// The log start offset moved up to `startOffset` (Kafka's `truncateFromStart`): the entries
    /// starting at or below it collapse into one, the last of them, now starting at
    /// `startOffset`; later entries stay. So the epoch holding the new first record keeps an
    /// entry, which is exclusive: an entry starting exactly at `startOffset` is kept as it is.
    /// Writes the file only when an entry changed (Kafka rewrites it even when none did).
    public mutating func truncateFromStart(startOffset: Int64) throws {
        guard let lastCovered = entries.lastIndex(where: { $0.startOffset <= startOffset }) else { return }
        let first = EpochEntry(epoch: entries[lastCovered].epoch, startOffset: startOffset)
        let updated = [first] + entries[(lastCovered + 1)...]
        guard updated != entries else { return }
        try ensureOpen()
        logger.debug("Truncated leader epoch entries from the start", metadata: [
            "startOffset": "\(startOffset)", "removed": "\(lastCovered)", "firstEntry": "\(first.line)",
        ])
        entries = updated
        version += 1
        try flush()
    }

    /// Removes every entry and writes the empty checkpoint (Kafka's `clearAndFlush`).
    public mutating func clearAndFlush() throws {
        try ensureOpen()
        entries = []
        version += 1
        try flush()
    }

    /// Refuses every later change (the owning log was closed), after a write in progress
    /// without the log's lock is done. A dirty cache is not written here: the log writes it first
    /// on a clean close (`LocalLog.close`).
    public mutating func close() {
        isClosed = true
        writer.close()
    }

    // MARK: Deferred writes

    /// What a deferred write is to write (the entries and their version), nil when the file is
    /// up to date or the cache closed. Taken under the log's lock; written with
    /// `writer.write(_:version:)` without it; reported with `markWritten`.
    public var pendingWrite: (entries: [EpochEntry], version: UInt64)? {
        guard isDirty, !isClosed else { return nil }
        return (entries, version)
    }

    /// A write of version `version` made without the log's lock has returned.
    public mutating func markWritten(version written: UInt64) { writtenVersion = max(writtenVersion, written) }

    /// Writes the entries now if they changed since the last write (under the log's lock).
    public mutating func writeIfDirty() throws {
        guard isDirty else { return }
        try ensureOpen()
        try flush()
    }

    private func ensureOpen() throws {
        guard !isClosed else {
            throw StorageError.io(path: checkpoint.path, operation: "write", message: "the log of \(topicPartition) is closed")
        }
    }

    private mutating func flush() throws {
        try writer.write(entries, version: version)
        writtenVersion = version
    }
}
