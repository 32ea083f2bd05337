import KafkaCommon
import Synchronization

/// Writes one partition's `leader-epoch-checkpoint`, from under the log's lock (truncations, the
/// first write of a cache) or from the scheduler without it (an epoch an append added: see
/// `LeaderEpochFileCache.assign(epoch:startOffset:deferWrite:)`).
///
/// Every write carries the cache's version of the entries it writes; a write older than the last
/// one written is skipped, so a deferred write that lost the race with a newer one never puts
/// older entries back. Writes are serialised by the writer's own lock, held across the file's
/// write, fsync and rename. `close()` takes that lock too: once it returns, no write (even one
/// that was in progress) touches the path, which may then be renamed or re-created for a new log
/// of the partition.
///
/// Lock order: a log's lock, then its writer's lock; the writer never takes the log's lock.
public final class LeaderEpochCheckpointWriter: Sendable {
    private struct State {
        var isClosed = false
        var writtenVersion: UInt64 = 0
    }

    public let checkpoint: CheckpointFile<EpochEntry>
    private let state = Mutex(State())

    public init(checkpoint: CheckpointFile<EpochEntry>) { self.checkpoint = checkpoint }

    /// Writes `entries` (version `version` of the cache) unless a later version is already
    /// written. Throws `StorageError` when closed or when the write fails.
    public func write(_ entries: [EpochEntry], version: UInt64) throws {
        try state.withLock { state in
            guard !state.isClosed else {
                throw StorageError.io(path: checkpoint.path, operation: "write", message: "the log is closed")
            }
            guard version > state.writtenVersion else { return }
            try checkpoint.write(entries)
            state.writtenVersion = version
        }
    }

    /// Refuses every later write, after waiting for one in progress.
    public func close() { state.withLock { $0.isClosed = true } }
}
