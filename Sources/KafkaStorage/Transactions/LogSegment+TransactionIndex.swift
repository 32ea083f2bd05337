extension LogSegment {
    /// Records a transaction that a marker in this segment ended (Kafka's `updateTxnIndex`): an
    /// aborted one becomes an entry of the `.txnindex` with the partition's last stable offset
    /// after the marker; a committed one leaves no trace. Throws `StorageError.invalidOffset`
    /// when the marker is not after the index's last one.
    public func updateTxnIndex(_ completed: CompletedTransaction, lastStableOffset: Int64) throws {
        guard completed.isAborted else { return }
        try txnIndex.append(AbortedTransaction(completed, lastStableOffset: lastStableOffset))
    }

    /// Recovery's replay of a marker in this segment (Kafka rebuilds the index inside
    /// `LogSegment.recover` from the producer state it is handed): like `updateTxnIndex`, but an
    /// entry the index already holds (its marker at or below the last one) is left as it is, so
    /// that replaying a segment whose index survived writes nothing twice.
    public func replayTxnIndex(_ completed: CompletedTransaction, lastStableOffset: Int64) throws {
        guard completed.isAborted else { return }
        if let last = try txnIndex.lastMarkerOffset(), last >= completed.lastOffset { return }
        try txnIndex.append(AbortedTransaction(completed, lastStableOffset: lastStableOffset))
    }

    /// The aborted transactions of this segment overlapping `fetchOffset..<upperBoundOffset`, and
    /// whether no later segment can hold more (see `TransactionIndex.collectAbortedTransactions`).
    public func collectAbortedTransactions(fetchOffset: Int64, upperBoundOffset: Int64) throws
        -> (abortedTransactions: [AbortedTransaction], isComplete: Bool)
    {
        try txnIndex.collectAbortedTransactions(fetchOffset: fetchOffset, upperBoundOffset: upperBoundOffset)
    }

    /// Kafka's `fetchUpperBoundOffset`: the offset of the first offset-index entry at or past the
    /// byte `startPosition + fetchSize` (the end of what a read from `startPosition` returned),
    /// an offset no record of that read reaches; nil when the index has no such entry (the read
    /// may then run to the segment's end).
    public func fetchUpperBoundOffset(startPosition: Int, fetchSize: Int) -> Int64? {
        let target = startPosition + fetchSize
        var low = 0
        var high = offsetIndex.entries - 1
        var found: Int?
        while low <= high {
            let middle = (low + high) / 2
            if Int(offsetIndex.entry(middle).position) >= target {
                found = middle
                high = middle - 1
            } else {
                low = middle + 1
            }
        }
        return found.map { offsetIndex.entry($0).offset }
    }
}
