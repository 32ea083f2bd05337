import KafkaRecords

/// What one `__transaction_state` partition holds once read from its start to its end: the
/// record-level half of Kafka 2.3's `TransactionStateManager.loadTransactionMetadata`, as a value
/// fed batch by batch in log order.
///
/// The rule: the latest record of a transactional id wins; a tombstone removes it.
public struct TransactionLogLoad: Sendable {
    /// The transactions in force, by transactional id.
    public private(set) var transactions: [String: TransactionMetadata] = [:]
    /// The offset after the last batch applied (Kafka's `currOffset`).
    public private(set) var nextOffset: Int64?

    public init() {}

    /// Applies one batch, read from the partition in log order. Throws on a record that does not
    /// decode (Kafka fails the load of the partition then) and leaves the state as it was before
    /// the batch.
    public mutating func apply(_ batch: RecordBatch) throws {
        var next = transactions
        var records = try batch.records()
        while let record = try records.next() {
            let decoded = try TransactionLogRecord(key: record.key, value: record.value)
            next[decoded.transactionalId] = try decoded.metadata()
        }
        transactions = next
        nextOffset = batch.lastOffset + 1
    }

    /// Applies every whole batch of `records` (a partition's bytes, batch after batch); a batch
    /// cut short at the end is left for the next read, as in Kafka. Throws on a corrupt batch.
    public mutating func apply(_ records: MemoryRecords) throws {
        var batches = records.batches
        while let batch = batches.next() { try apply(batch) }
        if case .corrupt(_, let error) = batches.end { throw error }
    }
}
