/// When a request may be handed to the C client, and what to do with a lost connection: the
/// decisions behind Kafka's `ZooKeeperClient` (requests wait while the session is re-connecting)
/// and `KafkaZkClient.retryRequestsUntilConnected` (a request that failed with CONNECTIONLOSS is
/// sent again once connected; only the end of the session fails it), as values.
///
/// A request is bound to one session: the client's current session when it is issued (connected
/// or re-connecting), or, when it is issued while an expired session is being replaced, the
/// session that replaces it. It never crosses into another
/// session: if its own is expired or replaced while it waits, it fails with `.sessionExpired`, as
/// Kafka's `waitUntilConnected` fails with its session-expired exception. (Requests that create
/// ephemeral nodes or that a caller reasons about per session rely on this.)
///
/// A request sent again after a lost connection may already have been applied by the ensemble
/// (the connection went before the answer came). The retry then gets the answer of a second
/// attempt, which the callers interpret as Kafka's do:
/// - a create gets NODEEXISTS: a caller that created its own ephemeral node checks the node's
///   owner against its session (`KafkaZkClient.registerBroker`, like Kafka's
///   `checkedEphemeralCreate`); the controller's election checks that `/controller` and
///   `/controller_epoch` name it with the epoch it wrote (Kafka's `checkControllerAndEpoch`);
/// - a delete gets NONODE, which every caller takes as done;
/// - a conditional setData gets BADVERSION: the controller's partition-state writes treat it as
///   any conflict (re-read the state and decide again, as Kafka's `updateLeaderAndIsr` with its
///   partitions to retry does; Kafka, too, may then write a partition twice), and a leader's ISR
///   update compares the state it finds with the one it wrote (Kafka's
///   `checkLeaderAndIsrZkData`, see `KafkaZkClient.conditionalUpdatePartitionState`);
/// - a sequential create may make a second sequential node (an ISR change notification twice,
///   which the controller handles like any other).
public enum RequestAdmission: Sendable, Equatable {
    /// Hand the request to the C client on this handle.
    case submit(handleId: UInt64)
    /// Not connected, but the session may still come back: wait for a session event.
    case wait
    /// The request cannot be sent in its session.
    case fail(ZooKeeperError.Code)

    /// What the client's state allows a request bound to `session` (nil: not bound yet).
    ///
    /// - Parameters:
    ///   - session: the handle id of the request's session, or nil before its first submission.
    ///   - handleId: the client's current handle id.
    ///   - sessionState: the current handle's state.
    ///   - hasHandle: whether the current handle is open (it is taken out while being replaced).
    ///   - isClosed: whether the client is closed.
    ///   - waits: false once the owner stops waiting for the ensemble (a broker shutting down):
    ///     a request that would wait fails at once with `.connectionLoss`.
    public static func decide(
        session: UInt64?, handleId: UInt64, sessionState: SessionState, hasHandle: Bool, isClosed: Bool,
        waits: Bool = true
    ) -> RequestAdmission {
        if isClosed || sessionState == .closed { return .fail(.closing) }
        if let session, session != handleId { return .fail(.sessionExpired) }
        switch sessionState {
        case .expired: return .fail(.sessionExpired)
        case .authFailed: return .fail(.authFailed)
        case .connected, .connectedReadOnly:
            if hasHandle { return .submit(handleId: handleId) }
        case .connecting, .associating, .closed: break
        }
        return waits ? .wait : .fail(.connectionLoss)
    }

    /// Whether a request that completed with `code` is sent again (in its own session, once it is
    /// connected): only a lost connection, as in Kafka. Everything else is the answer.
    public static func isRetried(_ code: ZooKeeperError.Code) -> Bool {
        code == .connectionLoss
    }
}
