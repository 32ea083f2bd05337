import KafkaRecords

/// The log's side of the leader epoch cache (Kafka 2.3's `Log` around `leaderEpochCache`).
///
/// Which operations keep the cache in line with the segments:
///
///     init, after loadSegments      truncateFromEnd(logEndOffset), truncateFromStart(logStartOffset);
///                                   cleared when the last batch is magic 0/1
///     recovery of a segment         assign for each batch of an epoch above the latest (and above 0)
///     appendAsLeader                assign(leaderEpoch, firstOffset), written later
///     appendAsFollower              assign(partitionLeaderEpoch, baseOffset) for each batch,
///                                   written later
///     truncateTo(offset)            truncateFromEnd(offset)
///     truncateFullyAndStartAt       clearAndFlush()
///     log start offset raised       truncateFromStart(logStartOffset)  (DeleteRecords, retention)
///     close                         close(): every later change is refused
///
/// Appends assign after the records are written (Kafka assigns just before): an append that
/// fails leaves no entry for records that are not there. When the checkpoint write itself fails,
/// the append throws that `StorageError` with its records already in the log, as for any other
/// failed write of a failing directory (the caller takes the directory offline; recovery at
/// the next start adds the entry back when its epoch is above 0). Whatever these methods do runs
/// under the log's lock, like every other log method.
///
/// Deferred writes: Kafka 2.3 writes and fsyncs the checkpoint inside the append that brings a
/// new epoch. A follower's fetcher appends to hundreds of partitions in a row after a leader
/// change, and 8–16 ms of fsync each stalled it for seconds (and with it the leader's acks=all
/// produce requests). Here an append's new epoch only updates the cache in memory; the write and
/// its fsync run on the scheduler, without the log's lock (`Log.writeLeaderEpochCheckpoint`).
/// Crash safety is kept by ordering: the checkpoint is written before the recovery point moves
/// past any offset (`flush`, `Log.flush(upTo:)`, `completeFlush`) and before the log closes. So
/// an entry lost in a crash starts at or above the recovery point, in the segments recovery
/// reads again, and recovery assigns it again from the batches' epochs (for epochs above 0, as
/// Kafka 2.3's recovery does; an epoch 0 start is then missing, and OffsetForLeaderEpoch falls
/// back to the high watermark as Kafka does for an empty cache). Truncations and conflicting
/// assignments are written at once, as before.
extension LocalLog {
    /// An append's epoch assignment (leader or follower): written by the scheduler, see above.
    func assignLeaderEpoch(_ epoch: Int32, startOffset: Int64) throws {
        guard try leaderEpochCache.assign(epoch: epoch, startOffset: startOffset, deferWrite: true),
              leaderEpochCache.isDirty, !leaderEpochWriteScheduled else { return }
        leaderEpochWriteScheduled = true
        let logger = self.logger
        scheduler.schedule(name: "write-leader-epoch-checkpoint", delayMs: 0) { [weak owner] in
            do {
                try owner?.writeLeaderEpochCheckpoint()
            } catch {
                logger.error("Could not write the leader epoch checkpoint", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The newest leader epoch that has records in this log.
    public var latestLeaderEpoch: Int32? { leaderEpochCache.latestEpoch }

    /// The end offset of `epoch` in this log and the epoch it belongs to, as the leader answers
    /// OffsetForLeaderEpoch (`LeaderEpochFileCache.endOffset(for:logEndOffset:)` with this log's
    /// end offset). `(−1, −1)` when the epoch is unknown.
    public func endOffset(forLeaderEpoch epoch: Int32) -> (epoch: Int32, endOffset: Int64) {
        leaderEpochCache.endOffset(for: epoch, logEndOffset: logEndOffset)
    }

    /// Brings the loaded checkpoint in line with the loaded segments (Kafka's steps after
    /// `loadSegments`): entries at or beyond the log end offset go (the records they describe
    /// were lost or never flushed), and the earliest entry moves up to the log start offset.
    ///
    /// Kafka keeps no cache for a log whose `message.format.version` predates 0.11 (magic 0/1
    /// records carry no epoch) and deletes the file. This log writes magic 2 batches only
    /// (`LogValidator` up-converts, followers refuse older ones), so only a directory written by
    /// an older broker can hold magic 0/1 records: when its last batch is one, the cache is
    /// cleared (a warning if it had entries). Appends after that fill it again.
    func initializeLeaderEpochCache() throws {
        try leaderEpochCache.truncateFromEnd(endOffset: logEndOffset)
        try leaderEpochCache.truncateFromStart(startOffset: logStartOffset)
        if let magic = try lastBatchMagic(), magic < RecordBatch.currentMagic {
            if !leaderEpochCache.isEmpty {
                logger.warning("Clearing the leader epoch cache: the log ends with records of an older message format", metadata: [
                    "magic": "\(magic)", "entries": "\(leaderEpochCache.entries.count)",
                ])
            }
            try leaderEpochCache.clearAndFlush()
        }
    }

    /// Recovery's rule (Kafka 2.3's `LogSegment.recover`): a batch adds an entry only when its
    /// epoch is above 0 and above the latest epoch of the cache.
    func assignEpochStartOffsetDuringRecovery(epoch: Int32, baseOffset: Int64) throws {
        guard epoch > 0, epoch > (leaderEpochCache.latestEpoch ?? -1) else { return }
        try leaderEpochCache.assign(epoch: epoch, startOffset: baseOffset)
    }

    /// Assigns each batch's epoch to its base offset (a follower's append: the leader stamped
    /// them). Reads the batch headers in place; nothing is copied.
    func assignEpochStartOffsets(of records: MemoryRecords) throws {
        for batch in records.batches where batch.magic >= 2 {
            try assignLeaderEpoch(batch.partitionLeaderEpoch, startOffset: batch.baseOffset)
        }
    }

    /// Throws `LogError.invalidLeaderEpoch` unless every batch carries an epoch ≥ 0 (magic 2; older formats carry no epoch): checked
    /// before a follower's records are written, so that `assign` cannot refuse them afterwards.
    func checkPartitionLeaderEpochs(of records: MemoryRecords) throws {
        for batch in records.batches where batch.magic >= 2 && batch.partitionLeaderEpoch < 0 {
            throw LogError.invalidLeaderEpoch(epoch: batch.partitionLeaderEpoch, startOffset: batch.baseOffset)
        }
    }

    /// The magic byte of the log's last batch, nil for an empty log. Walks the headers of the
    /// last non-empty segment from its last offset-index entry.
    func lastBatchMagic() throws -> Int8? {
        guard let segment = segmentList.last(where: { $0.size > 0 }) else { return nil }
        var position = Int(segment.offsetIndex.lastEntry.position)
        var magic: Int8?
        while let header = try segment.log.batchHeader(at: position) {
            magic = header.magic
            position += header.sizeInBytes
        }
        return magic
    }
}
