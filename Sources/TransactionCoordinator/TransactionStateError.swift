/// A transition ``TransactionMetadata`` refuses: in Kafka 2.3 each is an `IllegalStateException` or
/// `IllegalArgumentException` thrown by `TransactionMetadata`, a bug in the caller rather than an
/// answer to a client. The coordinator checks a request before it prepares a transition, so none
/// of these reaches a client as such.
public enum TransactionStateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A transition was prepared while another is pending.
    case transitionPending(transactionalId: String, pending: TransactionState, requested: TransactionState)
    /// The new producer id is negative.
    case illegalProducerId(Int64)
    /// The new producer epoch is negative.
    case illegalProducerEpoch(Int16)
    /// `to` may not be entered from `from`.
    case invalidTransition(transactionalId: String, from: TransactionState, to: TransactionState)
    /// The producer id has used up its epochs (`Int16.max - 1` reached), or fencing would overflow.
    case producerEpochExhausted(producerId: Int64, epoch: Int16)
    /// The producer id was to change while a transaction is open.
    case transactionPending(transactionalId: String, state: TransactionState)
    /// A transition was completed with no pending state.
    case noPendingTransition(transactionalId: String)
    /// The completed transition is not the one pending, or breaks one of completion's rules.
    case unexpectedTransitMetadata(transactionalId: String, TxnTransitMetadata)
    /// A transition to Dead was completed: an expired transactional id is removed, never stored.
    case completedToDead(transactionalId: String)
    /// Partitions were removed outside PrepareCommit and PrepareAbort.
    case removePartitionOutsidePrepare(transactionalId: String, state: TransactionState)

    public var description: String {
        switch self {
        case .transitionPending(let id, let pending, let requested):
            "TransactionalId \(id): preparing transaction state transition to \(requested) while it already has a pending state \(pending)"
        case .illegalProducerId(let id): "Illegal new producer id \(id)"
        case .illegalProducerEpoch(let epoch): "Illegal new producer epoch \(epoch)"
        case .invalidTransition(let id, let from, let to):
            "TransactionalId \(id): preparing transaction state transition to \(to) failed since the target state \(to) is not a valid previous state of the current state \(from)"
        case .producerEpochExhausted(let producerId, let epoch):
            "Cannot allocate any more producer epochs for producerId \(producerId) (epoch \(epoch))"
        case .transactionPending(let id, let state):
            "TransactionalId \(id): cannot rotate producer ids while a transaction is still pending (state \(state))"
        case .noPendingTransition(let id):
            "TransactionalId \(id) completing transaction state transition while it does not have a pending state"
        case .unexpectedTransitMetadata(let id, let transit):
            "TransactionalId \(id) failed transition to state \(transit) due to unexpected metadata"
        case .completedToDead(let id):
            "TransactionalId \(id) is trying to complete a transition to Dead; an expired transactional id is removed from the cache, not stored"
        case .removePartitionOutsidePrepare(let id, let state):
            "TransactionalId \(id): removing a partition whose marker was sent while in state \(state)"
        }
    }
}
