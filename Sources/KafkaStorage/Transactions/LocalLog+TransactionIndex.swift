extension LocalLog {
    /// Records a transaction that a marker just ended: an aborted one goes into the active
    /// segment's `.txnindex` with the LSO after the marker. Called by the append path (leader and
    /// follower) and by recovery, before the producer state completes the transaction.
    ///
    /// SEAM (issue 13, this session): the transaction index itself lands in
    /// `LogSegment+TransactionIndex.swift`; until then nothing is recorded.
    func recordCompletedTransaction(_ transaction: CompletedTransaction, lastStableOffset: Int64) throws {
        _ = (transaction, lastStableOffset)
    }
}
