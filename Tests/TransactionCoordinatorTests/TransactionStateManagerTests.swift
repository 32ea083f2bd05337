import KafkaCommon
import KafkaProtocol
import Testing
@testable import TransactionCoordinator

/// The coordinator's cache of transactional ids: partitioning, loading and leaving partitions,
/// the log-append bookkeeping, expiry of idle ids and the timeout sweep.
@Suite struct TransactionStateManagerTests {
    static func manager(partitions: Int32 = 50) -> TransactionStateManager {
        TransactionStateManager(brokerId: BrokerId(rawValue: 0), config: TransactionConfig(), partitionCount: partitions)
    }

    static func metadata(_ id: String, _ state: TransactionState, partitions: Set<TopicPartition> = [], start: Int64 = -1, updated: Int64 = 0) -> TransactionMetadata {
        TransactionMetadata(transactionalId: id, producerId: 5, producerEpoch: 1, txnTimeoutMs: 1_000, state: state,
                            topicPartitions: partitions, txnStartTimestamp: start, txnLastUpdateTimestamp: updated)
    }

    /// A manager owning the partitions of `transactions` at coordinator epoch 3.
    static func owning(_ transactions: [TransactionMetadata]) throws -> TransactionStateManager {
        var manager = manager()
        let byPartition = Dictionary(grouping: transactions) { manager.partitionFor($0.transactionalId) }
        for (partition, list) in byPartition {
            manager.addLoadingPartition(partition, coordinatorEpoch: 3)
            _ = try manager.completeLoading(partition, coordinatorEpoch: 3, transactions: Dictionary(uniqueKeysWithValues: list.map { ($0.transactionalId, $0) }), now: 0)
        }
        return manager
    }

    @Test func transactionalIdsLandWhereKafkaPutsThem() {
        // The fixture README: fx-tx-1 hashes to -483275965 and lives in __transaction_state-15.
        #expect(JavaHash.stringHashCode("fx-tx-1") == -483_275_965)
        #expect(Self.manager().partitionFor("fx-tx-1") == 15)
        #expect(Self.manager(partitions: 7).partitionFor("fx-tx-1") == 483_275_965 % 7)
    }

    @Test func timeoutsMustBePositiveAndAtMostTheMaximum() {
        let manager = Self.manager()
        #expect(manager.validateTransactionTimeoutMs(900_000) && manager.validateTransactionTimeoutMs(1))
        #expect(!manager.validateTransactionTimeoutMs(900_001) && !manager.validateTransactionTimeoutMs(0) && !manager.validateTransactionTimeoutMs(-1))
    }

    @Test func aManagerLoadedFromTheFixtureHoldsWhatKafkasDumpShows() throws {
        var load = TransactionLogLoad()
        try load.apply(try TransactionLogFixture.records())
        #expect(load.nextOffset == 14)
        var manager = Self.manager()
        manager.addLoadingPartition(15, coordinatorEpoch: 0)
        #expect(manager.transactionState(of: "fx-tx-1") == .failure(.coordinatorLoadInProgress))
        let pending = try #require(try manager.completeLoading(15, coordinatorEpoch: 0, transactions: load.transactions, now: 5))
        #expect(pending.isEmpty, "the last transaction is complete")

        let last = try #require(try TransactionLogFixture.dumpedRecords().last { $0.transactionalId == "fx-tx-1" })
        let loaded = try #require(try manager.transactionState(of: "fx-tx-1").get())
        #expect(loaded.coordinatorEpoch == 0)
        let metadata = loaded.metadata
        #expect(metadata.producerId == last.producerId && metadata.producerEpoch == last.producerEpoch)
        #expect(metadata.state.description == last.state && ScalaSetText.text(of: metadata.topicPartitions.sorted()) == last.partitions)
        #expect(metadata.txnLastUpdateTimestamp == last.txnLastUpdateTimestamp && metadata.txnTimeoutMs == last.txnTimeoutMs)
        #expect(metadata.pendingState == nil)
        #expect(manager.cache[15]?.metadataPerTransactionalId.count == 1)
        #expect(manager.owns(15) && !manager.owns(14))
    }

    @Test func everyPrefixOfTheFixtureLoadsToItsLastRecord() throws {
        // Cut after each record: the loaded state is that record's (the latest per key wins).
        let dumped = try TransactionLogFixture.dumpedRecords()
        var load = TransactionLogLoad()
        var batches = try TransactionLogFixture.records().batches
        var index = 0
        while let batch = batches.next() {
            try load.apply(batch)
            let metadata = try #require(load.transactions["fx-tx-1"])
            #expect(metadata.state.description == dumped[index].state && metadata.txnLastUpdateTimestamp == dumped[index].txnLastUpdateTimestamp)
            index += 1
        }
        #expect(index == 14)
    }

    @Test func aTombstoneRemovesTheTransactionalId() throws {
        var load = TransactionLogLoad()
        try load.apply(try TransactionLogFixture.records())
        let tombstone = try TransactionLogRecord(transactionalId: "fx-tx-1", transit: nil)
        try load.apply(TestBatches.batch(baseOffset: 14, records: [(tombstone.keyBuffer, nil)]))
        #expect(load.transactions.isEmpty && load.nextOffset == 15)
    }

    @Test func loadingCompletesPreparedTransactions() throws {
        var manager = Self.manager()
        let commit = Self.metadata("a", .prepareCommit, partitions: [TopicPartition("t", 0)], start: 10)
        let abort = Self.metadata("b", .prepareAbort, partitions: [TopicPartition("t", 1)], start: 10)
        let ongoing = Self.metadata("c", .ongoing, partitions: [TopicPartition("t", 2)], start: 10)
        manager.addLoadingPartition(4, coordinatorEpoch: 2)
        let pending = try #require(try manager.completeLoading(4, coordinatorEpoch: 2, transactions: ["a": commit, "b": abort, "c": ongoing], now: 99))
        #expect(pending.map(\.transactionalId) == ["a", "b"])
        #expect(pending.map(\.result) == [.commit, .abort])
        #expect(pending.map(\.transit.txnState) == [.completeCommit, .completeAbort])
        #expect(pending.allSatisfy { $0.transit.txnLastUpdateTimestamp == 99 && $0.coordinatorEpoch == 2 })
        #expect(manager.cache[4]?.metadataPerTransactionalId["a"]?.pendingState == .completeCommit)
        #expect(manager.cache[4]?.metadataPerTransactionalId["c"]?.pendingState == nil)
    }

    @Test func anOvertakenLoadOrRemovalDoesNothing() throws {
        var manager = Self.manager()
        manager.addLoadingPartition(15, coordinatorEpoch: 1)
        manager.prepareRemoval(15, coordinatorEpoch: 1)
        #expect(try manager.completeLoading(15, coordinatorEpoch: 1, transactions: ["fx-tx-1": Self.metadata("fx-tx-1", .empty)], now: 0) == nil)
        #expect(manager.cache.isEmpty)
        manager.addLoadingPartition(15, coordinatorEpoch: 2)
        #expect(manager.completeRemoval(15, coordinatorEpoch: 1) == nil, "epoch 1 left; epoch 2 is loading")
        #expect(try manager.completeLoading(15, coordinatorEpoch: 2, transactions: [:], now: 0) == [])
        #expect(manager.owns(15))
    }

    @Test func partitionsAnswerByTheirOwnership() throws {
        var manager = try Self.owning([Self.metadata("fx-tx-1", .empty)])
        #expect(manager.transactionState(of: "fx-tx-1").map { $0?.metadata.state } == .success(.empty))
        #expect(manager.transactionState(of: "unknown-elsewhere") == .failure(.notCoordinator), "a partition never loaded")
        let sameFifteen = "fx-tx-1"
        manager.prepareRemoval(15, coordinatorEpoch: 3)
        #expect(manager.transactionState(of: sameFifteen) == .failure(.notCoordinator))
        #expect(manager.completeRemoval(15, coordinatorEpoch: 3) == 1)
        #expect(manager.transactionState(of: sameFifteen) == .failure(.notCoordinator) && manager.leavingPartitions.isEmpty)
    }

    @Test func aNewTransactionalIdIsAddedOnceAndOnlyWhereOwned() throws {
        var manager = try Self.owning([Self.metadata("fx-tx-1", .empty)])
        let created = Self.metadata("fx-tx-1", .completeAbort, start: 1)
        #expect(manager.putTransactionStateIfNotExists(created).map(\.metadata.state) == .success(.empty), "the existing one wins")
        let other = Self.metadata("nowhere", .empty)
        #expect(manager.putTransactionStateIfNotExists(other) == .failure(.notCoordinator))
        var sameId = manager
        sameId.cache[15]!.metadataPerTransactionalId["fx-tx-1"] = nil
        #expect(sameId.putTransactionStateIfNotExists(created).map(\.coordinatorEpoch) == .success(3))
        #expect(sameId.cache[15]?.metadataPerTransactionalId["fx-tx-1"] == created)
    }

    // MARK: Appends

    @Test func aSuccessfulAppendCompletesTheTransition() throws {
        var manager = try Self.owning([Self.metadata("fx-tx-1", .empty)])
        let transit = try #require(try manager.withMetadata(of: "fx-tx-1") { (m: inout TransactionMetadata) throws(TransactionStateError) in
            try m.prepareAddPartitions([TopicPartition("t", 0)], updateTimestamp: 50)
        })
        #expect(manager.checkBeforeAppend("fx-tx-1", coordinatorEpoch: 3) == nil)
        #expect(manager.checkBeforeAppend("fx-tx-1", coordinatorEpoch: 2) == .notCoordinator)
        #expect(try manager.completeAppend("fx-tx-1", coordinatorEpoch: 3, transit: transit, appendError: .none) == .none)
        let metadata = try #require(try manager.transactionState(of: "fx-tx-1").get()?.metadata)
        #expect(metadata.state == .ongoing && metadata.pendingState == nil && metadata.txnStartTimestamp == 50)
    }

    @Test func anAppendAfterTheEpochChangedAnswersNotCoordinatorAndChangesNothing() throws {
        var manager = try Self.owning([Self.metadata("fx-tx-1", .empty)])
        let transit = try #require(try manager.withMetadata(of: "fx-tx-1") { (m: inout TransactionMetadata) throws(TransactionStateError) in
            try m.prepareAddPartitions([TopicPartition("t", 0)], updateTimestamp: 50)
        })
        #expect(try manager.completeAppend("fx-tx-1", coordinatorEpoch: 2, transit: transit, appendError: .none) == .notCoordinator)
        #expect(try manager.transactionState(of: "fx-tx-1").get()?.metadata.state == .empty)
    }

    @Test(arguments: [
        (ErrorCode.unknownTopicOrPartition, ErrorCode.coordinatorNotAvailable), (.notEnoughReplicas, .coordinatorNotAvailable),
        (.notEnoughReplicasAfterAppend, .coordinatorNotAvailable), (.requestTimedOut, .coordinatorNotAvailable),
        (.notLeaderForPartition, .notCoordinator), (.kafkaStorageError, .notCoordinator),
        (.messageTooLarge, .unknownServerError), (.recordListTooLarge, .unknownServerError), (.corruptMessage, .corruptMessage),
    ])
    func aFailedAppendClearsThePendingStateAndMapsTheError(_ logError: ErrorCode, _ expected: ErrorCode) throws {
        var manager = try Self.owning([Self.metadata("fx-tx-1", .empty)])
        let transit = try #require(try manager.withMetadata(of: "fx-tx-1") { (m: inout TransactionMetadata) throws(TransactionStateError) in
            try m.prepareAddPartitions([TopicPartition("t", 0)], updateTimestamp: 50)
        })
        #expect(try manager.completeAppend("fx-tx-1", coordinatorEpoch: 3, transit: transit, appendError: logError) == expected)
        let metadata = try #require(try manager.transactionState(of: "fx-tx-1").get()?.metadata)
        #expect(metadata.state == .empty && metadata.pendingState == nil)
    }

    @Test func aFailedAppendTheCallerRetriesKeepsThePendingState() throws {
        // Loading a PrepareCommit transaction prepares its completion, which the marker channel retries.
        var manager = try Self.owning([Self.metadata("fx-tx-1", .prepareCommit, partitions: [TopicPartition("t", 0)], start: 1)])
        let transit = try #require(try manager.transactionState(of: "fx-tx-1").get()?.metadata).prepareNoTransit()
        #expect(try manager.transactionState(of: "fx-tx-1").get()?.metadata.pendingState == .completeCommit)
        var completion = transit
        completion.txnState = .completeCommit
        completion.topicPartitions = []
        let error = try manager.completeAppend("fx-tx-1", coordinatorEpoch: 3, transit: completion, appendError: .notEnoughReplicas) { $0 == .coordinatorNotAvailable }
        #expect(error == .coordinatorNotAvailable)
        #expect(try manager.transactionState(of: "fx-tx-1").get()?.metadata.pendingState == .completeCommit)
    }

    // MARK: The sweeps

    @Test func onlyOngoingTransactionsPastTheirTimeoutAreAborted() throws {
        let manager = try Self.owning([
            Self.metadata("late", .ongoing, partitions: [TopicPartition("t", 0)], start: 1_000),
            Self.metadata("just-in-time", .ongoing, partitions: [TopicPartition("t", 0)], start: 1_001),
            Self.metadata("preparing", .prepareCommit, partitions: [TopicPartition("t", 0)], start: 0),
            Self.metadata("idle", .empty),
        ])
        // Timeout 1,000 ms: started at 1,000, it times out after 2,000.
        #expect(manager.timedOutTransactions(now: 2_001).map(\.transactionalId) == ["late"])
        #expect(manager.timedOutTransactions(now: 2_000).isEmpty)
        var pending = manager
        _ = try pending.withMetadata(of: "late") { (m: inout TransactionMetadata) throws(TransactionStateError) in try m.prepareAbortOrCommit(.prepareAbort, updateTimestamp: 1) }
        #expect(pending.timedOutTransactions(now: 5_000).map(\.transactionalId) == ["just-in-time"], "one with a transition pending is left")
        var leaving = manager
        leaving.prepareRemoval(manager.partitionFor("late"), coordinatorEpoch: 3)
        #expect(!leaving.timedOutTransactions(now: 2_001).contains { $0.transactionalId == "late" })
    }

    @Test func idleTransactionalIdsExpireWithATombstone() throws {
        var config = TransactionConfig()
        config.transactionalIdExpirationMs = 1_000
        var manager = TransactionStateManager(brokerId: BrokerId(rawValue: 0), config: config, partitionCount: 50)
        let ids = [
            Self.metadata("old-empty", .empty, updated: 100), Self.metadata("old-committed", .completeCommit, start: 1, updated: 100),
            Self.metadata("recent", .completeAbort, start: 1, updated: 101),
            Self.metadata("old-ongoing", .ongoing, partitions: [TopicPartition("t", 0)], start: 1, updated: 0),
        ]
        for metadata in ids {
            let partition = manager.partitionFor(metadata.transactionalId)
            if manager.cache[partition] == nil {
                manager.addLoadingPartition(partition, coordinatorEpoch: 3)
                _ = try manager.completeLoading(partition, coordinatorEpoch: 3, transactions: [:], now: 0)
            }
            _ = manager.putTransactionStateIfNotExists(metadata)
        }
        let expiring = manager.prepareTransactionalIdExpiration(now: 1_100)
        let all = expiring.values.flatMap { $0 }
        #expect(Set(all.map(\.transactionalId)) == ["old-empty", "old-committed"])
        #expect(all.allSatisfy { $0.transit.txnState == .dead && expiring[manager.partitionFor($0.transactionalId)] != nil })
        #expect(manager.prepareTransactionalIdExpiration(now: 1_100).isEmpty, "pending Dead: not prepared twice")

        let (first, second) = (all.first { $0.transactionalId == "old-empty" }!, all.first { $0.transactionalId == "old-committed" }!)
        #expect(manager.completeTransactionalIdExpiration([first], appendError: .none) == ["old-empty"])
        #expect(try manager.transactionState(of: "old-empty").get() == nil)
        #expect(manager.completeTransactionalIdExpiration([second], appendError: .notEnoughReplicas).isEmpty)
        let kept = try #require(try manager.transactionState(of: "old-committed").get()?.metadata)
        #expect(kept.state == .completeCommit && kept.pendingState == nil, "a failed tombstone leaves the id as it was")
    }
}
