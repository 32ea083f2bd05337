@testable import GroupCoordinator
import KafkaProtocol
import Testing

@Suite struct OffsetCommitValidationTests {
    @Test func aMemberCommitsAtItsGenerationAndTheCommitCountsAsAHeartbeat() {
        var (h, ids) = GroupHarness.stable(["a", "b"])
        h.advance(by: 4000)
        let (error, actions) = h.group!.validateOffsetCommit(memberId: ids[1], groupInstanceId: nil, generationId: 1, now: h.now)
        #expect(error == .none)
        #expect(actions == [.scheduleHeartbeat(DelayedHeartbeat(memberId: ids[1], isPending: false, deadline: h.now + 10_000, timeoutMs: 10_000))])
        #expect(h.group!.member(ids[1])!.latestHeartbeat == h.now)
    }

    @Test func strangersStaleGenerationsAndFencedInstancesAreRefused() {
        var (h, ids) = GroupHarness.stable(["a"])
        #expect(h.group!.validateOffsetCommit(memberId: "ghost", groupInstanceId: nil, generationId: 1, now: h.now).error == .unknownMemberId)
        #expect(h.group!.validateOffsetCommit(memberId: ids[0], groupInstanceId: nil, generationId: 2, now: h.now).error == .illegalGeneration)
        #expect(h.group!.validateOffsetCommit(memberId: "", groupInstanceId: nil, generationId: -1, now: h.now).error == .unknownMemberId,
                "a group with members refuses commits from outside the group")
        #expect(h.group!.validateOffsetCommit(memberId: ids[0], groupInstanceId: nil, generationId: -1, now: h.now).error == .illegalGeneration)

        var s = GroupHarness()
        let t = s.join(instance: "i1", client: "c", version: 5)
        s.advance(by: 3000)
        let id = s.joinAnswer(t)!.memberId
        #expect(s.group!.validateOffsetCommit(memberId: "old", groupInstanceId: "i1", generationId: 1, now: s.now).error == .fencedInstanceId)
        #expect(s.group!.validateOffsetCommit(memberId: id, groupInstanceId: "i1", generationId: 1, now: s.now).error == .rebalanceInProgress,
                "CompletingRebalance: the member is about to get a new assignment")
    }

    @Test func anEmptyGroupTakesCommitsWithoutAGeneration() throws {
        var group = GroupMetadata(groupId: "g", state: .empty, now: 0)
        #expect(group.validateOffsetCommit(memberId: "", groupInstanceId: nil, generationId: -1, now: 0) == (.none, []))
        #expect(group.validateOffsetCommit(memberId: "", groupInstanceId: nil, generationId: 0, now: 0).error == .unknownMemberId)
        try group.transition(to: .dead, now: 1)
        #expect(group.validateOffsetCommit(memberId: "", groupInstanceId: nil, generationId: -1, now: 1).error == .unknownMemberId)
    }
}
