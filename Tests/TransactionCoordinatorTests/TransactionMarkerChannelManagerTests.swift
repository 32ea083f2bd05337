import KafkaCommon
import KafkaProtocol
import Logging
import Testing
import TransactionCoordinator

/// The marker channel as Kafka 2.3's runs it: one queue per leader, retries after leadership
/// moves and disconnects, deleted partitions skipped, and the final append once every marker is
/// written.
@Suite struct TransactionMarkerChannelManagerTests {
    static let b1 = BrokerId(rawValue: 1)
    static let b2 = BrokerId(rawValue: 2)
    static let t0 = TopicPartition("t", 0)
    static let t1 = TopicPartition("t", 1)
    static let u0 = TopicPartition("u", 0)

    struct Harness {
        let metadata: FakeMarkerMetadata
        let network = FakeMarkerNetwork()
        let target = FakeCompletionTarget()
        let manager: TransactionMarkerChannelManager

        init(_ destinations: [TopicPartition: TxnMarkerDestination]) async {
            metadata = FakeMarkerMetadata(destinations)
            var logger = Logger(label: "marker-channel-test")
            logger.logLevel = .critical
            manager = TransactionMarkerChannelManager(
                brokerId: BrokerId(rawValue: 9), metadata: metadata, network: network, partitionFor: { $0 == "other" ? 7 : 3 },
                logger: logger)
            await manager.attach(target)
        }

        func queue(_ partitions: Set<TopicPartition>, id: String = "tx", result: TransactionResult = .commit, epoch: Int16 = 4) async {
            let metadata = TransactionMetadata(
                transactionalId: id, producerId: 500, producerEpoch: epoch, txnTimeoutMs: 60_000,
                state: result == .commit ? .prepareCommit : .prepareAbort, topicPartitions: partitions, txnLastUpdateTimestamp: 0)
            let transit = TxnTransitMetadata(
                producerId: 500, producerEpoch: epoch, txnTimeoutMs: 60_000, txnState: result == .commit ? .completeCommit : .completeAbort,
                topicPartitions: [], txnStartTimestamp: 0, txnLastUpdateTimestamp: 1)
            await manager.addTxnMarkersToSend(transactionalId: id, coordinatorEpoch: 2, result: result, metadata: metadata, transit: transit)
        }
    }

    @Test func markersAreQueuedPerLeaderAndSentAsOneRequestEach() async throws {
        let h = await Harness([Self.t0: .leader(Self.b1), Self.t1: .leader(Self.b2), Self.u0: .leader(Self.b1)])
        await h.queue([Self.t0, Self.t1, Self.u0])
        #expect(await h.manager.queuedMarkers(for: Self.b1).map(\.partitions) == [[Self.t0, Self.u0]])
        #expect(await h.manager.queuedMarkers(for: Self.b2).map(\.partitions) == [[Self.t1]])
        #expect(h.target.completed.isEmpty)

        #expect(await h.manager.sendQueuedMarkers() == false)
        let requests = h.network.requests.sorted { $0.broker.rawValue < $1.broker.rawValue }
        #expect(requests.map(\.broker) == [Self.b1, Self.b2])
        let first = try #require(requests.first?.request.transactionMarkers.first)
        #expect(first.producerId == 500 && first.producerEpoch == 4 && first.transactionResult && first.coordinatorEpoch == 2)
        #expect(first.topics.map(\.topic) == ["t", "u"] && first.topics.map(\.partitions) == [[0], [0]])
        #expect(h.target.completed == ["tx"] && h.target.completedStates == [.completeCommit])
        #expect(await h.manager.transactionsWaitingForMarkers.isEmpty)
    }

    @Test func anAbortSendsFalseAndCompletesAbort() async throws {
        let h = await Harness([Self.t0: .leader(Self.b1)])
        await h.queue([Self.t0], result: .abort)
        await h.manager.sendQueuedMarkers()
        #expect(h.network.requests.first?.request.transactionMarkers.first?.transactionResult == false)
        #expect(h.target.completedStates == [.completeAbort])
    }

    @Test func notLeaderIsSentAgainToTheNewLeader() async throws {
        let h = await Harness([Self.t0: .leader(Self.b1), Self.t1: .leader(Self.b1)])
        h.network.answer(Self.t0, with: .notLeaderForPartition)
        await h.queue([Self.t0, Self.t1])
        await h.manager.sendQueuedMarkers()
        #expect(h.target.completed.isEmpty)
        #expect(await h.manager.remainingPartitions(of: "tx") == [Self.t0])

        // Routed again at once, by the metadata of the moment: still broker 1.
        #expect(await h.manager.queuedMarkers(for: Self.b1).map(\.partitions) == [[Self.t0]])
        h.metadata.set(Self.t0, .leader(Self.b2))
        await h.manager.sendQueuedMarkers()
        #expect(await h.manager.queuedMarkers(for: Self.b2).map(\.partitions) == [[Self.t0]])
        h.network.answer(Self.t0, with: .none)
        await h.manager.sendQueuedMarkers()
        #expect(h.network.requests.map(\.broker) == [Self.b1, Self.b1, Self.b2])
        #expect(h.network.requests.last?.request.transactionMarkers.first?.topics.first?.partitions == [0])
        #expect(h.target.completed == ["tx"])
    }

    @Test(arguments: [ErrorCode.unknownTopicOrPartition, .notEnoughReplicas, .requestTimedOut, .kafkaStorageError])
    func retriableErrorsAreRetried(_ error: ErrorCode) async throws {
        let h = await Harness([Self.t0: .leader(Self.b1)])
        h.network.answer(Self.t0, with: error)
        await h.queue([Self.t0])
        #expect(await h.manager.sendQueuedMarkers() == true, "the retry waits for the backoff")
        #expect(await h.manager.queuedMarkers(for: Self.b1).map(\.partitions) == [[Self.t0]])
        h.network.answer(Self.t0, with: .none)
        #expect(await h.manager.sendQueuedMarkers() == false)
        #expect(h.network.requests.count == 2 && h.target.completed == ["tx"])
    }

    @Test func aDisconnectRoutesTheWholeRequestAgain() async throws {
        let h = await Harness([Self.t0: .leader(Self.b1), Self.u0: .leader(Self.b1)])
        h.network.setDown(Self.b1, true)
        await h.queue([Self.t0, Self.u0])
        #expect(await h.manager.sendQueuedMarkers() == true)
        #expect(await h.manager.queuedMarkers(for: Self.b1).map(\.partitions) == [[Self.t0, Self.u0]])
        #expect(h.target.completed.isEmpty)
        h.network.setDown(Self.b1, false)
        #expect(await h.manager.sendQueuedMarkers() == false)
        #expect(h.target.completed == ["tx"])
    }

    @Test func aPartitionWithoutLeaderWaitsUntilItHasOne() async throws {
        let h = await Harness([Self.t0: .leaderNotAvailable])
        await h.queue([Self.t0])
        #expect(await h.manager.queuedMarkersForUnknownBroker.count == 1)
        #expect(await h.manager.sendQueuedMarkers() == true)
        #expect(h.network.requests.isEmpty)
        h.metadata.set(Self.t0, .leader(Self.b2))
        await h.manager.sendQueuedMarkers()
        #expect(h.network.requests.map(\.broker) == [Self.b2] && h.target.completed == ["tx"])
    }

    @Test func deletedPartitionsAreSkipped() async throws {
        let h = await Harness([Self.t0: .leader(Self.b1)])
        await h.queue([Self.t0, Self.u0])
        #expect(await h.manager.remainingPartitions(of: "tx") == [Self.t0])
        await h.manager.sendQueuedMarkers()
        #expect(h.target.completed == ["tx"])

        await h.queue([Self.u0], id: "other")
        #expect(h.target.completed == ["tx", "other"])
        #expect(h.network.requests.count == 1)
    }

    @Test(arguments: [ErrorCode.invalidProducerEpoch, .transactionCoordinatorFenced])
    func aFencedEpochDropsTheTransaction(_ error: ErrorCode) async throws {
        let h = await Harness([Self.t0: .leader(Self.b1), Self.t1: .leader(Self.b2)])
        h.network.answer(Self.t0, with: error)
        h.network.answer(Self.t1, with: .notLeaderForPartition)
        await h.queue([Self.t0, Self.t1])
        await h.manager.sendQueuedMarkers()
        #expect(await h.manager.transactionsWaitingForMarkers.isEmpty)
        #expect(await h.manager.queuedMarkers(for: Self.b2).isEmpty)
        #expect(h.target.completed.isEmpty)
    }

    @Test func answersForATransactionThisBrokerNoLongerCoordinatesDropIt() async throws {
        let h = await Harness([Self.t0: .leader(Self.b1)])
        await h.queue([Self.t0])
        h.target.setCoordinates(false)
        await h.manager.sendQueuedMarkers()
        #expect(await h.manager.transactionsWaitingForMarkers.isEmpty && h.target.completed.isEmpty)
    }

    @Test func anUnavailableLogIsAppendedAgainOnTheNextPass() async throws {
        let h = await Harness([Self.t0: .leader(Self.b1)])
        h.target.failNextCompletion(.coordinatorNotAvailable)
        await h.queue([Self.t0])
        #expect(await h.manager.sendQueuedMarkers() == true)
        #expect(h.target.completed == ["tx"])
        #expect(await h.manager.sendQueuedMarkers() == false)
        #expect(h.target.completed == ["tx", "tx"] && h.network.requests.count == 1)
    }

    @Test func leavingATransactionLogPartitionForgetsItsMarkers() async throws {
        let h = await Harness([Self.t0: .leader(Self.b1), Self.t1: .leaderNotAvailable])
        await h.queue([Self.t0])
        await h.queue([Self.t0, Self.t1], id: "other")
        await h.manager.removeMarkers(forTxnTopicPartition: 3)
        #expect(await h.manager.transactionsWaitingForMarkers == ["other"])
        #expect(await h.manager.queuedMarkers(for: Self.b1).map(\.transactionalId) == ["other"])
        await h.manager.removeMarkers(forTxnTopicPartition: 7)
        #expect(await h.manager.queuedMarkersForUnknownBroker.isEmpty)
        await h.manager.sendQueuedMarkers()
        #expect(h.network.requests.isEmpty)
    }

    @Test func theCoordinatorCompletesACommitThroughTheChannel() async throws {
        let clock = TestClock(10_000)
        let appender = FakeAppender()
        let h = await Harness([Self.t0: .leader(Self.b1)])
        var manager = TransactionStateManager(brokerId: BrokerId(rawValue: 1), config: TransactionConfig())
        for partition in 0..<manager.partitionCount {
            manager.addLoadingPartition(partition, coordinatorEpoch: 2)
            _ = try manager.completeLoading(partition, coordinatorEpoch: 2, transactions: [:], now: 0)
        }
        var logger = Logger(label: "marker-channel-test")
        logger.logLevel = .critical
        let coordinator = TransactionCoordinator(
            stateManager: manager, appender: appender, markerSender: h.manager, producerIds: FakeProducerIds(), time: clock,
            logger: logger)
        await h.manager.attach(coordinator)
        let pid = await coordinator.handleInitProducerId(transactionalId: "tx", transactionTimeoutMs: 60_000)
        #expect(await coordinator.handleAddPartitionsToTransaction(
            transactionalId: "tx", producerId: pid.producerId, producerEpoch: pid.producerEpoch, partitions: [Self.t0]) == .none)
        #expect(await coordinator.handleEndTransaction(
            transactionalId: "tx", producerId: pid.producerId, producerEpoch: pid.producerEpoch, result: .commit) == .none)
        #expect(appender.states == [.empty, .ongoing, .prepareCommit])
        await h.manager.sendQueuedMarkers()
        #expect(appender.states == [.empty, .ongoing, .prepareCommit, .completeCommit])
        let state = await coordinator.stateManager.transactionState(of: "tx").get(or: nil)
        #expect(state?.metadata.state == .completeCommit && state?.metadata.pendingState == nil)
    }
}
