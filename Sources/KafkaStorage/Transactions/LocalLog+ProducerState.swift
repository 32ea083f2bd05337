import KafkaRecords

/// The log's side of the producer state (Kafka 2.3's `Log.analyzeAndValidateProducerState`,
/// `loadProducerState`, `updateFirstUnstableOffset`): the check before an append, the update
/// after it, loading on open and after truncation, and `firstUnstableOffset`.
///
/// Cost on the hot path: an append whose batches carry no producer id (−1) reads one header
/// field per batch and nothing else; only control batches are decoded (their one record).
extension LocalLog {
    /// What the producer state made of an append's batches before they are written.
    struct ProducerStateAnalysis {
        /// Per producer id, its state once the append is written.
        var updatedProducers: [Int64: ProducerAppendInfo] = [:]
        /// Transactions the append's markers end, in log order.
        var completedTransactions: [CompletedTransaction] = []
        /// Set when a producer's batch is a retry of one already written: nothing is to be
        /// written, the append answers with this batch's offsets.
        var duplicate: BatchMetadata?

        var isEmpty: Bool { updatedProducers.isEmpty && completedTransactions.isEmpty }
    }

    /// Checks the batches of `records` (with their final offsets) against the producer state:
    /// see `ProducerAppendInfo` for the rules. A producer's retry of one of its last five batches
    /// stops the analysis with `duplicate` set (only for `.client`). Throws the first violation.
    func analyzeAndValidateProducerState(_ records: MemoryRecords, origin: AppendOrigin) throws(ProducerStateError) -> ProducerStateAnalysis {
        var analysis = ProducerStateAnalysis()
        for batch in records.batches where batch.hasProducerId {
            let producerId = batch.producerId
            if origin == .client, let entry = producerStateManager.lastEntry(producerId),
               let duplicate = entry.duplicateBatch(epoch: batch.producerEpoch, firstSequence: batch.baseSequence,
                                                    lastSequence: batch.lastSequence) {
                analysis.duplicate = duplicate
                return analysis
            }
            var info = analysis.updatedProducers[producerId] ?? producerStateManager.prepareUpdate(producerId: producerId, origin: origin)
            if let completed = try info.append(batch) { analysis.completedTransactions.append(completed) }
            analysis.updatedProducers[producerId] = info
        }
        return analysis
    }

    /// After the append is written (its last offset `lastOffset`): the producers take on their
    /// new state, each completed transaction is recorded with the LSO just after its marker
    /// (`recordCompletedTransaction`) and then completed, and the state is complete up to the
    /// new log end offset.
    func applyProducerState(_ analysis: ProducerStateAnalysis, lastOffset: Int64) throws {
        if !analysis.isEmpty {
            for info in analysis.updatedProducers.values { producerStateManager.update(info) }
            for completed in analysis.completedTransactions {
                let lastStableOffset = producerStateManager.lastStableOffset(completed)
                try recordCompletedTransaction(completed, lastStableOffset: lastStableOffset)
                producerStateManager.completeTxn(completed)
            }
        }
        producerStateManager.updateMapEndOffset(lastOffset + 1)
        updateFirstUnstableOffset()
    }

    /// `firstUnstableOffset` from the producer state, never below the log start offset (Kafka's
    /// `updateFirstUnstableOffset`).
    func updateFirstUnstableOffset() {
        let updated = producerStateManager.firstUnstableOffset.map { max($0, logStartOffset) }
        if updated != firstUnstableOffset {
            logger.debug("First unstable offset updated", metadata: ["firstUnstableOffset": "\(updated.map(String.init) ?? "None")"])
            firstUnstableOffset = updated
        }
    }

    /// The partition's high watermark moved to `highWatermark`: the transactions whose markers
    /// are now below it become stable. Called by the `Partition` (leader and follower).
    public func onHighWatermarkIncremented(_ highWatermark: Int64) {
        producerStateManager.onHighWatermarkUpdated(highWatermark)
        updateFirstUnstableOffset()
    }

    /// The log start offset moved (retention, DeleteRecords): the producer state forgets what
    /// fell below it, with the snapshots below it.
    func onLogStartOffsetIncremented() throws {
        try producerStateManager.truncateHead(logStartOffset: logStartOffset)
        updateFirstUnstableOffset()
    }

    /// Forgets the producers idle for longer than `transactional.id.expiration.ms` (the
    /// `LogManager`'s periodic task). Returns how many.
    @discardableResult
    public func removeExpiredProducers(now: Int64) -> Int {
        producerStateManager.removeExpiredProducers(now: now)
    }

    /// The producer state's entries (tests, tools).
    public var activeProducers: [Int64: ProducerStateEntry] { producerStateManager.producers }

    /// Writes a producer snapshot at the state's end offset, if there is none there yet.
    func takeProducerSnapshot() throws {
        if let offset = try producerStateManager.takeSnapshot() {
            logger.info("Writing producer snapshot at offset \(offset)")
        }
    }

    /// The oldest snapshot to keep after a recovery point checkpoint: those of the last two
    /// segments, and everything from the recovery point on. Deletes the older ones and returns
    /// the offset (Kafka's `deleteSnapshotsAfterRecoveryPointCheckpoint`).
    @discardableResult
    public func deleteSnapshotsAfterRecoveryPointCheckpoint() throws -> Int64 {
        try ensureOpen()
        let count = segmentList.count
        let twoSegmentsMinOffset = count >= 2 ? segmentList[count - 2].baseOffset : activeSegment.baseOffset
        let minOffsetToRetain = min(twoSegmentsMinOffset, recoveryPoint)
        try producerStateManager.deleteSnapshots(before: minOffsetToRetain)
        return minOffsetToRetain
    }

    /// Rebuilds the producer state for the log ending at `lastOffset` (Kafka 2.3's
    /// `loadProducerState`), on open and after a truncation:
    ///
    /// - No snapshot and a clean shutdown (a log written before snapshots existed): no scan;
    ///   empty snapshots are taken at the last two segments' base offsets and at `lastOffset`.
    /// - Otherwise the snapshots above `lastOffset` or at or below the log start are deleted, the
    ///   latest one left is loaded (unless the state is already at `lastOffset`), and the log is
    ///   replayed from its offset to `lastOffset` without checks (snapshots taken at the last two
    ///   segments' base offsets on the way), then a snapshot is taken at `lastOffset`. After a
    ///   clean shutdown the snapshot is at the log end: nothing is replayed.
    /// - When recovery emptied some segments' `.txnindex` (`transactionIndexRebuildOffset`), the
    ///   snapshots above the first of them go too, and the replay writes the aborted transactions
    ///   of the markers it meets back into their segments (`LogSegment.replayTxnIndex`).
    func loadProducerState(lastOffset: Int64, reloadFromCleanShutdown: Bool) throws {
        logger.info("Loading producer state till offset \(lastOffset) with message format version 2")
        let count = segmentList.count
        let snapshotBases = Set((count >= 2 ? [segmentList[count - 2].baseOffset] : []) + [activeSegment.baseOffset])
        // Recovery emptied the `.txnindex` of the segments from `rebuildOffset` on: the replay
        // must start at or below it to write their aborted transactions again, so the snapshots
        // above it go, as Kafka's `recoverSegment` deletes them.
        let rebuildOffset = transactionIndexRebuildOffset
        transactionIndexRebuildOffset = nil
        if let rebuildOffset {
            try producerStateManager.truncateAndReload(
                logStartOffset: logStartOffset, logEndOffset: min(rebuildOffset, lastOffset), now: time.milliseconds, logger: logger)
        }
        if rebuildOffset == nil, try producerStateManager.latestSnapshotOffset() == nil, reloadFromCleanShutdown {
            for offset in snapshotBases.sorted() + [lastOffset] {
                producerStateManager.updateMapEndOffset(offset)
                try takeProducerSnapshot()
            }
        } else {
            let isEmptyBeforeTruncation = rebuildOffset == nil && producerStateManager.isEmpty
                && producerStateManager.mapEndOffset >= lastOffset
            try producerStateManager.truncateAndReload(
                logStartOffset: logStartOffset, logEndOffset: lastOffset, now: time.milliseconds, logger: logger)
            if lastOffset > producerStateManager.mapEndOffset, !isEmptyBeforeTruncation {
                for segment in segments(from: producerStateManager.mapEndOffset, to: lastOffset) {
                    let startOffset = max(segment.baseOffset, producerStateManager.mapEndOffset, logStartOffset)
                    producerStateManager.updateMapEndOffset(startOffset)
                    if snapshotBases.contains(segment.baseOffset) { try takeProducerSnapshot() }
                    try replayProducerState(of: segment, from: startOffset, to: lastOffset)
                }
            }
            producerStateManager.updateMapEndOffset(lastOffset)
            try takeProducerSnapshot()
        }
        updateFirstUnstableOffset()
    }

    /// Applies the batches of `segment` holding offsets in `[startOffset, endOffset)` to the
    /// producer state, without checks (Kafka's `loadProducersFromLog`), reading the segment in
    /// chunks of at most 1 MiB (a larger batch is read whole).
    private func replayProducerState(of segment: LogSegment, from startOffset: Int64, to endOffset: Int64) throws {
        guard var position = try segment.translateOffset(startOffset)?.position else { return }
        let chunkSize = 1 << 20
        while position < segment.size {
            var size = chunkSize
            if let header = try segment.log.batchHeader(at: position) { size = max(size, header.sizeInBytes) } else { return }
            let records = MemoryRecords(try segment.log.read(position: position, size: size))
            var loaded: [Int64: ProducerAppendInfo] = [:]
            var completed: [CompletedTransaction] = []
            var batches = records.batches
            var reachedEnd = false
            while let batch = batches.next() {
                if batch.baseOffset >= endOffset {
                    reachedEnd = true
                    break
                }
                guard batch.hasProducerId, batch.lastOffset >= startOffset else { continue }
                var info = loaded[batch.producerId] ?? producerStateManager.prepareUpdate(producerId: batch.producerId, origin: .replication)
                do {
                    if let done = try info.append(batch) { completed.append(done) }
                } catch {
                    logger.warning("Skipping a batch the producer state cannot read", metadata: ["offset": "\(batch.baseOffset)", "error": "\(error)"])
                }
                loaded[batch.producerId] = info
            }
            for info in loaded.values { producerStateManager.update(info) }
            for transaction in completed {
                try segment.replayTxnIndex(transaction, lastStableOffset: producerStateManager.lastStableOffset(transaction))
                producerStateManager.completeTxn(transaction)
            }
            guard !reachedEnd, batches.validBytes > 0 else { return }
            position += batches.validBytes
        }
    }
}
