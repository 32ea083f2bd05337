import KafkaCommon
import KafkaProtocol
import Synchronization
import Testing

@testable import KafkaBroker

/// Session ids handed out in order, so tests know which id a new session gets.
final class SequentialSessionIds: Sendable {
    private let next = Mutex<Int32>(1)
    func callAsFunction() -> Int32 { next.withLock { id in defer { id += 1 }; return id } }
}

/// `FetchSessionCache`: slots, ids and Kafka's eviction rules, with times passed in.
@Suite struct FetchSessionCacheTests {
    static let evictionMs: Int64 = 120_000

    func makeCache(slots: Int) -> FetchSessionCache {
        let ids = SequentialSessionIds()
        return FetchSessionCache(maxEntries: slots, evictionMs: Self.evictionMs, sessionIds: { ids() })
    }

    func partitions(_ count: Int, topic: String = "t") -> [CachedPartition] {
        (0..<count).map { CachedPartition(TopicPartition(topic, Int32($0)), request: .init(partition: Int32($0), fetchOffset: 0, partitionMaxBytes: 1024)) }
    }

    @Test func aNewSessionStartsAtEpochOneAndCountsItsPartitions() {
        var cache = makeCache(slots: 2)
        let id = cache.maybeCreateSession(now: 1_000, privileged: false, partitions: partitions(3))
        #expect(id == 1)
        #expect(cache[id]?.epoch == 1)
        #expect(cache[id]?.size == 3)
        #expect(cache.numPartitions == 3)
        #expect(cache.remove(id) != nil)
        #expect(cache.numPartitions == 0)
        #expect(cache.count == 0)
    }

    @Test func zeroSlotsCreateNoSession() {
        var cache = makeCache(slots: 0)
        #expect(cache.maybeCreateSession(now: 0, privileged: true, partitions: partitions(1)) == FetchMetadata.invalidSessionId)
    }

    @Test func idsAreNeverZeroNegativeOrInUse() {
        let candidates = Mutex<[Int32]>([0, -5, 7, 7, 8])
        var cache = FetchSessionCache(maxEntries: 5, evictionMs: Self.evictionMs,
                                      sessionIds: { candidates.withLock { $0.removeFirst() } })
        #expect(cache.maybeCreateSession(now: 0, privileged: false, partitions: partitions(1)) == 7)
        #expect(cache.maybeCreateSession(now: 0, privileged: false, partitions: partitions(1)) == 8)
    }

    @Test func aFullCacheOfFreshConsumerSessionsRefusesAnotherConsumer() {
        var cache = makeCache(slots: 2)
        _ = cache.maybeCreateSession(now: 0, privileged: false, partitions: partitions(1))
        _ = cache.maybeCreateSession(now: 0, privileged: false, partitions: partitions(1))
        #expect(cache.maybeCreateSession(now: 10, privileged: false, partitions: partitions(50)) == FetchMetadata.invalidSessionId,
                "younger than the eviction time: not evictable by size")
        #expect(cache.count == 2)
        #expect(cache.evictions == 0)
    }

    @Test func aFollowerEvictsTheSmallestConsumerSession() {
        var cache = makeCache(slots: 2)
        let small = cache.maybeCreateSession(now: 0, privileged: false, partitions: partitions(1))
        let large = cache.maybeCreateSession(now: 0, privileged: false, partitions: partitions(5))
        let follower = cache.maybeCreateSession(now: 10, privileged: true, partitions: partitions(1))
        #expect(follower != FetchMetadata.invalidSessionId)
        #expect(cache[small] == nil)
        #expect(cache[large] != nil)
        #expect(cache.evictions == 1)
    }

    @Test func aFollowerCannotEvictAFreshFollowerSession() {
        var cache = makeCache(slots: 1)
        _ = cache.maybeCreateSession(now: 0, privileged: true, partitions: partitions(1))
        #expect(cache.maybeCreateSession(now: 10, privileged: true, partitions: partitions(100)) == FetchMetadata.invalidSessionId)
    }

    @Test func aConsumerCannotEvictAFollowerSessionThatIsInUse() {
        var cache = makeCache(slots: 1)
        let follower = cache.maybeCreateSession(now: 0, privileged: true, partitions: partitions(1))
        cache.touch(follower, now: Self.evictionMs + 10)
        #expect(cache.maybeCreateSession(now: Self.evictionMs + 20, privileged: false, partitions: partitions(100))
                == FetchMetadata.invalidSessionId, "consumers sort before followers")
    }

    @Test func anIdleSessionIsEvictedByAnyone() {
        var cache = makeCache(slots: 2)
        let idleFollower = cache.maybeCreateSession(now: 0, privileged: true, partitions: partitions(10))
        let busy = cache.maybeCreateSession(now: 0, privileged: false, partitions: partitions(10))
        cache.touch(busy, now: Self.evictionMs)
        let consumer = cache.maybeCreateSession(now: Self.evictionMs + 1, privileged: false, partitions: partitions(1))
        #expect(consumer != FetchMetadata.invalidSessionId)
        #expect(cache[idleFollower] == nil, "idle for longer than the eviction time, whatever its kind or size")
        #expect(cache[busy] != nil)
    }

    @Test func anOldSessionIsEvictedOnlyByASessionWithMorePartitions() {
        var cache = makeCache(slots: 1)
        let old = cache.maybeCreateSession(now: 0, privileged: false, partitions: partitions(3))
        // Used recently (not idle), but created longer ago than the eviction time.
        cache.touch(old, now: Self.evictionMs + 100)
        let now = Self.evictionMs + 200
        #expect(cache.maybeCreateSession(now: now, privileged: false, partitions: partitions(2)) == FetchMetadata.invalidSessionId)
        #expect(cache.maybeCreateSession(now: now, privileged: false, partitions: partitions(3)) == FetchMetadata.invalidSessionId,
                "a tie keeps the old session")
        let bigger = cache.maybeCreateSession(now: now, privileged: false, partitions: partitions(4))
        #expect(bigger != FetchMetadata.invalidSessionId)
        #expect(cache[old] == nil)
    }

    @Test func agedEvictabilityIsDecidedWhenTheSessionIsTouched() {
        var cache = makeCache(slots: 1)
        let old = cache.maybeCreateSession(now: 0, privileged: false, partitions: partitions(1))
        cache.touch(old, now: Self.evictionMs - 1)
        // Created more than the eviction time ago by now, but last touched before that.
        #expect(cache.maybeCreateSession(now: Self.evictionMs + 5, privileged: false, partitions: partitions(9))
                == FetchMetadata.invalidSessionId)
        cache.touch(old, now: Self.evictionMs + 6)
        #expect(cache.maybeCreateSession(now: Self.evictionMs + 7, privileged: false, partitions: partitions(9))
                != FetchMetadata.invalidSessionId)
    }

    @Test func theEvictionOrderPutsConsumersAndSmallSessionsFirst() {
        #expect(EvictableKey(isPrivileged: false, size: 100, id: 9) < EvictableKey(isPrivileged: true, size: 1, id: 1))
        #expect(EvictableKey(isPrivileged: true, size: 1, id: 9) < EvictableKey(isPrivileged: true, size: 2, id: 1))
        #expect(EvictableKey(isPrivileged: true, size: 2, id: 1) < EvictableKey(isPrivileged: true, size: 2, id: 2))
    }
}
