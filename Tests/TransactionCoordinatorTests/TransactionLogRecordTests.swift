import KafkaCommon
import NIOCore
import Testing
import TransactionCoordinator

/// `__transaction_state` keys and values in Kafka 2.3's layout: every record of the fixture
/// decodes to the fields Kafka's dump shows and encodes back to its bytes; records built from a
/// transit have the same layout.
@Suite struct TransactionLogRecordTests {
    @Test func everyFixtureRecordDecodesToKafkasFieldsAndEncodesBackByteForByte() throws {
        let raw = try TransactionLogFixture.rawRecords()
        let dumped = try TransactionLogFixture.dumpedRecords()
        #expect(raw.count == 14 && dumped.count == 14)
        for (record, kafka) in zip(raw, dumped) {
            let decoded = try TransactionLogRecord(key: record.key, value: record.value)
            let value = try #require(decoded.value)
            #expect(record.offset == kafka.offset)
            #expect(decoded.transactionalId == kafka.transactionalId)
            #expect(value.producerId == kafka.producerId && value.producerEpoch == kafka.producerEpoch)
            #expect(try decoded.state()?.description == kafka.state)
            #expect(ScalaSetText.text(of: try decoded.topicPartitionsInLoadOrder()) == kafka.partitions)
            #expect(value.transactionEntryTimestamp == kafka.txnLastUpdateTimestamp && value.transactionTimeout == kafka.txnTimeoutMs)
            #expect(decoded.keyBuffer == record.key)
            #expect(decoded.valueBuffer == record.value)
        }
    }

    @Test func anEmptyTransactionsPartitionsAreANullArrayAndACompletedOnesAnEmptyOne() throws {
        let raw = try TransactionLogFixture.rawRecords()
        let empty = try TransactionLogRecord(key: raw[0].key, value: raw[0].value)
        #expect(try empty.state() == .empty && empty.value?.transactionPartitions == nil)
        #expect(empty.value?.transactionStartTimestamp == -1)
        let completed = try TransactionLogRecord(key: raw[3].key, value: raw[3].value)
        #expect(try completed.state() == .completeCommit && completed.value?.transactionPartitions?.isEmpty == true)
    }

    @Test func aTransitEncodesAsKafkaWroteIt() throws {
        // Offset 2 of the fixture: fx-tx-1 PrepareCommit with fx-txn-0.
        let raw = try TransactionLogFixture.rawRecords()[2]
        let kafka = try TransactionLogRecord(key: raw.key, value: raw.value)
        let value = try #require(kafka.value)
        let transit = TxnTransitMetadata(
            producerId: 1, producerEpoch: 0, txnTimeoutMs: 60_000, txnState: .prepareCommit, topicPartitions: [TopicPartition("fx-txn", 0)],
            txnStartTimestamp: value.transactionStartTimestamp, txnLastUpdateTimestamp: 1_796_246_631_641)
        let built = try TransactionLogRecord(transactionalId: "fx-tx-1", transit: transit)
        #expect(built.keyBuffer == raw.key && built.valueBuffer == raw.value)
        #expect(try built.metadata() == TransactionMetadata(
            transactionalId: "fx-tx-1", producerId: 1, producerEpoch: 0, txnTimeoutMs: 60_000, state: .prepareCommit,
            topicPartitions: [TopicPartition("fx-txn", 0)], txnStartTimestamp: value.transactionStartTimestamp,
            txnLastUpdateTimestamp: 1_796_246_631_641))
    }

    @Test func aTombstoneHasAKeyAndNoValue() throws {
        let tombstone = try TransactionLogRecord(transactionalId: "fx-tx-1", transit: nil)
        #expect(tombstone.isTombstone && tombstone.valueBuffer == nil)
        // int16 version 0, int16 length 7, "fx-tx-1".
        #expect(tombstone.keyBuffer == ByteBuffer(bytes: [0, 0, 0, 7] + Array("fx-tx-1".utf8)))
        let decoded = try TransactionLogRecord(key: tombstone.keyBuffer, value: nil)
        #expect(decoded.isTombstone && decoded.transactionalId == "fx-tx-1")
        #expect(try decoded.metadata() == nil)
    }

    @Test func anEmptyTransactionWithPartitionsIsNotWritten() {
        let transit = TxnTransitMetadata(producerId: 1, producerEpoch: 0, txnTimeoutMs: 1, txnState: .empty,
                                         topicPartitions: [TopicPartition("t", 0)], txnStartTimestamp: -1, txnLastUpdateTimestamp: 1)
        #expect(throws: TransactionLogRecordError.partitionsInEmptyState) { try TransactionLogRecord(transactionalId: "x", transit: transit) }
    }

    @Test func partitionsAreGroupedByTopic() throws {
        let transit = TxnTransitMetadata(
            producerId: 1, producerEpoch: 0, txnTimeoutMs: 1, txnState: .ongoing,
            topicPartitions: [TopicPartition("b", 2), TopicPartition("a", 0), TopicPartition("b", 0)], txnStartTimestamp: 1, txnLastUpdateTimestamp: 1)
        let record = try TransactionLogRecord(transactionalId: "x", transit: transit)
        #expect(record.value?.transactionPartitions?.map(\.topic) == ["a", "b"])
        #expect(record.value?.transactionPartitions?.map(\.partitionIds) == [[0], [0, 2]])
        let decoded = try TransactionLogRecord(key: record.keyBuffer, value: record.valueBuffer)
        #expect(try decoded.metadata()?.topicPartitions == transit.topicPartitions)
    }

    @Test func unknownVersionsStatesAndShortBytesAreErrors() throws {
        let good = try TransactionLogFixture.rawRecords()[1]
        #expect(throws: TransactionLogRecordError.missingKey) { try TransactionLogRecord(key: nil, value: good.value) }
        var key = good.key!
        key.setInteger(Int16(1), at: key.readerIndex)
        #expect(throws: TransactionLogRecordError.unknownKeyVersion(1)) { try TransactionLogRecord(key: key, value: good.value) }
        var value = good.value!
        value.setInteger(Int16(1), at: value.readerIndex)
        #expect(throws: TransactionLogRecordError.unknownValueVersion(1)) { try TransactionLogRecord(key: good.key, value: value) }
        var badState = good.value!
        badState.setInteger(Int8(9), at: badState.readerIndex + 2 + 8 + 2 + 4)
        #expect(throws: TransactionLogRecordError.unknownState(9)) { try TransactionLogRecord(key: good.key, value: badState).metadata() }
        for length in 0..<good.value!.readableBytes {
            #expect(throws: TransactionLogRecordError.self) {
                try TransactionLogRecord(key: good.key, value: good.value!.getSlice(at: good.value!.readerIndex, length: length))
            }
        }
    }

    @Test func javaSetOrderMatchesKafkasPrintout() {
        // Kafka printed Set(__consumer_offsets-20, fx-txn-0) for a record listing them in this order.
        let partitions = [TopicPartition("__consumer_offsets", 20), TopicPartition("fx-txn", 0)]
        #expect(ScalaSetText.text(of: partitions) == "Set(__consumer_offsets-20, fx-txn-0)")
        #expect(ScalaSetText.text(of: Array(partitions.reversed())) == "Set(__consumer_offsets-20, fx-txn-0)", "no collision: order of the table")
        #expect(ScalaSetText.text(of: []) == "Set()")
        // Up to four partitions of a topic keep their order; five or more follow the hash trie.
        let four = [3, 1, 2, 0].map { TopicPartition("t", Int32($0)) }
        #expect(ScalaSetText.immutableSetOrder(four + four) == four)
        let six = (0..<6).map { TopicPartition("t", Int32($0)) }
        let trie = ScalaSetText.immutableSetOrder(six)
        #expect(Set(trie) == Set(six) && trie == ScalaSetText.immutableSetOrder(six.reversed()), "the trie order ignores insertion order")
        // Thirty distinct partitions survive the table's growth (32 → 64 → 128 slots) once each.
        let many = (0..<30).map { TopicPartition("t", Int32($0)) }
        #expect(Set(ScalaSetText.mutableHashSetOrder(many + many)) == Set(many) && ScalaSetText.mutableHashSetOrder(many).count == 30)
    }
}
