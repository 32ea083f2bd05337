import KafkaCommon
import Testing
@testable import TransactionCoordinator

/// Every `prepare…` transition of Kafka 2.3's `TransactionMetadata`, the refused ones, and the
/// checks of `completeTransitionTo`.
@Suite struct TransactionMetadataTests {
    static let t0 = TopicPartition("t", 0), t1 = TopicPartition("t", 1), u0 = TopicPartition("u", 0)

    static func metadata(
        _ state: TransactionState, epoch: Int16 = 3, partitions: Set<TopicPartition> = [], start: Int64 = -1, updated: Int64 = 100
    ) -> TransactionMetadata {
        TransactionMetadata(
            transactionalId: "tx", producerId: 7, producerEpoch: epoch, txnTimeoutMs: 60_000, state: state,
            topicPartitions: partitions, txnStartTimestamp: start, txnLastUpdateTimestamp: updated)
    }

    /// A metadata in `state` with a plausible shape for it.
    static func inState(_ state: TransactionState) -> TransactionMetadata {
        switch state {
        case .ongoing, .prepareCommit, .prepareAbort, .prepareEpochFence: metadata(state, partitions: [t0], start: 50)
        case .completeCommit, .completeAbort, .dead: metadata(state, start: 50)
        case .empty: metadata(.empty)
        }
    }

    // MARK: InitProducerId

    @Test func aNewTransactionalIdGetsEpochZero() throws {
        var metadata = Self.metadata(.empty, epoch: TransactionMetadata.noProducerEpoch)
        let transit = try metadata.prepareIncrementProducerEpoch(newTxnTimeoutMs: 30_000, updateTimestamp: 200)
        #expect(transit == TxnTransitMetadata(producerId: 7, producerEpoch: 0, txnTimeoutMs: 30_000, txnState: .empty,
                                              topicPartitions: [], txnStartTimestamp: -1, txnLastUpdateTimestamp: 200))
        #expect(metadata.pendingState == .empty && metadata.producerEpoch == -1, "only the pending state changes before completion")
        try metadata.completeTransition(to: transit)
        #expect(metadata.producerEpoch == 0 && metadata.txnTimeoutMs == 30_000 && metadata.txnLastUpdateTimestamp == 200)
        #expect(metadata.pendingState == nil && metadata.state == .empty)
    }

    @Test(arguments: [TransactionState.empty, .completeCommit, .completeAbort])
    func initProducerIdBumpsTheEpochAfterATransaction(_ state: TransactionState) throws {
        var metadata = Self.inState(state)
        let transit = try metadata.prepareIncrementProducerEpoch(newTxnTimeoutMs: 60_000, updateTimestamp: 300)
        #expect(transit.producerEpoch == 4 && transit.txnState == .empty && transit.topicPartitions.isEmpty && transit.txnStartTimestamp == -1)
        try metadata.completeTransition(to: transit)
        #expect(metadata.producerEpoch == 4 && metadata.state == .empty)
    }

    @Test(arguments: [TransactionState.ongoing, .prepareCommit, .prepareAbort, .dead, .prepareEpochFence])
    func initProducerIdIsRefusedDuringATransaction(_ state: TransactionState) {
        var metadata = Self.inState(state)
        #expect(throws: TransactionStateError.invalidTransition(transactionalId: "tx", from: state, to: .empty)) {
            try metadata.prepareIncrementProducerEpoch(newTxnTimeoutMs: 60_000, updateTimestamp: 300)
        }
        #expect(metadata == Self.inState(state), "a refused transition changes nothing")
    }

    @Test func theLastEpochsAreKeptForFencing() throws {
        var metadata = Self.metadata(.empty, epoch: Int16.max - 2)
        #expect(!metadata.isProducerEpochExhausted)
        let transit = try metadata.prepareIncrementProducerEpoch(newTxnTimeoutMs: 1, updateTimestamp: 1)
        try metadata.completeTransition(to: transit)
        #expect(metadata.producerEpoch == Int16.max - 1 && metadata.isProducerEpochExhausted)
        #expect(throws: TransactionStateError.producerEpochExhausted(producerId: 7, epoch: Int16.max - 1)) {
            try metadata.prepareIncrementProducerEpoch(newTxnTimeoutMs: 1, updateTimestamp: 2)
        }
    }

    @Test func anExhaustedProducerIdRotatesToANewOneAtEpochZero() throws {
        var metadata = Self.metadata(.completeCommit, epoch: Int16.max - 1, start: 50)
        let transit = try metadata.prepareProducerIdRotation(newProducerId: 1000, newTxnTimeoutMs: 20_000, updateTimestamp: 400)
        #expect(transit == TxnTransitMetadata(producerId: 1000, producerEpoch: 0, txnTimeoutMs: 20_000, txnState: .empty,
                                              topicPartitions: [], txnStartTimestamp: -1, txnLastUpdateTimestamp: 400))
        try metadata.completeTransition(to: transit)
        #expect(metadata.producerId == 1000 && metadata.producerEpoch == 0)
    }

    @Test(arguments: [TransactionState.ongoing, .prepareCommit, .prepareAbort])
    func producerIdsDoNotRotateDuringATransaction(_ state: TransactionState) {
        var metadata = Self.inState(state)
        #expect(throws: TransactionStateError.transactionPending(transactionalId: "tx", state: state)) {
            try metadata.prepareProducerIdRotation(newProducerId: 1000, newTxnTimeoutMs: 1, updateTimestamp: 1)
        }
    }

    @Test func negativeProducerIdsAreRefused() {
        var metadata = Self.metadata(.empty)
        #expect(throws: TransactionStateError.illegalProducerId(-1)) {
            try metadata.prepareProducerIdRotation(newProducerId: -1, newTxnTimeoutMs: 1, updateTimestamp: 1)
        }
        #expect(metadata.pendingState == nil)
    }

    // MARK: Fencing

    @Test func fencingAnOngoingTransactionBumpsTheEpochAndLeadsToPrepareAbort() throws {
        var metadata = Self.metadata(.ongoing, partitions: [Self.t0], start: 50)
        let fence = try metadata.prepareFenceProducerEpoch()
        #expect(fence == TxnTransitMetadata(producerId: 7, producerEpoch: 4, txnTimeoutMs: 60_000, txnState: .prepareEpochFence,
                                            topicPartitions: [Self.t0], txnStartTimestamp: 50, txnLastUpdateTimestamp: 100))
        #expect(metadata.pendingState == .prepareEpochFence && metadata.producerEpoch == 3)
        #expect(throws: TransactionStateError.unexpectedTransitMetadata(transactionalId: "tx", fence), "a fence is never completed") {
            var copy = metadata
            try copy.completeTransition(to: fence)
        }
        metadata.clearEpochFence(producerEpoch: fence.producerEpoch)
        let abort = try metadata.prepareAbortOrCommit(.prepareAbort, updateTimestamp: 500)
        #expect(abort.producerEpoch == 4 && abort.txnState == .prepareAbort && abort.topicPartitions == [Self.t0])
        try metadata.completeTransition(to: abort)
        #expect(metadata.state == .prepareAbort && metadata.producerEpoch == 4)
    }

    @Test(arguments: TransactionState.allCases.filter { $0 != .ongoing })
    func onlyOngoingTransactionsAreFenced(_ state: TransactionState) {
        var metadata = Self.inState(state)
        #expect(throws: TransactionStateError.invalidTransition(transactionalId: "tx", from: state, to: .prepareEpochFence)) {
            try metadata.prepareFenceProducerEpoch()
        }
    }

    @Test func fencingAtTheLastEpochIsRefused() {
        var metadata = Self.metadata(.ongoing, epoch: Int16.max, partitions: [Self.t0], start: 50)
        #expect(throws: TransactionStateError.producerEpochExhausted(producerId: 7, epoch: Int16.max)) {
            try metadata.prepareFenceProducerEpoch()
        }
    }

    // MARK: AddPartitionsToTxn

    @Test(arguments: [TransactionState.empty, .completeCommit, .completeAbort])
    func addingPartitionsStartsATransaction(_ state: TransactionState) throws {
        var metadata = Self.inState(state)
        let transit = try metadata.prepareAddPartitions([Self.t0, Self.u0], updateTimestamp: 600)
        #expect(transit.txnState == .ongoing && transit.txnStartTimestamp == 600 && transit.txnLastUpdateTimestamp == 600)
        try metadata.completeTransition(to: transit)
        #expect(metadata.state == .ongoing && metadata.topicPartitions == [Self.t0, Self.u0] && metadata.txnStartTimestamp == 600)
    }

    @Test func addingToAnOngoingTransactionKeepsItsStart() throws {
        var metadata = Self.metadata(.ongoing, partitions: [Self.t0], start: 50)
        let transit = try metadata.prepareAddPartitions([Self.t1], updateTimestamp: 700)
        #expect(transit.txnStartTimestamp == 50 && transit.topicPartitions == [Self.t0, Self.t1])
        try metadata.completeTransition(to: transit)
        #expect(metadata.topicPartitions == [Self.t0, Self.t1] && metadata.txnLastUpdateTimestamp == 700)
    }

    @Test(arguments: [TransactionState.prepareCommit, .prepareAbort, .dead, .prepareEpochFence])
    func partitionsAreNotAddedWhileATransactionEnds(_ state: TransactionState) {
        var metadata = Self.inState(state)
        #expect(throws: TransactionStateError.invalidTransition(transactionalId: "tx", from: state, to: .ongoing)) {
            try metadata.prepareAddPartitions([Self.t1], updateTimestamp: 1)
        }
    }

    @Test func oneTransitionAtATime() throws {
        var metadata = Self.metadata(.ongoing, partitions: [Self.t0], start: 50)
        _ = try metadata.prepareAddPartitions([Self.t1], updateTimestamp: 700)
        #expect(throws: TransactionStateError.transitionPending(transactionalId: "tx", pending: .ongoing, requested: .prepareCommit)) {
            try metadata.prepareAbortOrCommit(.prepareCommit, updateTimestamp: 800)
        }
        metadata.clearPendingState()
        #expect(try metadata.prepareAbortOrCommit(.prepareCommit, updateTimestamp: 800).txnState == .prepareCommit)
    }

    // MARK: EndTxn and markers

    @Test(arguments: [TransactionState.prepareCommit, .prepareAbort])
    func endingAnOngoingTransactionKeepsItsPartitions(_ target: TransactionState) throws {
        var metadata = Self.metadata(.ongoing, partitions: [Self.t0, Self.u0], start: 50)
        let transit = try metadata.prepareAbortOrCommit(target, updateTimestamp: 800)
        #expect(transit == TxnTransitMetadata(producerId: 7, producerEpoch: 3, txnTimeoutMs: 60_000, txnState: target,
                                              topicPartitions: [Self.t0, Self.u0], txnStartTimestamp: 50, txnLastUpdateTimestamp: 800))
        try metadata.completeTransition(to: transit)
        #expect(metadata.state == target && metadata.topicPartitions == [Self.t0, Self.u0])
    }

    @Test(arguments: TransactionState.allCases.filter { $0 != .ongoing }, [TransactionState.prepareCommit, .prepareAbort])
    func onlyOngoingTransactionsEnd(_ state: TransactionState, target: TransactionState) {
        var metadata = Self.inState(state)
        if state == .prepareEpochFence && target == .prepareAbort { return }  // the fence's abort, tested above
        #expect(throws: TransactionStateError.invalidTransition(transactionalId: "tx", from: state, to: target)) {
            try metadata.prepareAbortOrCommit(target, updateTimestamp: 1)
        }
    }

    @Test(arguments: [(TransactionState.prepareCommit, TransactionState.completeCommit), (.prepareAbort, .completeAbort)])
    func writingTheMarkersCompletesTheTransaction(_ state: TransactionState, _ target: TransactionState) throws {
        var metadata = Self.metadata(state, partitions: [Self.t0], start: 50)
        let transit = try metadata.prepareComplete(updateTimestamp: 900)
        #expect(transit == TxnTransitMetadata(producerId: 7, producerEpoch: 3, txnTimeoutMs: 60_000, txnState: target,
                                              topicPartitions: [], txnStartTimestamp: 50, txnLastUpdateTimestamp: 900))
        try metadata.completeTransition(to: transit)
        #expect(metadata.state == target && metadata.topicPartitions.isEmpty && metadata.txnStartTimestamp == 50)
    }

    @Test(arguments: [TransactionState.empty, .ongoing, .completeCommit, .completeAbort, .dead, .prepareEpochFence])
    func onlyPreparedTransactionsComplete(_ state: TransactionState) {
        var metadata = Self.inState(state)
        // Kafka picks CompleteAbort for anything but PrepareCommit; the table refuses it.
        #expect(throws: TransactionStateError.invalidTransition(transactionalId: "tx", from: state, to: .completeAbort)) {
            try metadata.prepareComplete(updateTimestamp: 1)
        }
    }

    @Test func partitionsAreRemovedOnlyWhileTheMarkersAreWritten() throws {
        var preparing = Self.metadata(.prepareCommit, partitions: [Self.t0, Self.t1], start: 50)
        try preparing.removePartition(Self.t0)
        #expect(preparing.topicPartitions == [Self.t1])
        var ongoing = Self.metadata(.ongoing, partitions: [Self.t0], start: 50)
        #expect(throws: TransactionStateError.removePartitionOutsidePrepare(transactionalId: "tx", state: .ongoing)) {
            try ongoing.removePartition(Self.t0)
        }
    }

    // MARK: Expiration

    @Test(arguments: [TransactionState.empty, .completeCommit, .completeAbort])
    func idleTransactionalIdsDieButDeadIsNeverStored(_ state: TransactionState) throws {
        var metadata = Self.inState(state)
        let transit = try metadata.prepareDead()
        #expect(transit.txnState == .dead && transit.txnLastUpdateTimestamp == 100 && transit.topicPartitions.isEmpty)
        #expect(throws: TransactionStateError.completedToDead(transactionalId: "tx")) { try metadata.completeTransition(to: transit) }
    }

    @Test(arguments: [TransactionState.ongoing, .prepareCommit, .prepareAbort, .dead, .prepareEpochFence])
    func openTransactionsDoNotDie(_ state: TransactionState) {
        var metadata = Self.inState(state)
        #expect(throws: TransactionStateError.invalidTransition(transactionalId: "tx", from: state, to: .dead)) { try metadata.prepareDead() }
    }

    // MARK: completeTransitionTo's checks

    @Test func completionNeedsAPendingTransitionOfTheSameState() throws {
        var metadata = Self.metadata(.ongoing, partitions: [Self.t0], start: 50)
        let transit = TxnTransitMetadata(producerId: 7, producerEpoch: 3, txnTimeoutMs: 60_000, txnState: .prepareCommit,
                                         topicPartitions: [Self.t0], txnStartTimestamp: 50, txnLastUpdateTimestamp: 1)
        #expect(throws: TransactionStateError.noPendingTransition(transactionalId: "tx")) { try metadata.completeTransition(to: transit) }
        _ = try metadata.prepareAbortOrCommit(.prepareAbort, updateTimestamp: 1)
        #expect(throws: TransactionStateError.unexpectedTransitMetadata(transactionalId: "tx", transit)) { try metadata.completeTransition(to: transit) }
    }

    /// Each broken rule of `completeTransitionTo`, starting from a valid transit.
    @Test func completionRefusesTransitsThatBreakItsRules() throws {
        func refused(_ start: TransactionMetadata, _ prepare: (inout TransactionMetadata) throws -> TxnTransitMetadata,
                     _ breakIt: (inout TxnTransitMetadata) -> Void, sourceLocation: SourceLocation = #_sourceLocation) throws {
            var metadata = start
            var transit = try prepare(&metadata)
            breakIt(&transit)
            let before = metadata
            #expect(throws: TransactionStateError.self, sourceLocation: sourceLocation) { try metadata.completeTransition(to: transit) }
            #expect(metadata == before, "a refused completion changes nothing", sourceLocation: sourceLocation)
        }
        let empty = Self.metadata(.completeCommit, start: 50)
        let initPid: (inout TransactionMetadata) throws -> TxnTransitMetadata = { try $0.prepareIncrementProducerEpoch(newTxnTimeoutMs: 1, updateTimestamp: 200) }
        try refused(empty, initPid) { $0.producerEpoch = 9 }
        try refused(empty, initPid) { $0.topicPartitions = [Self.t0] }
        try refused(empty, initPid) { $0.txnStartTimestamp = 5 }

        let ongoing = Self.metadata(.ongoing, partitions: [Self.t0], start: 50)
        let add: (inout TransactionMetadata) throws -> TxnTransitMetadata = { try $0.prepareAddPartitions([Self.t1], updateTimestamp: 200) }
        try refused(ongoing, add) { $0.producerEpoch = 4 }
        try refused(ongoing, add) { $0.producerId = 8 }
        try refused(ongoing, add) { $0.topicPartitions = [Self.t1] }
        try refused(ongoing, add) { $0.txnTimeoutMs = 5 }
        try refused(ongoing, add) { $0.txnStartTimestamp = 49 }

        let end: (inout TransactionMetadata) throws -> TxnTransitMetadata = { try $0.prepareAbortOrCommit(.prepareCommit, updateTimestamp: 200) }
        try refused(ongoing, end) { $0.producerEpoch = 4 }
        try refused(ongoing, end) { $0.topicPartitions = [Self.t0, Self.t1] }
        try refused(ongoing, end) { $0.txnTimeoutMs = 5 }
        try refused(ongoing, end) { $0.txnStartTimestamp = 51 }

        let preparing = Self.metadata(.prepareCommit, partitions: [Self.t0], start: 50)
        let complete: (inout TransactionMetadata) throws -> TxnTransitMetadata = { try $0.prepareComplete(updateTimestamp: 200) }
        try refused(preparing, complete) { $0.producerEpoch = 4 }
        try refused(preparing, complete) { $0.txnTimeoutMs = 5 }
        try refused(preparing, complete) { $0.txnStartTimestamp = -1 }
    }

    @Test func anEpochBumpMayAlsoComeWithANewProducerId() throws {
        var metadata = Self.metadata(.empty, epoch: 5)
        _ = try metadata.prepareIncrementProducerEpoch(newTxnTimeoutMs: 1, updateTimestamp: 2)
        let rotated = TxnTransitMetadata(producerId: 99, producerEpoch: 0, txnTimeoutMs: 1, txnState: .empty,
                                         topicPartitions: [], txnStartTimestamp: -1, txnLastUpdateTimestamp: 2)
        try metadata.completeTransition(to: rotated)
        #expect(metadata.producerId == 99 && metadata.producerEpoch == 0)
    }
}
