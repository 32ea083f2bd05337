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

    /// What the client's current state allows a request bound to `session`.
    func admission(session: UInt64?) -> RequestAdmission {
        state.withLock { state in
            RequestAdmission.decide(
                session: session, handleId: state.handleId, sessionState: state.sessionState,
                hasHandle: state.handle != nil, isClosed: state.isClosed)
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
