import Testing
import TransactionCoordinator

/// The state table of Kafka 2.3's `TransactionMetadata.validPreviousStates`, checked pair by pair.
@Suite struct TransactionStateTests {
    /// (from, to) pairs Kafka 2.3 allows, written out independently of the table under test.
    static let allowed: Set<[TransactionState]> = [
        [.empty, .empty], [.completeCommit, .empty], [.completeAbort, .empty],
        [.ongoing, .ongoing], [.empty, .ongoing], [.completeCommit, .ongoing], [.completeAbort, .ongoing],
        [.ongoing, .prepareCommit],
        [.ongoing, .prepareAbort], [.prepareEpochFence, .prepareAbort],
        [.prepareCommit, .completeCommit],
        [.prepareAbort, .completeAbort],
        [.empty, .dead], [.completeAbort, .dead], [.completeCommit, .dead],
        [.ongoing, .prepareEpochFence],
    ]

    @Test(arguments: TransactionState.allCases, TransactionState.allCases)
    func transitionIsAllowedExactlyWhenKafkaAllowsIt(from: TransactionState, to: TransactionState) {
        #expect(TransactionState.isValidTransition(from: from, to: to) == Self.allowed.contains([from, to]))
    }

    @Test func bytesAndNamesAreKafkas() {
        let expected: [(TransactionState, Int8, String)] = [
            (.empty, 0, "Empty"), (.ongoing, 1, "Ongoing"), (.prepareCommit, 2, "PrepareCommit"), (.prepareAbort, 3, "PrepareAbort"),
            (.completeCommit, 4, "CompleteCommit"), (.completeAbort, 5, "CompleteAbort"), (.dead, 6, "Dead"),
            (.prepareEpochFence, 7, "PrepareEpochFence"),
        ]
        for (state, byte, name) in expected {
            #expect(state.byte == byte)
            #expect(TransactionState(byte: byte) == state)
            #expect(state.description == name)
        }
        #expect(TransactionState(byte: 8) == nil)
        #expect(TransactionState(byte: -1) == nil)
    }

    @Test func onlyOngoingAndPrepareStatesHoldAPendingTransaction() {
        #expect(TransactionState.allCases.filter(\.hasPendingTransaction) == [.ongoing, .prepareCommit, .prepareAbort])
    }
}
