extension LocalLog {
    /// Records a transaction that a marker just ended: an aborted one goes into the active
    /// segment's `.txnindex` with the LSO after the marker; a committed one is not recorded.
    /// Called by the append path (leader and follower) and by recovery, before the producer
    /// state completes the transaction. The marker is the log's last batch, so it is in the
    /// active segment.
    func recordCompletedTransaction(_ transaction: CompletedTransaction, lastStableOffset: Int64) throws {
        try activeSegment.updateTxnIndex(transaction, lastStableOffset: lastStableOffset)
    }

    /// The last stable offset for a partition whose high watermark is `highWatermark`: no
    /// `read_committed` consumer may read at or past the first record of a transaction still
    /// open, nor past the high watermark.
    public func lastStableOffset(highWatermark: Int64) -> Int64 {
        min(firstUnstableOffset ?? highWatermark, highWatermark)
    }

    /// Kafka's `collectAbortedTransactions`: the aborted transactions overlapping
    /// `fetchOffset..<upperBoundOffset`, from the segment holding `fetchOffset` on, segment after
    /// segment until one's index says no later segment can add one (an entry whose LSO reaches
    /// the bound) or the segments run out.
    public func collectAbortedTransactions(fetchOffset: Int64, upperBoundOffset: Int64) throws -> [AbortedTransaction] {
        try ensureOpen()
        guard var index = floorSegmentIndex(fetchOffset) else { return [] }
        var found: [AbortedTransaction] = []
        while index < segmentList.count {
            let result = try segmentList[index].collectAbortedTransactions(fetchOffset: fetchOffset, upperBoundOffset: upperBoundOffset)
            found += result.abortedTransactions
            if result.isComplete { break }
            index += 1
        }
        return found
    }

    /// `read` for a `read_committed` fetch (Kafka's `read` with `includeAbortedTxns`): the same
    /// bytes (pass the last stable offset as `maxOffset`), and the aborted transactions that
    /// overlap them, so the consumer can drop their records. The range searched runs from
    /// `startOffset` to the first offset-index entry past the bytes returned, or to the next
    /// segment's base offset (the log end offset in the active segment) when there is none: a
    /// bound at or above the last offset returned, found without reading the batches. A read
    /// that returns nothing (at the log end offset, or a `maxOffset` at or below the start) has
    /// no aborted transactions.
    public func readWithAbortedTransactions(startOffset: Int64, maxLength: Int, maxOffset: Int64?, minOneMessage: Bool = false) throws
        -> (fetch: FetchDataInfo, abortedTransactions: [AbortedTransaction])
    {
        let fetch = try read(startOffset: startOffset, maxLength: maxLength, maxOffset: maxOffset, minOneMessage: minOneMessage)
        let metadata = fetch.fetchOffsetMetadata
        guard startOffset != logEndOffset, metadata.segmentBaseOffset >= 0,
              let index = floorSegmentIndex(metadata.segmentBaseOffset), segmentList[index].baseOffset == metadata.segmentBaseOffset
        else { return (fetch, []) }
        let segment = segmentList[index]
        let upperBound = segment.fetchUpperBoundOffset(startPosition: metadata.relativePositionInSegment, fetchSize: fetch.records.size)
            ?? (index + 1 < segmentList.count ? segmentList[index + 1].baseOffset : logEndOffset)
        var found: [AbortedTransaction] = []
        var next = index
        while next < segmentList.count {
            let result = try segmentList[next].collectAbortedTransactions(fetchOffset: startOffset, upperBoundOffset: upperBound)
            found += result.abortedTransactions
            if result.isComplete { break }
            next += 1
        }
        return (fetch, found)
    }
}

extension LocalLog {
    /// Notes that recovery emptied `segment`'s `.txnindex`, for `loadProducerState` to rebuild
    /// it (see `transactionIndexRebuildOffset`).
    func noteTransactionIndexReset(_ segment: LogSegment) {
        transactionIndexRebuildOffset = min(transactionIndexRebuildOffset ?? segment.baseOffset, segment.baseOffset)
    }

    /// Kafka's load-time `sanityCheck` of a segment's transaction index: a corrupt `.txnindex`
    /// (see `TransactionIndex.sanityCheck`) is logged and the segment recovered, which empties
    /// the index for the producer state to fill again from the segment's markers.
    func sanityCheckTransactionIndex(_ segment: LogSegment) throws {
        do {
            try segment.txnIndex.sanityCheck()
        } catch let error as StorageError {
            logger.warning(
                "Found a corrupted index file corresponding to log file \(segment.log.path) due to \(error), recovering segment and rebuilding index files...")
            try segment.recover(maxMessageSize: recoveryMaxBatchSize, logger: logger)
            noteTransactionIndexReset(segment)
        }
    }
}
