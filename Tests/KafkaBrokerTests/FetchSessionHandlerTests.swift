import KafkaCommon
import KafkaProtocol
import Testing

@testable import KafkaBroker

/// The follower's side of fetch sessions (KIP-227): full fetches, incremental ones carrying only
/// what changed, and the fall-backs to a full fetch.
@Suite struct FetchSessionHandlerTests {
    typealias Entry = FetchSessionHandler.Entry

    func entry(_ partition: Int32, offset: Int64, topic: String = "t", logStart: Int64 = 0, epoch: LeaderEpoch = 0) -> Entry {
        Entry(topicPartition: TopicPartition(topic, partition),
              data: .init(fetchOffset: offset, logStartOffset: logStart, maxBytes: 1_048_576, currentLeaderEpoch: epoch))
    }

    /// A handler whose session 7 is open, holding partitions 0–2 at offset 0 (next epoch 1).
    func openSession() -> FetchSessionHandler {
        var handler = FetchSessionHandler()
        _ = handler.build([entry(0, offset: 0), entry(1, offset: 0), entry(2, offset: 0)])
        let accepted1 = handler.handleResponse(errorCode: .none, sessionId: 7)
        #expect(accepted1)
        return handler
    }

    @Test func theFirstFetchIsFullWithSessionZeroAndEpochZero() {
        var handler = FetchSessionHandler()
        let request = handler.build([entry(0, offset: 5), entry(1, offset: 9)])
        #expect(request.isFull)
        #expect(request.sessionId == 0)
        #expect(request.sessionEpoch == 0)
        #expect(request.toSend == [entry(0, offset: 5), entry(1, offset: 9)])
        #expect(request.toForget.isEmpty)
    }

    @Test func aLeaderWithoutSessionsGetsAFullFetchEveryTime() {
        var handler = FetchSessionHandler()
        for _ in 0..<3 {
            let request = handler.build([entry(0, offset: 5), entry(1, offset: 9)])
            #expect(request.isFull && request.sessionId == 0 && request.sessionEpoch == 0)
            #expect(request.toSend.count == 2, "unchanged partitions are sent again")
            let accepted2 = handler.handleResponse(errorCode: .none, sessionId: 0)
            #expect(accepted2)
        }
    }

    @Test func anOpenSessionSendsOnlyWhatChangedWithTheEpochIncremented() {
        var handler = openSession()
        let unchanged = handler.build([entry(0, offset: 0), entry(1, offset: 0), entry(2, offset: 0)])
        #expect(!unchanged.isFull)
        #expect(unchanged.sessionId == 7 && unchanged.sessionEpoch == 1)
        #expect(unchanged.toSend.isEmpty && unchanged.toForget.isEmpty, "nothing changed, nothing sent")
        let accepted3 = handler.handleResponse(errorCode: .none, sessionId: 7)
        #expect(accepted3)

        let moved = handler.build([entry(0, offset: 0), entry(1, offset: 4), entry(2, offset: 0, logStart: 2)])
        #expect(moved.sessionEpoch == 2)
        #expect(moved.toSend == [entry(1, offset: 4), entry(2, offset: 0, logStart: 2)])
        let accepted4 = handler.handleResponse(errorCode: .none, sessionId: 7)
        #expect(accepted4)

        let epochChange = handler.build([entry(0, offset: 0, epoch: 1), entry(1, offset: 4), entry(2, offset: 0, logStart: 2)])
        #expect(epochChange.sessionEpoch == 3)
        #expect(epochChange.toSend == [entry(0, offset: 0, epoch: 1)], "a new leader epoch is sent")
    }

    @Test func removedPartitionsAreForgottenAndAddedOnesSent() {
        var handler = openSession()
        let request = handler.build([entry(0, offset: 0), entry(3, offset: 0), entry(1, offset: 0, topic: "u")])
        #expect(request.toSend == [entry(3, offset: 0), entry(1, offset: 0, topic: "u")])
        #expect(request.toForget == [TopicPartition("t", 1), TopicPartition("t", 2)])
        #expect(handler.sessionPartitions.keys.sorted() == [TopicPartition("t", 0), TopicPartition("t", 3), TopicPartition("u", 1)])
        let accepted5 = handler.handleResponse(errorCode: .none, sessionId: 7)
        #expect(accepted5)
        // A partition forgotten and then fetched again is sent again, though its data is as before.
        let back = handler.build([entry(0, offset: 0), entry(3, offset: 0), entry(1, offset: 0, topic: "u"), entry(1, offset: 0)])
        #expect(back.toSend == [entry(1, offset: 0)])
        #expect(back.toForget.isEmpty)
    }

    @Test func sessionIdNotFoundStartsANewSessionWithAFullFetch() {
        var handler = openSession()
        _ = handler.build([entry(0, offset: 1), entry(1, offset: 0), entry(2, offset: 0)])
        let accepted6 = handler.handleResponse(errorCode: .fetchSessionIdNotFound, sessionId: 0)
        #expect(!accepted6, "the response counts for nothing")
        let request = handler.build([entry(0, offset: 1), entry(1, offset: 0), entry(2, offset: 0)])
        #expect(request.isFull && request.sessionId == 0 && request.sessionEpoch == 0)
        #expect(request.toSend.count == 3)
    }

    @Test func anInvalidEpochClosesTheSessionAndOpensANewOne() {
        var handler = openSession()
        _ = handler.build([entry(0, offset: 1), entry(1, offset: 0), entry(2, offset: 0)])
        let accepted7 = handler.handleResponse(errorCode: .invalidFetchSessionEpoch, sessionId: 0)
        #expect(!accepted7)
        let request = handler.build([entry(0, offset: 1), entry(1, offset: 0), entry(2, offset: 0)])
        #expect(request.isFull)
        #expect(request.sessionId == 7 && request.sessionEpoch == 0, "session 7 is closed by the full fetch")
        #expect(request.toSend.count == 3)
        let accepted8 = handler.handleResponse(errorCode: .none, sessionId: 8)
        #expect(accepted8)
        let next = handler.build([entry(0, offset: 1), entry(1, offset: 0), entry(2, offset: 0)])
        #expect(next.sessionId == 8 && next.sessionEpoch == 1 && next.toSend.isEmpty)
    }

    @Test func aLostConnectionMakesTheNextFetchFull() {
        var handler = openSession()
        _ = handler.build([entry(0, offset: 1), entry(1, offset: 0), entry(2, offset: 0)])
        handler.handleSendError()
        let request = handler.build([entry(0, offset: 1), entry(1, offset: 0), entry(2, offset: 0)])
        #expect(request.isFull && request.sessionId == 7 && request.toSend.count == 3)
    }

    @Test func theLeaderClosingTheSessionMakesTheNextFetchFull() {
        var handler = openSession()
        _ = handler.build([entry(0, offset: 1), entry(1, offset: 0), entry(2, offset: 0)])
        let accepted9 = handler.handleResponse(errorCode: .none, sessionId: 0)
        #expect(accepted9)
        let request = handler.build([entry(0, offset: 1), entry(1, offset: 0), entry(2, offset: 0)])
        #expect(request.isFull && request.sessionId == 0 && request.sessionEpoch == 0 && request.toSend.count == 3)
    }

    @Test func theEpochWrapsToOne() {
        var handler = openSession()
        var last: Int32 = 0
        for _ in 0..<3 {
            let request = handler.build([entry(0, offset: 0), entry(1, offset: 0), entry(2, offset: 0)])
            #expect(request.sessionEpoch == last + 1)
            last = request.sessionEpoch
            let accepted10 = handler.handleResponse(errorCode: .none, sessionId: 7)
            #expect(accepted10)
        }
        handler.nextEpoch = Int32.max
        #expect(handler.build([entry(0, offset: 0), entry(1, offset: 0), entry(2, offset: 0)]).sessionEpoch == Int32.max)
        let accepted11 = handler.handleResponse(errorCode: .none, sessionId: 7)
        #expect(accepted11)
        #expect(handler.build([entry(0, offset: 0), entry(1, offset: 0), entry(2, offset: 0)]).sessionEpoch == 1)
    }
}
