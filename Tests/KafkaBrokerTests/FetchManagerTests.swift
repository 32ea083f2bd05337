import KafkaCommon
import KafkaProtocol
import Testing

@testable import KafkaBroker

/// `FetchManager`: how a Fetch request's session fields decide what it reads and what its
/// response carries (KIP-227), without logs: the tests supply each partition's outcome.
@Suite struct FetchManagerTests {
    let time = ManualTime()
    let manager: FetchManager
    let a0 = TopicPartition("a", 0)
    let a1 = TopicPartition("a", 1)
    let b0 = TopicPartition("b", 0)

    init() {
        let ids = SequentialSessionIds()
        manager = FetchManager(cache: FetchSessionCache(maxEntries: 10, evictionMs: 120_000, sessionIds: { ids() }), time: time)
    }

    func entry(_ tp: TopicPartition, offset: Int64 = 0, maxBytes: Int32 = 1024) -> FetchContext.Entry {
        FetchContext.Entry(tp, .init(partition: tp.partition, fetchOffset: offset, partitionMaxBytes: maxBytes))
    }

    func outcome(hw: Int64 = 10, logStart: Int64 = 0, records: Int = 0, error: ErrorCode = .none) -> FetchPartitionOutcome {
        FetchPartitionOutcome(errorCode: error, highWatermark: hw, logStartOffset: logStart, recordsSize: records)
    }

    /// A full fetch with epoch 0 of `partitions`, answered with `hw` for each; returns the session id.
    func openSession(_ partitions: [TopicPartition], hw: Int64 = 10) -> Int32 {
        let context = manager.newContext(metadata: FetchMetadata(sessionId: 0, epoch: 0), fetchData: partitions.map { entry($0) },
                                         toForget: [], isFromFollower: false)
        return manager.completeResponse(context, outcomes: partitions.map { ($0, outcome(hw: hw)) }).sessionId
    }

    func incremental(_ id: Int32, epoch: Int32, _ fetchData: [FetchContext.Entry] = [], forget: [TopicPartition] = []) -> FetchContext {
        manager.newContext(metadata: FetchMetadata(sessionId: id, epoch: epoch), fetchData: fetchData, toForget: forget, isFromFollower: false)
    }

    @Test func aSessionlessFetchReadsAndAnswersWhatItNames() {
        let context = manager.newContext(metadata: .sessionless, fetchData: [entry(a0), entry(b0)], toForget: [], isFromFollower: false)
        #expect(context.partitions.map(\.topicPartition) == [a0, b0])
        let response = manager.completeResponse(context, outcomes: [(a0, outcome()), (b0, outcome())])
        #expect(response == FetchSessionResponse(errorCode: .none, sessionId: 0, selected: nil))
        #expect(manager.snapshot.count == 0)
    }

    @Test func requestsBeforeVersion7AreSessionlessWhateverTheirFields() {
        let request = Fetch.Request(maxWaitMs: 0, minBytes: 0, sessionId: 0, sessionEpoch: 0,
                                    topics: [.init(topic: "a", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1)])])
        guard case .sessionless = manager.newContext(request, version: 6, isFromFollower: false) else {
            Issue.record("expected a sessionless context")
            return
        }
        guard case .full = manager.newContext(request, version: 7, isFromFollower: false) else {
            Issue.record("expected a full context")
            return
        }
    }

    @Test func aFullFetchWithEpochZeroOpensASession() {
        let id = openSession([a0, a1])
        #expect(id == 1)
        #expect(manager.snapshot[id]?.epoch == 1)
        #expect(manager.snapshot[id]?.orderedPartitions.map(\.highWatermark) == [10, 10])
    }

    @Test func anUnchangedIncrementalFetchReadsTheSessionAndAnswersNothing() {
        let id = openSession([a0, b0])
        let context = incremental(id, epoch: 1)
        #expect(context.partitions.map(\.topicPartition) == [a0, b0], "reads every partition of the session")
        let response = manager.completeResponse(context, outcomes: [(a0, outcome()), (b0, outcome())])
        #expect(response == FetchSessionResponse(errorCode: .none, sessionId: id, selected: []))
        #expect(manager.snapshot[id]?.epoch == 2)
    }

    @Test func anIncrementalResponseCarriesRecordsMovedOffsetsAndErrors() {
        let id = openSession([a0, a1, b0])
        let context = incremental(id, epoch: 1)
        let response = manager.completeResponse(context, outcomes: [
            (a0, outcome(hw: 10, records: 100)), (a1, outcome(hw: 10, logStart: 3)), (b0, outcome(hw: 11)),
        ])
        #expect(response.selected == [a0, a1, b0])
        let next = manager.completeResponse(incremental(id, epoch: 2), outcomes: [
            (b0, outcome(hw: 11)), (a0, outcome(hw: 10)), (a1, outcome(hw: -1, error: .notLeaderForPartition)),
        ])
        #expect(next.selected == [a1], "only the error is news")
        let recovered = manager.completeResponse(incremental(id, epoch: 3), outcomes: [
            (b0, outcome(hw: 11)), (a0, outcome(hw: 10)), (a1, outcome(hw: 10, logStart: 3)),
        ])
        #expect(recovered.selected == [a1], "sent again once the error has cleared, though its offsets are as before")
    }

    @Test func partitionsAnIncrementalResponseCarriesAreReadLastNextTime() {
        let id = openSession([a0, a1, b0])
        _ = manager.completeResponse(incremental(id, epoch: 1), outcomes: [(a0, outcome(hw: 12)), (a1, outcome()), (b0, outcome())])
        #expect(incremental(id, epoch: 2).partitions.map(\.topicPartition) == [a1, b0, a0])
    }

    @Test func anIncrementalFetchUpdatesAddsAndForgetsPartitions() {
        let id = openSession([a0, a1])
        let context = incremental(id, epoch: 1, [entry(a0, offset: 42, maxBytes: 7), entry(b0, offset: 5)], forget: [a1])
        let read = context.partitions.map { ($0.topicPartition, $0.request.fetchOffset, $0.request.partitionMaxBytes) }
        #expect(read.map(\.0) == [a0, b0])
        #expect(read.map(\.1) == [42, 5])
        #expect(read.map(\.2) == [7, 1024])
        let response = manager.completeResponse(context, outcomes: [(a0, outcome()), (b0, outcome())])
        #expect(response.selected == [b0], "a new partition has not been answered yet")
    }

    @Test func forgettingEveryPartitionEndsTheSession() {
        let id = openSession([a0])
        let context = incremental(id, epoch: 1, forget: [a0])
        guard case .sessionless(let partitions) = context else {
            Issue.record("expected a sessionless context, got \(context)")
            return
        }
        #expect(partitions.isEmpty)
        #expect(manager.snapshot[id] == nil)
    }

    @Test func anUnknownSessionIsFetchSessionIdNotFound() {
        // kafka-python's 025_Fetch_v11: a session from another broker's life, no partitions.
        let context = incremental(1_553_074_413, epoch: 2)
        #expect(context.partitions.isEmpty)
        #expect(manager.completeResponse(context, outcomes: []) == FetchSessionResponse(errorCode: .fetchSessionIdNotFound))
    }

    @Test func aWrongEpochIsInvalidFetchSessionEpochAndLeavesTheSessionAlone() {
        let id = openSession([a0])
        let context = incremental(id, epoch: 5)
        #expect(manager.completeResponse(context, outcomes: []) == FetchSessionResponse(errorCode: .invalidFetchSessionEpoch))
        #expect(manager.snapshot[id]?.epoch == 1)
        let retried = incremental(id, epoch: 1)
        #expect(manager.completeResponse(retried, outcomes: [(a0, outcome())]).errorCode == .none)
    }

    @Test func aResponseOvertakenByTheSessionsNextRequestIsInvalidFetchSessionEpoch() {
        let id = openSession([a0])
        let first = incremental(id, epoch: 1)
        let second = incremental(id, epoch: 2)
        #expect(manager.completeResponse(second, outcomes: [(a0, outcome())]).errorCode == .none)
        #expect(manager.completeResponse(first, outcomes: [(a0, outcome())]) == FetchSessionResponse(errorCode: .invalidFetchSessionEpoch))
    }

    @Test func aFullFetchNamingASessionClosesIt() {
        let id = openSession([a0])
        let closing = manager.newContext(metadata: FetchMetadata(sessionId: id, epoch: FetchMetadata.finalEpoch),
                                         fetchData: [entry(a0)], toForget: [], isFromFollower: false)
        #expect(closing.partitions.map(\.topicPartition) == [a0])
        #expect(manager.completeResponse(closing, outcomes: [(a0, outcome())]).sessionId == 0)
        #expect(manager.snapshot[id] == nil)
        #expect(manager.completeResponse(incremental(id, epoch: 1), outcomes: []).errorCode == .fetchSessionIdNotFound)

        let reopened = openSession([a0])
        let replaced = manager.newContext(metadata: FetchMetadata(sessionId: reopened, epoch: FetchMetadata.initialEpoch),
                                          fetchData: [entry(a0)], toForget: [], isFromFollower: false)
        let newId = manager.completeResponse(replaced, outcomes: [(a0, outcome())]).sessionId
        #expect(newId != 0 && newId != reopened)
        #expect(manager.snapshot[reopened] == nil)
        #expect(manager.snapshot.count == 1)
    }

    @Test func usingASessionKeepsItFromBeingIdle() {
        let ids = SequentialSessionIds()
        let manager = FetchManager(cache: FetchSessionCache(maxEntries: 1, evictionMs: 1_000, sessionIds: { ids() }), time: time)
        let open = manager.newContext(metadata: FetchMetadata(sessionId: 0, epoch: 0), fetchData: [entry(a0)], toForget: [], isFromFollower: false)
        let id = manager.completeResponse(open, outcomes: [(a0, outcome())]).sessionId
        time.sleep(900)
        _ = manager.newContext(metadata: FetchMetadata(sessionId: id, epoch: 1), fetchData: [], toForget: [], isFromFollower: false)
        time.sleep(900)
        let other = manager.newContext(metadata: FetchMetadata(sessionId: 0, epoch: 0), fetchData: [entry(b0)], toForget: [], isFromFollower: false)
        #expect(manager.completeResponse(other, outcomes: [(b0, outcome())]).sessionId == 0, "the first session was used 900 ms ago")
        time.sleep(200)
        let again = manager.newContext(metadata: FetchMetadata(sessionId: 0, epoch: 0), fetchData: [entry(b0)], toForget: [], isFromFollower: false)
        #expect(manager.completeResponse(again, outcomes: [(b0, outcome())]).sessionId != 0, "idle for 1100 ms: evicted")
        #expect(manager.snapshot[id] == nil)
    }
}
