import KafkaCommon
import KafkaRecords
import KafkaProtocol
import Testing
import TransactionCoordinator

/// InitProducerId, AddPartitionsToTxn and EndTxn as Kafka 2.3's coordinator answers them, with a
/// fake log and marker channel.
@Suite struct TransactionCoordinatorTests {
    static let tp = TopicPartition("t", 0)

    @Test func aProducerWithoutTransactionalIdGetsANewIdAtEpochZero() async throws {
        let harness = try await CoordinatorHarness()
        let first = await harness.coordinator.handleInitProducerId(transactionalId: nil, transactionTimeoutMs: 1)
        let second = await harness.coordinator.handleInitProducerId(transactionalId: nil, transactionTimeoutMs: 1)
        #expect(first == InitProducerIdResult(producerId: 1000, producerEpoch: 0, error: .none))
        #expect(second.producerId == 1001 && harness.appender.records.isEmpty)
    }

    @Test func badRequestsAreRefused() async throws {
        let harness = try await CoordinatorHarness()
        #expect(await harness.coordinator.handleInitProducerId(transactionalId: "", transactionTimeoutMs: 1) == .failure(.invalidRequest))
        #expect(await harness.coordinator.handleInitProducerId(transactionalId: "tx", transactionTimeoutMs: 900_001) == .failure(.invalidTransactionTimeout))
        #expect(await harness.coordinator.handleInitProducerId(transactionalId: "tx", transactionTimeoutMs: 0) == .failure(.invalidTransactionTimeout))
        #expect(harness.appender.records.isEmpty)
    }

    @Test func aNewTransactionalIdGetsEpochZeroAndEachInitBumpsIt() async throws {
        let harness = try await CoordinatorHarness()
        let first = await harness.coordinator.handleInitProducerId(transactionalId: "fx-tx-1", transactionTimeoutMs: 60_000)
        #expect(first == InitProducerIdResult(producerId: 1000, producerEpoch: 0, error: .none))
        #expect(harness.appender.records.map(\.partition) == [15] && harness.appender.states == [.empty])
        let second = await harness.coordinator.handleInitProducerId(transactionalId: "fx-tx-1", transactionTimeoutMs: 60_000)
        #expect(second == InitProducerIdResult(producerId: 1000, producerEpoch: 1, error: .none))
        #expect(await harness.metadata("fx-tx-1")?.producerEpoch == 1)
    }

    @Test func aFailedAppendAnswersTheCoordinatorsErrorAndLeavesNothingPending() async throws {
        let harness = try await CoordinatorHarness()
        harness.appender.failNext(.notEnoughReplicas)
        #expect(await harness.coordinator.handleInitProducerId(transactionalId: "tx", transactionTimeoutMs: 1_000) == .failure(.coordinatorNotAvailable))
        #expect(await harness.metadata("tx")?.pendingState == nil)
        #expect(await harness.coordinator.handleInitProducerId(transactionalId: "tx", transactionTimeoutMs: 1_000).error == .none)
    }

    @Test func aSecondProducerFencesAnOngoingTransaction() async throws {
        let harness = try await CoordinatorHarness()
        let first = await harness.coordinator.handleInitProducerId(transactionalId: "tx", transactionTimeoutMs: 1_000)
        #expect(await harness.coordinator.handleAddPartitionsToTransaction(transactionalId: "tx", producerId: first.producerId, producerEpoch: 0, partitions: [Self.tp]) == .none)

        // The new producer's InitProducerId aborts the old transaction at epoch 1 and asks it to retry.
        let fenced = await harness.coordinator.handleInitProducerId(transactionalId: "tx", transactionTimeoutMs: 1_000)
        #expect(fenced == .failure(.concurrentTransactions))
        #expect(harness.appender.states == [.empty, .ongoing, .prepareAbort])
        #expect(harness.appender.records.last?.record.value?.producerEpoch == 1)
        #expect(harness.markers.calls.map(\.result) == [.abort] && harness.markers.calls.first?.transit.txnState == .completeAbort)
        #expect(await harness.metadata("tx")?.state == .prepareAbort)

        // The old producer is fenced: its epoch is stale.
        #expect(await harness.coordinator.handleEndTransaction(transactionalId: "tx", producerId: first.producerId, producerEpoch: 0, result: .commit) == .invalidProducerEpoch)
        #expect(await harness.coordinator.handleAddPartitionsToTransaction(transactionalId: "tx", producerId: first.producerId, producerEpoch: 0, partitions: [Self.tp]) == .invalidProducerEpoch)
        // While the abort completes, the new producer is asked to retry.
        #expect(await harness.coordinator.handleInitProducerId(transactionalId: "tx", transactionTimeoutMs: 1_000) == .failure(.concurrentTransactions))
    }

    @Test func aCommitGoesThroughPrepareCommitAndTheMarkers() async throws {
        let harness = try await CoordinatorHarness()
        let pid = await harness.coordinator.handleInitProducerId(transactionalId: "tx", transactionTimeoutMs: 1_000).producerId
        #expect(await harness.coordinator.handleEndTransaction(transactionalId: "tx", producerId: pid, producerEpoch: 0, result: .commit) == .invalidTxnState, "no transaction yet")
        #expect(await harness.coordinator.handleAddPartitionsToTransaction(transactionalId: "tx", producerId: pid, producerEpoch: 0, partitions: [Self.tp]) == .none)
        #expect(await harness.coordinator.handleAddPartitionsToTransaction(transactionalId: "tx", producerId: pid, producerEpoch: 0, partitions: [Self.tp]) == .none)
        #expect(harness.appender.states == [.empty, .ongoing], "partitions already in the transaction are not written again")
        #expect(await harness.coordinator.handleEndTransaction(transactionalId: "tx", producerId: pid, producerEpoch: 0, result: .commit) == .none)
        #expect(harness.appender.states == [.empty, .ongoing, .prepareCommit])
        let call = try #require(harness.markers.calls.first)
        #expect(call.result == .commit && call.coordinatorEpoch == 1 && call.transit.txnState == .completeCommit)

        // While the markers are written: the same result again waits, the other is refused.
        #expect(await harness.coordinator.handleEndTransaction(transactionalId: "tx", producerId: pid, producerEpoch: 0, result: .commit) == .concurrentTransactions)
        #expect(await harness.coordinator.handleEndTransaction(transactionalId: "tx", producerId: pid, producerEpoch: 0, result: .abort) == .concurrentTransactions, "the completion is pending")
        #expect(await harness.coordinator.handleAddPartitionsToTransaction(transactionalId: "tx", producerId: pid, producerEpoch: 0, partitions: [Self.tp]) == .concurrentTransactions)
        #expect(await harness.coordinator.handleInitProducerId(transactionalId: "tx", transactionTimeoutMs: 1_000) == .failure(.concurrentTransactions))

        // The marker channel completes it (its append, then completion).
        let done = await harness.coordinator.updateStateManager { manager in
            try? manager.completeAppend("tx", coordinatorEpoch: 1, transit: call.transit, appendError: .none)
        }
        #expect(done == ErrorCode.none)
        #expect(await harness.metadata("tx")?.state == .completeCommit)
        #expect(await harness.coordinator.handleEndTransaction(transactionalId: "tx", producerId: pid, producerEpoch: 0, result: .commit) == .none, "a retried commit")
        #expect(await harness.coordinator.handleEndTransaction(transactionalId: "tx", producerId: pid, producerEpoch: 0, result: .abort) == .invalidTxnState)
    }

    @Test func aFailedEndTxnAppendAnswersItsErrorAndSendsNoMarkers() async throws {
        let harness = try await CoordinatorHarness()
        let pid = await harness.coordinator.handleInitProducerId(transactionalId: "tx", transactionTimeoutMs: 1_000).producerId
        #expect(await harness.coordinator.handleAddPartitionsToTransaction(transactionalId: "tx", producerId: pid, producerEpoch: 0, partitions: [Self.tp]) == .none)
        harness.appender.failNext(.notLeaderForPartition)
        #expect(await harness.coordinator.handleEndTransaction(transactionalId: "tx", producerId: pid, producerEpoch: 0, result: .commit) == .notCoordinator)
        #expect(harness.markers.calls.isEmpty)
        let metadata = await harness.metadata("tx")
        #expect(metadata?.state == .ongoing && metadata?.pendingState == nil, "the producer may retry its commit")
        #expect(await harness.coordinator.handleEndTransaction(transactionalId: "tx", producerId: pid, producerEpoch: 0, result: .commit) == .none)
    }

    @Test func aFenceWhoseAbortCannotBeWrittenAnswersTheAppendError() async throws {
        let harness = try await CoordinatorHarness()
        let pid = await harness.coordinator.handleInitProducerId(transactionalId: "tx", transactionTimeoutMs: 1_000).producerId
        #expect(await harness.coordinator.handleAddPartitionsToTransaction(transactionalId: "tx", producerId: pid, producerEpoch: 0, partitions: [Self.tp]) == .none)
        harness.appender.failNext(.requestTimedOut)
        #expect(await harness.coordinator.handleInitProducerId(transactionalId: "tx", transactionTimeoutMs: 1_000) == .failure(.coordinatorNotAvailable))
        #expect(harness.markers.calls.isEmpty)
        let metadata = await harness.metadata("tx")
        #expect(metadata?.state == .ongoing && metadata?.pendingState == nil && metadata?.producerEpoch == 1,
                "as in Kafka 2.3, the fenced epoch stays although its abort was not written")
    }

    @Test func requestsOfOtherProducersAreRefused() async throws {
        let harness = try await CoordinatorHarness()
        #expect(await harness.coordinator.handleAddPartitionsToTransaction(transactionalId: "tx", producerId: 1, producerEpoch: 0, partitions: [Self.tp]) == .invalidProducerIdMapping)
        #expect(await harness.coordinator.handleEndTransaction(transactionalId: "tx", producerId: 1, producerEpoch: 0, result: .commit) == .invalidProducerIdMapping)
        let pid = await harness.coordinator.handleInitProducerId(transactionalId: "tx", transactionTimeoutMs: 1_000).producerId
        #expect(await harness.coordinator.handleAddPartitionsToTransaction(transactionalId: "tx", producerId: pid + 1, producerEpoch: 0, partitions: [Self.tp]) == .invalidProducerIdMapping)
        #expect(await harness.coordinator.handleAddPartitionsToTransaction(transactionalId: "tx", producerId: pid, producerEpoch: 1, partitions: [Self.tp]) == .invalidProducerEpoch)
        #expect(await harness.coordinator.handleAddPartitionsToTransaction(transactionalId: "", producerId: pid, producerEpoch: 0, partitions: [Self.tp]) == .invalidRequest)
        #expect(await harness.coordinator.handleEndTransaction(transactionalId: "", producerId: pid, producerEpoch: 0, result: .abort) == .invalidRequest)
    }

    @Test func partitionsThisBrokerDoesNotOwnAnswerNotCoordinatorOrLoadInProgress() async throws {
        let harness = try await CoordinatorHarness()
        await harness.coordinator.updateStateManager { $0.prepareRemoval(15, coordinatorEpoch: 1) }
        #expect(await harness.coordinator.handleInitProducerId(transactionalId: "fx-tx-1", transactionTimeoutMs: 1_000) == .failure(.notCoordinator))
        await harness.coordinator.updateStateManager { $0.addLoadingPartition(15, coordinatorEpoch: 2) }
        #expect(await harness.coordinator.handleInitProducerId(transactionalId: "fx-tx-1", transactionTimeoutMs: 1_000) == .failure(.coordinatorLoadInProgress))
        #expect(await harness.coordinator.handleEndTransaction(transactionalId: "fx-tx-1", producerId: 1, producerEpoch: 0, result: .abort) == .coordinatorLoadInProgress)
    }

    @Test func anExhaustedProducerIdRotates() async throws {
        let harness = try await CoordinatorHarness()
        let exhausted = TransactionMetadata(transactionalId: "tx", producerId: 7, producerEpoch: Int16.max - 1, txnTimeoutMs: 1_000, txnLastUpdateTimestamp: 0)
        _ = await harness.coordinator.updateStateManager { $0.putTransactionStateIfNotExists(exhausted) }
        let result = await harness.coordinator.handleInitProducerId(transactionalId: "tx", transactionTimeoutMs: 1_000)
        #expect(result == InitProducerIdResult(producerId: 1000, producerEpoch: 0, error: .none))
    }
}

/// The coordinator's periodic jobs: aborting transactions past their timeout, removing idle ids.
@Suite struct TransactionCoordinatorSweepTests {
    @Test func aSilentProducersTransactionIsAbortedAfterItsTimeoutAndTheProducerFenced() async throws {
        let harness = try await CoordinatorHarness()
        let pid = await harness.coordinator.handleInitProducerId(transactionalId: "tx", transactionTimeoutMs: 1_000).producerId
        #expect(await harness.coordinator.handleAddPartitionsToTransaction(transactionalId: "tx", producerId: pid, producerEpoch: 0, partitions: [TopicPartition("t", 0)]) == .none)
        harness.clock.advance(1_000)
        #expect(await harness.coordinator.abortTimedOutTransactions().isEmpty, "exactly the timeout is not past it")
        harness.clock.advance(1)
        #expect(await harness.coordinator.abortTimedOutTransactions() == ["tx": .none])
        #expect(harness.appender.states == [.empty, .ongoing, .prepareAbort])
        #expect(harness.markers.calls.map(\.result) == [.abort] && harness.markers.calls.first?.transit.producerEpoch == 1)
        #expect(await harness.coordinator.handleEndTransaction(transactionalId: "tx", producerId: pid, producerEpoch: 0, result: .commit) == .invalidProducerEpoch)
        #expect(await harness.coordinator.abortTimedOutTransactions().isEmpty, "an aborting transaction is not aborted again")
    }

    @Test func idleTransactionalIdsAreRemovedWithTombstones() async throws {
        var config = TransactionConfig()
        config.transactionalIdExpirationMs = 5_000
        let harness = try await CoordinatorHarness(config: config)
        _ = await harness.coordinator.handleInitProducerId(transactionalId: "idle", transactionTimeoutMs: 1_000)
        harness.clock.advance(2_000)
        let busy = await harness.coordinator.handleInitProducerId(transactionalId: "busy", transactionTimeoutMs: 1_000)
        #expect(await harness.coordinator.handleAddPartitionsToTransaction(transactionalId: "busy", producerId: busy.producerId, producerEpoch: 0, partitions: [TopicPartition("t", 0)]) == .none)
        harness.clock.advance(2_999)  // "idle" was last updated 4,999 ms ago
        #expect(await harness.coordinator.removeExpiredTransactionalIds().isEmpty)
        harness.clock.advance(1)
        #expect(await harness.coordinator.removeExpiredTransactionalIds() == ["idle"])
        let tombstone = try #require(harness.appender.records.last)
        #expect(tombstone.record.isTombstone && tombstone.record.transactionalId == "idle")
        let idlePartition = await harness.coordinator.stateManager.partitionFor("idle")
        #expect(tombstone.partition == idlePartition)
        let idle = await harness.metadata("idle"), stillBusy = await harness.metadata("busy")
        #expect(idle == nil && stillBusy?.state == .ongoing, "an open transaction never expires")

        harness.clock.advance(1_000_000)
        // "busy" is still Ongoing; a fresh id expires, and its tombstone fails.
        _ = await harness.coordinator.handleInitProducerId(transactionalId: "later", transactionTimeoutMs: 1_000)
        harness.appender.failNext(.notEnoughReplicas)
        harness.clock.advance(5_000)
        #expect(await harness.coordinator.removeExpiredTransactionalIds().isEmpty)
        #expect(await harness.metadata("later")?.pendingState == nil, "a failed tombstone leaves the id, with nothing pending")
    }
}

/// Loading and unloading `__transaction_state` partitions on leadership changes.
@Suite struct TransactionCoordinatorImmigrationTests {
    @Test func theFixturePartitionLoadsAndItsTransactionalIdAnswersAgain() async throws {
        let harness = try await CoordinatorHarness()
        await harness.coordinator.handleTxnEmigration(partition: 15, coordinatorEpoch: 1)
        #expect(harness.markers.removedPartitions == [15])
        #expect(await harness.coordinator.handleInitProducerId(transactionalId: "fx-tx-1", transactionTimeoutMs: 60_000) == .failure(.notCoordinator))

        let reader = FakeLogReader(logs: [15: try TransactionLogFixture.records()])
        await harness.coordinator.handleTxnImmigration(partition: 15, coordinatorEpoch: 2, reader: reader)
        let loaded = try #require(await harness.metadata("fx-tx-1"))
        #expect(loaded.state == .completeCommit && loaded.producerId == 1 && loaded.producerEpoch == 0)
        #expect(harness.markers.calls.isEmpty, "nothing was being completed")
        // The producer restarts: epoch 1, written at coordinator epoch 2.
        #expect(await harness.coordinator.handleInitProducerId(transactionalId: "fx-tx-1", transactionTimeoutMs: 60_000)
                == InitProducerIdResult(producerId: 1, producerEpoch: 1, error: .none))
    }

    @Test func aTransactionLoadedWhileCommittingHasItsMarkersSentAgain() async throws {
        let harness = try await CoordinatorHarness()
        // Records 0–2 of the fixture: fx-tx-1 stopped in PrepareCommit.
        let fixture = try TransactionLogFixture.rawRecords()
        var builder = MemoryRecordsBuilder(baseOffset: 0)
        for record in fixture.prefix(3) { builder.append(timestamp: 1, key: record.key, value: record.value) }
        let reader = FakeLogReader(logs: [15: try builder.buildRecords()])
        await harness.coordinator.handleTxnImmigration(partition: 15, coordinatorEpoch: 2, reader: reader)
        let call = try #require(harness.markers.calls.first)
        #expect(call.transactionalId == "fx-tx-1" && call.result == .commit && call.coordinatorEpoch == 2)
        #expect(call.transit.txnState == .completeCommit && call.transit.topicPartitions.isEmpty)
        #expect(await harness.metadata("fx-tx-1")?.pendingState == .completeCommit)
    }

    @Test func aPartitionWithoutALogLoadsEmpty() async throws {
        let harness = try await CoordinatorHarness()
        await harness.coordinator.handleTxnImmigration(partition: 15, coordinatorEpoch: 2, reader: FakeLogReader(logs: [:]))
        #expect(await harness.coordinator.handleInitProducerId(transactionalId: "fx-tx-1", transactionTimeoutMs: 1_000).error == .none)
    }
}
