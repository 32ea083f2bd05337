import Foundation
import Glibc
import Logging

/// The snapshot files of the producer state: `<offset>.snapshot` in the log directory, in
/// `ProducerStateSnapshot`'s format, each the state of every producer at the log offset in its
/// name. Taken on segment roll and on close; loaded on open, after which the log is replayed
/// from the snapshot's offset. A snapshot is a cache of the log: one that does not decode is
/// deleted and the next older one (or the log start) is used.
extension ProducerStateManager {
    /// The offsets of the snapshot files in the log directory, ascending.
    public func snapshotOffsets() throws(StorageError) -> [Int64] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: logDir)
        } catch {
            throw .io(path: logDir, operation: "list", message: "\(error)")
        }
        return names.compactMap { ProducerStateSnapshot.offset(fileName: $0) }.sorted()
    }

    public func latestSnapshotOffset() throws(StorageError) -> Int64? { try snapshotOffsets().last }
    public func oldestSnapshotOffset() throws(StorageError) -> Int64? { try snapshotOffsets().first }

    /// Deletes the snapshots below `offset`.
    public func deleteSnapshots(before offset: Int64) throws(StorageError) {
        try deleteSnapshots { $0 < offset }
    }

    func deleteSnapshots(where predicate: (Int64) -> Bool) throws(StorageError) {
        for offset in try snapshotOffsets() where predicate(offset) {
            unlink(ProducerStateSnapshot.path(directory: logDir, offset: offset))
        }
    }

    /// Writes the state as `<mapEndOffset>.snapshot`, unless a snapshot at that offset or later
    /// was already taken or loaded. Entries are written in producer id order. Returns the
    /// offset written, nil when none was.
    @discardableResult
    public mutating func takeSnapshot() throws(StorageError) -> Int64? {
        guard mapEndOffset > lastSnapOffset else { return nil }
        let entries = producers.values.sorted { $0.producerId < $1.producerId }.map(\.snapshotEntry)
        try ProducerStateSnapshot(entries: entries).write(path: ProducerStateSnapshot.path(directory: logDir, offset: mapEndOffset))
        lastSnapOffset = mapEndOffset
        return mapEndOffset
    }

    /// Loads the latest snapshot that decodes (deleting those that do not), keeping the producers
    /// whose last batch is at or above `logStartOffset` and that have not expired at `now`.
    /// Without a snapshot the state starts empty at `logStartOffset`.
    mutating func loadFromSnapshot(logStartOffset: Int64, now: Int64, logger: Logger) throws(StorageError) {
        while let offset = try latestSnapshotOffset() {
            let path = ProducerStateSnapshot.path(directory: logDir, offset: offset)
            do {
                logger.info("Loading producer state from snapshot file '\(path)'")
                let snapshot = try ProducerStateSnapshot.read(path: path)
                for line in snapshot.entries {
                    var entry = ProducerStateEntry(line)
                    if Self.isRetained(&entry, logStartOffset: logStartOffset), !isExpired(entry, now: now) {
                        loadProducerEntry(entry)
                    }
                }
                lastSnapOffset = offset
                mapEndOffset = offset
                return
            } catch StorageError.corrupt(_, let message) {
                logger.warning("Failed to load producer snapshot from '\(path)': \(message)")
                unlink(path)
            }
        }
        lastSnapOffset = logStartOffset
        mapEndOffset = logStartOffset
    }

    /// Brings the state back to the log `[logStartOffset, logEndOffset)` (Kafka's
    /// `truncateAndReload`): deletes the snapshots above the log end and at or below the log
    /// start; when the state is not already at `logEndOffset`, forgets it and loads the latest
    /// snapshot left (the caller replays the log from `mapEndOffset`); else only drops what fell
    /// below the log start. The caller guarantees `logEndOffset` is at most the high watermark.
    public mutating func truncateAndReload(logStartOffset: Int64, logEndOffset: Int64, now: Int64, logger: Logger) throws(StorageError) {
        try deleteSnapshots { $0 > logEndOffset || $0 <= logStartOffset }
        if logEndOffset != mapEndOffset {
            producers = [:]
            ongoingTxns = [:]
            unreplicatedTxns = [:]
            try loadFromSnapshot(logStartOffset: logStartOffset, now: now, logger: logger)
        } else {
            try truncateHead(logStartOffset: logStartOffset)
        }
    }
}
