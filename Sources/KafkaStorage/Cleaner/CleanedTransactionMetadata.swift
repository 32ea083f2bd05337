import KafkaRecords

/// The transactions a cleaning walks through, tracked batch by batch in offset order (Kafka's
/// `CleanedTransactionMetadata`). A value with no I/O: each input returns what the cleaner must
/// do, and the cleaner does it.
///
/// It is given the aborted transactions of the range being cleaned, read from the `.txnindex`
/// files (`addAbortedTransactions`; the same one may be given twice, it is taken once). The
/// cleanable range ends at or below the first unstable offset, so every transaction that
/// started in it has its marker written and, when it aborted, its index entry too. Then, in
/// offset order:
///
/// - an aborted transaction becomes **ongoing** for its producer once a batch at or past its
///   first offset is read, and stays so until its ABORT marker; every transactional data batch
///   of that producer meanwhile belongs to it and may be discarded whatever its keys
///   (`onBatchRead` returns true) — a non-transactional batch never is;
/// - a transactional data batch of a producer with no ongoing aborted transaction belongs to a
///   committed one (`onBatchRead` returns false, and the producer's COMMIT marker is then needed);
/// - a marker (`onControlBatchRead`) ends its producer's transaction. It may be discarded only
///   when no data batch of that transaction was read in this pass: its data is gone, so no
///   consumer needs it to know what to drop (the cleaner still keeps it until the delete horizon,
///   as a tombstone). An ABORT marker that is kept returns its aborted transaction, for the
///   cleaned segment's `.txnindex`: the cleaned index holds exactly the aborted transactions
///   whose markers are kept and whose data may still be in the log.
///
/// One value serves a whole cleaning (both passes build their own): transactions cross segment
/// and group boundaries, so the state carries from one group of segments to the next (Kafka's
/// KAFKA-8351 fix, in 2.3).
///
/// One deliberate difference: Kafka 2.3 adds an aborted transaction again for every segment it
/// overlaps, and taking it again forgets that its batches were read, so a marker whose data
/// was read only in an earlier segment of the same pass could go in that pass. Here each is
/// taken once: the marker goes in the next pass, after its data, which is what Kafka's rule
/// ("never delete a marker until all the records from that transaction are removed") says.
struct CleanedTransactionMetadata {
    /// An aborted transaction being walked through, with the last offset of its data batches
    /// read so far (nil: none read).
    struct OngoingAbortedTransaction: Equatable {
        let abortedTransaction: AbortedTransaction
        var lastObservedBatchOffset: Int64?
    }

    /// What to do with a marker.
    struct ControlBatchDecision: Equatable {
        /// True when no data of its transaction was read in this pass.
        var canDiscard: Bool
        /// The aborted transaction to write to the cleaned segment's `.txnindex` (kept ABORT
        /// markers only).
        var abortedTransactionToIndex: AbortedTransaction?
    }

    /// Aborted transactions not yet reached, sorted by first offset.
    private var pending: [AbortedTransaction] = []
    /// Every aborted transaction ever added, so none is taken twice.
    private var added: Set<AbortedTransaction> = []
    private(set) var ongoingCommittedTxns: Set<Int64> = []
    private(set) var ongoingAbortedTxns: [Int64: OngoingAbortedTransaction] = [:]

    init(abortedTransactions: [AbortedTransaction] = []) {
        addAbortedTransactions(abortedTransactions)
    }

    /// Adds aborted transactions (from `.txnindex` entries); those already added are ignored.
    mutating func addAbortedTransactions(_ transactions: [AbortedTransaction]) {
        let fresh = transactions.filter { added.insert($0).inserted }
        guard !fresh.isEmpty else { return }
        pending = (pending + fresh).sorted { ($0.firstOffset, $0.lastOffset) < ($1.firstOffset, $1.lastOffset) }
    }

    /// The aborted transactions starting at or before `offset` become ongoing.
    private mutating func consumeAbortedTransactions(upTo offset: Int64) {
        var taken = 0
        while taken < pending.count, pending[taken].firstOffset <= offset {
            let transaction = pending[taken]
            ongoingAbortedTxns[transaction.producerId] = OngoingAbortedTransaction(abortedTransaction: transaction)
            taken += 1
        }
        if taken > 0 { pending.removeFirst(taken) }
    }

    /// A data batch was read: whether it belongs to an aborted transaction (and may go, records
    /// and all).
    mutating func onBatchRead(producerId: Int64, lastOffset: Int64, isTransactional: Bool) -> Bool {
        consumeAbortedTransactions(upTo: lastOffset)
        guard isTransactional else { return false }
        if ongoingAbortedTxns[producerId] != nil {
            ongoingAbortedTxns[producerId]!.lastObservedBatchOffset = lastOffset
            return true
        }
        ongoingCommittedTxns.insert(producerId)
        return false
    }

    /// A control batch was read: `type` is its record's type, nil for a control batch with no
    /// record (one a cleaning already emptied, which nothing needs).
    mutating func onControlBatchRead(producerId: Int64, lastOffset: Int64, type: ControlRecordType?) -> ControlBatchDecision {
        consumeAbortedTransactions(upTo: lastOffset)
        switch type {
        case .abort:
            if let ongoing = ongoingAbortedTxns.removeValue(forKey: producerId), ongoing.lastObservedBatchOffset != nil {
                // Data of the transaction was read: the marker stays until a later pass finds none.
                return ControlBatchDecision(canDiscard: false, abortedTransactionToIndex: ongoing.abortedTransaction)
            }
            return ControlBatchDecision(canDiscard: true)
        case .commit:
            return ControlBatchDecision(canDiscard: ongoingCommittedTxns.remove(producerId) == nil)
        case .unknown:
            return ControlBatchDecision(canDiscard: false)
        case nil:
            return ControlBatchDecision(canDiscard: true)
        }
    }
}
