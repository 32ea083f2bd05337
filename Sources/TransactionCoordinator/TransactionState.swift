/// The state of a transactional id's transaction (Kafka 2.3's `TransactionState`), with the byte
/// `__transaction_state` stores for it.
///
/// The state machine, as data: each state lists the states it may be entered from
/// (``validPreviousStates``); ``TransactionMetadata`` refuses every other transition.
///
///     Empty             ← Empty, CompleteCommit, CompleteAbort         (InitProducerId)
///     Ongoing           ← Ongoing, Empty, CompleteCommit, CompleteAbort (AddPartitionsToTxn, AddOffsetsToTxn)
///     PrepareCommit     ← Ongoing                                       (EndTxn commit)
///     PrepareAbort      ← Ongoing, PrepareEpochFence                    (EndTxn abort, timeout, fencing)
///     CompleteCommit    ← PrepareCommit                                 (all markers written)
///     CompleteAbort     ← PrepareAbort                                  (all markers written)
///     Dead              ← Empty, CompleteCommit, CompleteAbort          (transactional id expired)
///     PrepareEpochFence ← Ongoing                                       (a newer producer fences an open transaction)
///
/// PrepareEpochFence and Dead are only ever pending: no transition out of PrepareEpochFence is
/// completed (the abort it leads to replaces it), and a Dead transactional id is removed rather
/// than stored.
public enum TransactionState: Int8, Sendable, CaseIterable, CustomStringConvertible {
    case empty = 0
    case ongoing = 1
    case prepareCommit = 2
    case prepareAbort = 3
    case completeCommit = 4
    case completeAbort = 5
    case dead = 6
    case prepareEpochFence = 7

    /// The byte stored in `__transaction_state` (`transaction_status`).
    public var byte: Int8 { rawValue }

    /// The state of a stored byte; nil for a byte Kafka 2.3 does not know (its reader fails then).
    public init?(byte: Int8) { self.init(rawValue: byte) }

    /// The states this state may be entered from.
    public var validPreviousStates: Set<TransactionState> {
        switch self {
        case .empty: [.empty, .completeCommit, .completeAbort]
        case .ongoing: [.ongoing, .empty, .completeCommit, .completeAbort]
        case .prepareCommit: [.ongoing]
        case .prepareAbort: [.ongoing, .prepareEpochFence]
        case .completeCommit: [.prepareCommit]
        case .completeAbort: [.prepareAbort]
        case .dead: [.empty, .completeAbort, .completeCommit]
        case .prepareEpochFence: [.ongoing]
        }
    }

    /// Whether a transaction in `oldState` may move to `newState`.
    public static func isValidTransition(from oldState: TransactionState, to newState: TransactionState) -> Bool {
        newState.validPreviousStates.contains(oldState)
    }

    /// Whether a transaction is open: partitions were added and its markers are not all written.
    public var hasPendingTransaction: Bool {
        switch self {
        case .ongoing, .prepareAbort, .prepareCommit: true
        default: false
        }
    }

    /// Kafka's name of the state, as its logs and `DumpLogSegments` print it.
    public var description: String {
        switch self {
        case .empty: "Empty"
        case .ongoing: "Ongoing"
        case .prepareCommit: "PrepareCommit"
        case .prepareAbort: "PrepareAbort"
        case .completeCommit: "CompleteCommit"
        case .completeAbort: "CompleteAbort"
        case .dead: "Dead"
        case .prepareEpochFence: "PrepareEpochFence"
        }
    }
}
