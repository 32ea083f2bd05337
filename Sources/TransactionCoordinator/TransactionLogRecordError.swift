/// Why a `__transaction_state` record could not be read or written. Kafka 2.3 fails the load of
/// the partition on a record it cannot read; so does this coordinator.
public enum TransactionLogRecordError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The record has no key (Kafka requires one).
    case missingKey
    case unknownKeyVersion(Int16)
    case unknownValueVersion(Int16)
    /// A `transaction_status` byte that names no ``TransactionState``.
    case unknownState(Int8)
    /// A non-Empty value whose partition array is null.
    case missingPartitions(TransactionState)
    /// An Empty transaction with partitions was to be written (Kafka refuses it too).
    case partitionsInEmptyState
    /// Bytes that end early or do not fit the schema.
    case malformed(String)

    public var description: String {
        switch self {
        case .missingKey: "Transaction state log's key should not be null"
        case .unknownKeyVersion(let version): "Unknown transaction log message key schema version \(version)"
        case .unknownValueVersion(let version): "Unknown transaction log message value schema version \(version)"
        case .unknownState(let byte): "Unknown transaction state byte \(byte) from the transaction status message"
        case .missingPartitions(let state): "The transaction log value of a transaction in state \(state) has no partition array"
        case .partitionsInEmptyState: "Transaction is not expected to have any partitions since its state is Empty"
        case .malformed(let detail): "Malformed transaction log record: \(detail)"
        }
    }
}
