import CZooKeeper
import Logging

/// Requests wait out a lost connection, as Kafka's ZooKeeper clients make them (see
/// `RequestAdmission` for the rules and what a retried request may answer).
extension ZooKeeperClient {
    /// The outcome of one attempt to hand a request to the C client.
    enum Attempt: Sendable {
        /// The client's state did not let the request go (wait, or fail).
        case notSubmitted(RequestAdmission)
        /// The C client finished the request, submitted on this handle.
        case completed(handleId: UInt64, Completion)
    }

    /// The session a request issued now belongs to: the current handle's, even while it is
    /// re-connecting, so that a request waiting through a lost connection fails with
    /// `.sessionExpired` if that session ends instead of going out in the next one. Nil only
    /// while an expired handle is being replaced: a request issued then belongs to the next one.
    ///
    /// Binding only at the first submission let a request issued while disconnected slip into the
    /// new session: the expiry's event woke it after the handle had already been replaced, so
    /// it saw a fresh, re-connecting handle and waited for it.
    func sessionOfNewRequest() -> UInt64? {
        state.withLock { state in state.handle == nil ? nil : state.handleId }
    }

    /// What the client's current state allows a request bound to `session`.
    func admission(session: UInt64?) -> RequestAdmission {
        state.withLock { state in Self.admission(session: session, state) }
    }

    /// The same, under the state's lock (`call` submits under the same lock, so the decision and
    /// the submission see the same handle).
    static func admission(session: UInt64?, _ state: State) -> RequestAdmission {
        RequestAdmission.decide(
            session: session, handleId: state.handleId, sessionState: effectiveSessionState(state),
            hasHandle: state.handle != nil, isClosed: state.isClosed, waits: state.waitsForConnection)
    }

    /// From now on requests fail with `.connectionLoss` instead of waiting for a lost connection,
    /// and those waiting fail at once: for an owner that is shutting down and must not hang on an
    /// ensemble that is gone (the old behaviour of this client, and better than Kafka's, which
    /// may wait forever at shutdown).
    public func stopWaitingForConnection() {
        state.withLock { state in
            state.waitsForConnection = false
            // Wakes the waiters: each looks at the state again on any event.
            state.broadcast(.session(state.sessionState, sessionId: state.sessionId))
        }
    }

    /// The session's state, counting an expiry the C client has seen but not yet reported. The C
    /// client marks its handle expired on its I/O thread and tells the watcher later, on its
    /// completion thread; in between, a request must not reach the handle: `zoo_amulti` (unlike
    /// the single-operation calls) does not refuse a handle in that state, and a multi left
    /// queued on it is then cleaned up by `zookeeper_close` in a way that corrupted the heap (a
    /// resumed controller's fenced `/controller` deletion crashed the broker with a double free).
    static func effectiveSessionState(_ state: State) -> SessionState {
        guard let handle = state.handle else { return state.sessionState }
        switch zoo_state(handle.raw) {
        case ZOO_EXPIRED_SESSION_STATE: return .expired
        case ZOO_AUTH_FAILED_STATE: return .authFailed
        default: return state.sessionState
        }
    }

    /// Returns once a request bound to `session` may be submitted; throws the `RequestAdmission`
    /// failure (`.sessionExpired` when its session ended or was replaced, `.closing` when the
    /// client closed) or `CancellationError` when the waiting task is cancelled. No timeout:
    /// while the session lives, the ensemble may come back (Kafka waits the same way).
    func waitForAdmission(session: UInt64?, path: String?) async throws {
        // Subscribe before looking at the state, so that no session event falls in between.
        let stream = events()
        var announced = false
        var iterator = stream.makeAsyncIterator()
        while true {
            switch admission(session: session) {
            case .submit:
                if announced { logger.debug("Connected.", metadata: ["path": "\(path ?? "multi")"]) }
                return
            case .fail(let code):
                throw ZooKeeperError(code, path: path)
            case .wait:
                if !announced {
                    logger.debug("Waiting until connected.", metadata: ["path": "\(path ?? "multi")"])
                    announced = true
                }
            }
            // Any event may change the state; a finished stream means the client closed (the
            // next look says so) or the task was cancelled.
            if await iterator.next() == nil {
                if case .wait = admission(session: session) {
                    try Task.checkCancellation()
                    throw ZooKeeperError(.closing, path: path)
                }
            }
        }
    }
}
