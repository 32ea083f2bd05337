import KafkaCommon
import KafkaProtocol
import Testing

@testable import KafkaBroker

/// The two halves of KIP-227 together: a follower's `FetchSessionHandler` (what its fetcher
/// sends) against a leader's `FetchManager` (what the Fetch handler reads and answers), with no
/// logs in between. At 1,000 partitions, once the session exists, a follower's request carries
/// only the partitions whose fetch state changed, while the leader still reads every partition
/// of the session and answers only those with something new.
@Suite struct FollowerFetchSessionTests {
    let time = ManualTime()
    let leader: FetchManager
    let partitions = (0..<1_000).map { TopicPartition("many", Int32($0)) }

    init() {
        let ids = SequentialSessionIds()
        leader = FetchManager(cache: FetchSessionCache(maxEntries: 10, evictionMs: 120_000, sessionIds: { ids() }), time: time)
    }

    /// The follower's fetch state: every partition at `offset`, except those in `advanced`.
    func state(offset: Int64 = 0, advanced: [Int: Int64] = [:], dropping dropped: Set<Int> = []) -> [FetchSessionHandler.Entry] {
        partitions.enumerated().compactMap { index, tp in
            guard !dropped.contains(index) else { return nil }
            let data = FetchSessionHandler.PartitionData(fetchOffset: advanced[index] ?? offset, logStartOffset: 0,
                                                         maxBytes: 1 << 20, currentLeaderEpoch: 0)
            return FetchSessionHandler.Entry(topicPartition: tp, data: data)
        }
    }

    /// Sends `request` to the leader, whose logs end at `highWatermark` for every partition except
    /// those in `moved`; returns the leader's context and answer.
    func send(_ request: FetchSessionHandler.RequestData, highWatermark: Int64 = 0, moved: [Int: Int64] = [:])
        -> (context: FetchContext, response: FetchSessionResponse)
    {
        let fetchData = request.toSend.map {
            FetchContext.Entry($0.topicPartition, .init(partition: $0.topicPartition.partition, currentLeaderEpoch: $0.data.currentLeaderEpoch,
                                                        fetchOffset: $0.data.fetchOffset, logStartOffset: $0.data.logStartOffset,
                                                        partitionMaxBytes: $0.data.maxBytes))
        }
        let context = leader.newContext(metadata: FetchMetadata(sessionId: request.sessionId, epoch: request.sessionEpoch),
                                        fetchData: fetchData, toForget: request.toForget, isFromFollower: true)
        let outcomes = context.partitions.map { entry in
            let hw = moved[Int(entry.topicPartition.partition)] ?? highWatermark
            return (entry.topicPartition, FetchPartitionOutcome(errorCode: .none, highWatermark: hw, logStartOffset: 0, recordsSize: 0))
        }
        return (context, leader.completeResponse(context, outcomes: outcomes))
    }

    @Test func onceTheSessionExistsAFollowerSendsOnlyWhatChanged() {
        var follower = FetchSessionHandler()

        // A full fetch of all 1,000 opens a session on the leader.
        let full = follower.build(state())
        #expect(full.isFull && full.toSend.count == 1_000)
        let opened = send(full)
        #expect(opened.response.sessionId != 0)
        let sessionOpened = follower.handleResponse(errorCode: opened.response.errorCode, sessionId: opened.response.sessionId)
        #expect(sessionOpened)

        // Nothing changed: the request names no partition, the leader reads all 1,000 and answers none.
        let idle = follower.build(state())
        #expect(!idle.isFull && idle.toSend.isEmpty && idle.toForget.isEmpty)
        let quiet = send(idle)
        #expect(quiet.context.partitions.count == 1_000)
        #expect(quiet.response.errorCode == .none && quiet.response.selected == [])
        let quietAnswered = follower.handleResponse(errorCode: quiet.response.errorCode, sessionId: quiet.response.sessionId)
        #expect(quietAnswered)

        // Partition 7's leader moved its high watermark: only it is answered. The follower then
        // fetched it, so its next request names partition 7 alone.
        let moved = send(follower.build(state()), moved: [7: 5])
        #expect(moved.response.selected == [partitions[7]])
        let movedAnswered = follower.handleResponse(errorCode: moved.response.errorCode, sessionId: moved.response.sessionId)
        #expect(movedAnswered)
        let advanced = follower.build(state(advanced: [7: 5]))
        #expect(advanced.toSend.map(\.topicPartition) == [partitions[7]])
        #expect(send(advanced, moved: [7: 5]).context.partitions.count == 1_000)
        let advancedAnswered = follower.handleResponse(errorCode: .none, sessionId: opened.response.sessionId)
        #expect(advancedAnswered)

        // A partition the follower stops following is forgotten, and leaves the leader's session.
        let forgetting = follower.build(state(advanced: [7: 5], dropping: [3]))
        #expect(forgetting.toSend.isEmpty && forgetting.toForget == [partitions[3]])
        let smaller = send(forgetting, moved: [7: 5])
        #expect(smaller.context.partitions.count == 999)
        #expect(!smaller.context.partitions.contains { $0.topicPartition == partitions[3] })
    }

    @Test func aFollowerWhoseSessionTheLeaderLostStartsOverWithAFullFetch() {
        var follower = FetchSessionHandler()
        let opened = send(follower.build(state()))
        let sessionOpened = follower.handleResponse(errorCode: opened.response.errorCode, sessionId: opened.response.sessionId)
        #expect(sessionOpened)

        // The leader restarted: its cache is empty, so the session id is unknown there.
        let restarted = FetchManager(time: time)
        let request = follower.build(state())
        let context = restarted.newContext(metadata: FetchMetadata(sessionId: request.sessionId, epoch: request.sessionEpoch),
                                           fetchData: [], toForget: [], isFromFollower: true)
        let response = restarted.completeResponse(context, outcomes: [])
        #expect(response.errorCode == .fetchSessionIdNotFound)
        let errorAccepted = follower.handleResponse(errorCode: response.errorCode, sessionId: response.sessionId)
        #expect(!errorAccepted)

        let again = follower.build(state())
        #expect(again.isFull && again.toSend.count == 1_000, "a full fetch of every partition, which opens a new session")
    }
}
