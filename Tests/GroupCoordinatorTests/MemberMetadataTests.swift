@testable import GroupCoordinator
import NIOCore
import Testing

@Suite struct MemberMetadataTests {
    func member(session: Int32 = 10_000, now: Int64 = 0) -> MemberMetadata {
        MemberMetadata(
            memberId: "m", groupInstanceId: nil, clientId: "c", clientHost: "h", rebalanceTimeoutMs: 30_000,
            sessionTimeoutMs: session, protocolType: "consumer", supportedProtocols: protocols("range", "roundrobin"), now: now)
    }

    @Test func matchesComparesNamesOrderAndBytes() {
        let m = member()
        #expect(m.matches(protocols("range", "roundrobin")))
        #expect(!m.matches(protocols("roundrobin", "range")))
        #expect(!m.matches(protocols("range")))
        #expect(!m.matches([GroupProtocol(name: "range", metadata: bytes("other")), GroupProtocol(name: "roundrobin", metadata: bytes("m-roundrobin"))]))
    }

    @Test func voteIsTheFirstCandidateInPreferenceOrder() {
        #expect(member().vote(candidates: ["roundrobin", "range"]) == "range")
        #expect(member().vote(candidates: ["roundrobin"]) == "roundrobin")
        #expect(member().vote(candidates: ["sticky"]) == nil)
    }

    @Test func keptAliveBySessionTimeout() {
        let m = member(session: 10_000, now: 100)
        #expect(m.shouldKeepAlive(deadline: 10_099))
        #expect(!m.shouldKeepAlive(deadline: 10_100))
    }

    @Test func keptAliveWhileWaitingInARebalanceOrASync() {
        var m = member(session: 10_000, now: 0)
        m.awaitingSync = GroupRequestToken(1)
        #expect(m.shouldKeepAlive(deadline: 1_000_000))
        m.awaitingSync = nil
        m.awaitingJoin = GroupRequestToken(2)
        #expect(m.shouldKeepAlive(deadline: 1_000_000), "a known member waiting in a rebalance is never dropped by its session")
        m.isNew = true
        #expect(m.shouldKeepAlive(deadline: MemberMetadata.newMemberJoinTimeoutMs - 1))
        #expect(!m.shouldKeepAlive(deadline: MemberMetadata.newMemberJoinTimeoutMs), "a new member waits at most five minutes")
    }
}
