import KafkaCommon
import NIOCore
import TransactionCoordinator

/// `dump-log --transaction-log-decoder`: prints `__transaction_state` records as Kafka 2.3's
/// `DumpLogSegments.TransactionLogMessageParser` does:
///
///     key: transactionalId=<id> payload: producerId:<id>,producerEpoch:<epoch>,state=<State>,
///     partitions=Set(<topic-partition>, …),txnLastUpdateTimestamp=<ms>,txnTimeoutMs=<ms>
///
/// (one line; no start timestamp, as in Kafka). The partitions print in the order of Kafka's
/// hash set (``ScalaSetText``), an Empty transaction's as `Set()`.
///
/// A tombstone prints its key and `payload: <DELETE>`, as later Kafka versions do: 2.3's tool
/// stops on one with a NullPointerException.
enum TransactionLogMessageParser {
    /// The key and payload texts of a record.
    static func parse(key: ByteBuffer?, value: ByteBuffer?) throws -> (key: String?, payload: String?) {
        let record = try TransactionLogRecord(key: key, value: value)
        let keyText = "transactionalId=\(record.transactionalId)"
        guard let value = record.value, let state = try record.state() else { return (keyText, "<DELETE>") }
        let partitions = ScalaSetText.text(of: try record.topicPartitionsInLoadOrder())
        let payload = "producerId:\(value.producerId),producerEpoch:\(value.producerEpoch),state=\(state),"
            + "partitions=\(partitions),txnLastUpdateTimestamp=\(value.transactionEntryTimestamp),txnTimeoutMs=\(value.transactionTimeout)"
        return (keyText, payload)
    }
}
