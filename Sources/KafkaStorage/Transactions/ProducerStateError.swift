/// Why the producer state refused a batch on the partition leader: each case is the error code
/// the Produce (or WriteTxnMarkers) response carries for the partition. The messages follow Kafka
/// 2.3's exception messages.
///
/// Nothing is written when one is thrown: the check runs before the append.
public enum ProducerStateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A gap or a step back in the producer's sequence numbers, or a new epoch that does not
    /// start at 0. OUT_OF_ORDER_SEQUENCE_NUMBER (45).
    case outOfOrderSequence(String)
    /// An epoch older than the one the partition has seen from this producer id (Kafka 2.3's
    /// `ProducerFencedException`). INVALID_PRODUCER_EPOCH (47).
    case invalidProducerEpoch(String)
    /// A producer id the partition has no state for, sending a sequence other than 0.
    /// UNKNOWN_PRODUCER_ID (59).
    case unknownProducerId(String)
    /// A non-transactional batch from a producer with an open transaction. INVALID_TXN_STATE (48).
    case invalidTxnState(String)
    /// A marker from a transaction coordinator older than the last one. TRANSACTION_COORDINATOR_FENCED (52).
    case transactionCoordinatorFenced(String)
    /// A control batch whose marker does not decode. CORRUPT_MESSAGE (2).
    case corruptMarker(String)

    public var kafkaErrorCode: Int16 {
        switch self {
        case .outOfOrderSequence: 45
        case .invalidProducerEpoch: 47
        case .unknownProducerId: 59
        case .invalidTxnState: 48
        case .transactionCoordinatorFenced: 52
        case .corruptMarker: 2
        }
    }

    public var description: String {
        switch self {
        case .outOfOrderSequence(let message), .invalidProducerEpoch(let message), .unknownProducerId(let message),
             .invalidTxnState(let message), .transactionCoordinatorFenced(let message), .corruptMarker(let message):
            message
        }
    }
}
