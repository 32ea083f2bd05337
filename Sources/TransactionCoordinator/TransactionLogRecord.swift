import KafkaCommon
import KafkaProtocol
import NIOCore

/// One record of `__transaction_state`, decoded: what Kafka 2.3's `TransactionLog` writes
/// (`keyToBytes`, `valueToBytes`) and reads back (`readTxnRecordKey`, `readTxnRecordValue`).
///
/// On disk the key and the value each start with an int16 version (0, the only one Kafka 2.3
/// knows), then the bytes of ``TransactionLogKey`` or ``TransactionLogValue``
/// (`Sources/TransactionCoordinator/Schemas/`). A null value is a tombstone: the transactional id
/// expired and is removed.
///
/// Invariant: ``value`` keeps its partitions in the order of the record, so ``keyBuffer`` and
/// ``valueBuffer`` write back exactly the bytes a decoded record came from.
public struct TransactionLogRecord: Sendable, Equatable {
    /// The only key and value version of Kafka 2.3.
    public static let currentVersion: Int16 = 0

    public var key: TransactionLogKey
    /// The transaction's state; nil for a tombstone.
    public var value: TransactionLogValue?

    public init(key: TransactionLogKey, value: TransactionLogValue?) {
        self.key = key
        self.value = value
    }

    /// The record that stores `transit` for `transactionalId`, or its tombstone when `transit` is
    /// nil. An Empty transaction's partitions are written as a null array, any other state's as
    /// an array (empty when it holds none), one entry per topic: topics by name, partitions in
    /// increasing order. (Kafka's order follows its hash sets; readers take the entries as a set.)
    public init(transactionalId: String, transit: TxnTransitMetadata?) throws(TransactionLogRecordError) {
        key = TransactionLogKey(transactionalId: transactionalId)
        guard let transit else {
            value = nil
            return
        }
        var partitions: [TransactionLogValue.TopicPartitions]?
        if transit.txnState == .empty {
            guard transit.topicPartitions.isEmpty else { throw .partitionsInEmptyState }
        } else {
            let byTopic = Dictionary(grouping: transit.topicPartitions, by: \.topic)
            partitions = byTopic.keys.sorted().map { topic in
                TransactionLogValue.TopicPartitions(topic: topic, partitionIds: byTopic[topic]!.map(\.partition).sorted())
            }
        }
        value = TransactionLogValue(
            producerId: transit.producerId, producerEpoch: transit.producerEpoch, transactionTimeout: transit.txnTimeoutMs,
            transactionStatus: transit.txnState.byte, transactionPartitions: partitions,
            transactionEntryTimestamp: transit.txnLastUpdateTimestamp, transactionStartTimestamp: transit.txnStartTimestamp)
    }

    /// Decodes a record's key and value. Throws, never traps, on a missing key, an unknown version
    /// or bytes that end early.
    public init(key: ByteBuffer?, value: ByteBuffer?) throws(TransactionLogRecordError) {
        guard var key else { throw .missingKey }
        let keyVersion = try Self.readVersion(&key, of: "key")
        guard keyVersion == Self.currentVersion else { throw .unknownKeyVersion(keyVersion) }
        self.key = try Self.decode(TransactionLogKey.self, from: &key)
        if var value {
            let valueVersion = try Self.readVersion(&value, of: "value")
            guard valueVersion == Self.currentVersion else { throw .unknownValueVersion(valueVersion) }
            self.value = try Self.decode(TransactionLogValue.self, from: &value)
        } else {
            self.value = nil
        }
    }

    public var transactionalId: String { key.transactionalId }

    /// Whether the value is null: the record removes the transactional id.
    public var isTombstone: Bool { value == nil }

    /// The record's key: its version, then the key struct.
    public var keyBuffer: ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(Self.currentVersion)
        key.write(into: &buffer, version: Self.currentVersion)
        return buffer
    }

    /// The record's value, nil for a tombstone.
    public var valueBuffer: ByteBuffer? {
        guard let value else { return nil }
        var buffer = ByteBuffer()
        buffer.writeInteger(Self.currentVersion)
        value.write(into: &buffer, version: Self.currentVersion)
        return buffer
    }

    /// The state of the value's `transaction_status` byte.
    public func state() throws(TransactionLogRecordError) -> TransactionState? {
        guard let value else { return nil }
        guard let state = TransactionState(byte: value.transactionStatus) else { throw .unknownState(value.transactionStatus) }
        return state
    }

    /// The value's partitions in the order the record lists them (topic by topic); none in state
    /// Empty, whose array Kafka does not read.
    public func topicPartitionsInRecordOrder() throws(TransactionLogRecordError) -> [TopicPartition] {
        guard let value, let state = try state(), state != .empty else { return [] }
        guard let partitions = value.transactionPartitions else { throw .missingPartitions(state) }
        return partitions.flatMap { entry in entry.partitionIds.map { TopicPartition(entry.topic, $0) } }
    }

    /// The value's partitions in the order Kafka 2.3's reader adds them to the transaction's set:
    /// topic by topic as listed, each topic's partitions as Scala's immutable set of them orders
    /// them (``ScalaSetText/immutableSetOrder(_:)``). What ``ScalaSetText/text(of:)`` needs to print
    /// the set as Kafka does.
    public func topicPartitionsInLoadOrder() throws(TransactionLogRecordError) -> [TopicPartition] {
        guard let value, let state = try state(), state != .empty else { return [] }
        guard let partitions = value.transactionPartitions else { throw .missingPartitions(state) }
        return partitions.flatMap { entry in ScalaSetText.immutableSetOrder(entry.partitionIds.map { TopicPartition(entry.topic, $0) }) }
    }

    /// The transaction the record stores, as Kafka's loader builds it (`readTxnRecordValue`):
    /// nothing pending; nil for a tombstone.
    public func metadata() throws(TransactionLogRecordError) -> TransactionMetadata? {
        guard let value, let state = try state() else { return nil }
        return TransactionMetadata(
            transactionalId: key.transactionalId, producerId: value.producerId, producerEpoch: value.producerEpoch,
            txnTimeoutMs: value.transactionTimeout, state: state, topicPartitions: Set(try topicPartitionsInRecordOrder()),
            txnStartTimestamp: value.transactionStartTimestamp, txnLastUpdateTimestamp: value.transactionEntryTimestamp)
    }

    private static func readVersion(_ buffer: inout ByteBuffer, of part: String) throws(TransactionLogRecordError) -> Int16 {
        guard let version = buffer.readInteger(as: Int16.self) else {
            throw .malformed("the \(part) has no int16 version (\(buffer.readableBytes) bytes)")
        }
        return version
    }

    private static func decode<Record: KafkaCodable>(_ type: Record.Type, from buffer: inout ByteBuffer) throws(TransactionLogRecordError) -> Record {
        do {
            return try Record(from: &buffer, version: currentVersion)
        } catch {
            throw .malformed("\(Record.self) v\(currentVersion): \(error)")
        }
    }
}
