import Testing
@testable import ZooKeeper

/// The rules by which a request waits out a lost connection, on injected client states.
@Suite("Requests wait for the connection, within their session")
struct RequestAdmissionTests {
    private func decide(
        session: UInt64? = nil, handleId: UInt64 = 7, _ state: SessionState, hasHandle: Bool = true, isClosed: Bool = false
    ) -> RequestAdmission {
        RequestAdmission.decide(session: session, handleId: handleId, sessionState: state, hasHandle: hasHandle, isClosed: isClosed)
    }

    @Test func aConnectedSessionTakesTheRequestAtOnce() {
        #expect(decide(.connected) == .submit(handleId: 7))
        #expect(decide(.connectedReadOnly) == .submit(handleId: 7))
        #expect(decide(session: 7, .connected) == .submit(handleId: 7))
    }

    @Test func aSessionThatIsReconnectingMakesTheRequestWait() {
        #expect(decide(.connecting) == .wait)
        #expect(decide(.associating) == .wait)
        #expect(decide(session: 7, .connecting) == .wait)
        // Connected, but the handle is being replaced: wait for the state to settle.
        #expect(decide(.connected, hasHandle: false) == .wait)
    }

    @Test func aNewRequestWaitsForTheFirstOrTheNextSessionToConnect() {
        // Before the first connection, and after an expiry once the new handle is open.
        #expect(decide(handleId: 8, .connecting) == .wait)
        #expect(decide(handleId: 8, .connected) == .submit(handleId: 8))
    }

    @Test func theEndOfItsSessionFailsTheRequest() {
        #expect(decide(.expired) == .fail(.sessionExpired))
        #expect(decide(session: 7, .expired) == .fail(.sessionExpired))
        // Its session was replaced by a new one: the request does not cross into it.
        #expect(decide(session: 7, handleId: 8, .connecting) == .fail(.sessionExpired))
        #expect(decide(session: 7, handleId: 8, .connected) == .fail(.sessionExpired))
        #expect(decide(.authFailed) == .fail(.authFailed))
    }

    @Test func aClosedClientFailsTheRequestWithClosing() {
        #expect(decide(.connected, isClosed: true) == .fail(.closing))
        #expect(decide(.connecting, isClosed: true) == .fail(.closing))
        #expect(decide(.closed) == .fail(.closing))
        #expect(decide(session: 7, handleId: 8, .expired, isClosed: true) == .fail(.closing))
    }

    @Test func anOwnerThatStoppedWaitingGetsConnectionLossAtOnce() {
        func decide(_ state: SessionState, hasHandle: Bool = true) -> RequestAdmission {
            RequestAdmission.decide(session: 7, handleId: 7, sessionState: state, hasHandle: hasHandle, isClosed: false,
                                    waits: false)
        }
        #expect(decide(.connecting) == .fail(.connectionLoss))
        #expect(decide(.connected, hasHandle: false) == .fail(.connectionLoss))
        #expect(decide(.connected) == .submit(handleId: 7))
        #expect(decide(.expired) == .fail(.sessionExpired))
    }

    @Test func onlyALostConnectionIsRetried() {
        #expect(RequestAdmission.isRetried(.connectionLoss))
        for code: ZooKeeperError.Code in [.sessionExpired, .closing, .operationTimeout, .nodeExists, .noNode, .badVersion,
                                          .invalidState, .authFailed] {
            #expect(!RequestAdmission.isRetried(code), "\(code)")
        }
    }
}
