import KafkaCommon

/// The broker's fetch sessions (Kafka's `FetchSessionCache`), at most `maxEntries` of them
/// (`max.incremental.fetch.session.cache.slots`, default 1000; 0 turns sessions off).
///
/// Eviction (KIP-227), when a full fetch asks for a new session and every slot is taken — the new
/// session takes the slot of an existing one when:
/// 1. the least recently used session has been idle for more than `evictionMs`
///    (`min.incremental.fetch.session.eviction.ms`, default 120000): it goes first, whoever asks;
/// 2. otherwise the new session is a follower's (privileged) and the least valuable session it
///    may evict is a consumer's, or one created more than `evictionMs` ago with no more
///    partitions than the new one;
/// 3. otherwise, for a consumer, the least valuable session created more than `evictionMs` ago
///    that has no more partitions than the new one.
/// "Least valuable" orders by (privileged, partition count, id): consumers before followers,
/// smaller before larger. A tie in partition count keeps the old session. As in Kafka, whether a
/// session's age makes it evictable is decided when it is touched (created or used), and its
/// size is the size it had then.
///
/// Session ids are random, positive and unique among the cached sessions; `sessionIds` supplies
/// candidates (tests inject a sequence).
///
/// Isolation: a value; `FetchManager` keeps it under its lock. All times are the caller's clock
/// (milliseconds), passed in, so tests drive it with a mock time.
struct FetchSessionCache: Sendable {
    let maxEntries: Int
    let evictionMs: Int64
    private let sessionIds: @Sendable () -> Int32
    private(set) var sessions: [Int32: FetchSession] = [:]
    /// Partitions over all sessions, as of their last touch (Kafka's `NumIncrementalFetchPartitionsCached`).
    private(set) var numPartitions = 0
    /// Sessions removed to make room (Kafka's `IncrementalFetchSessionEvictionsPerSec`, as a count).
    private(set) var evictions = 0
    /// Ids of sessions a privileged (follower) session may evict, decided at their last touch.
    private var evictableByPrivileged: Set<Int32> = []
    /// Ids of sessions any new session may evict by size, decided at their last touch.
    private var evictableByAll: Set<Int32> = []

    init(maxEntries: Int, evictionMs: Int64, sessionIds: @escaping @Sendable () -> Int32 = { Int32.random(in: 1...Int32.max) }) {
        self.maxEntries = maxEntries
        self.evictionMs = evictionMs
        self.sessionIds = sessionIds
    }

    var count: Int { sessions.count }

    subscript(id: Int32) -> FetchSession? {
        get { sessions[id] }
    }

    /// Runs `body` on the cached session `id`, if there is one.
    mutating func modify<R>(_ id: Int32, _ body: (inout FetchSession) -> R) -> R? {
        // Taken out while `body` runs, so that the session's storage is not shared and changing
        // it copies nothing.
        guard var session = sessions.removeValue(forKey: id) else { return nil }
        defer { sessions[id] = session }
        return body(&session)
    }

    /// Creates a session for a full fetch of `partitions` if there is a free slot or one can be
    /// freed by the eviction rules; returns its id, or `FetchMetadata.invalidSessionId` (0) when no
    /// session was created (the client then goes on with full fetches).
    mutating func maybeCreateSession(now: Int64, privileged: Bool, partitions: [CachedPartition]) -> Int32 {
        guard maxEntries > 0 else { return FetchMetadata.invalidSessionId }
        let size = Set(partitions.map(\.topicPartition)).count
        guard sessions.count < maxEntries || tryEvict(privileged: privileged, size: size, now: now) else {
            return FetchMetadata.invalidSessionId
        }
        let id = newSessionId()
        sessions[id] = FetchSession(id: id, isPrivileged: privileged, now: now, partitions: partitions)
        touch(id, now: now)
        return id
    }

    /// Marks session `id` used at `now`: it becomes the most recently used, and its size and
    /// evictability are recomputed.
    mutating func touch(_ id: Int32, now: Int64) {
        guard var session = sessions[id] else { return }
        session.lastUsedMs = now
        if session.cachedSize >= 0 {
            numPartitions -= session.cachedSize
        }
        session.cachedSize = session.size
        numPartitions += session.cachedSize
        let old = now - session.creationMs > evictionMs
        if !session.isPrivileged || old { evictableByPrivileged.insert(id) } else { evictableByPrivileged.remove(id) }
        if old { evictableByAll.insert(id) } else { evictableByAll.remove(id) }
        sessions[id] = session
    }

    /// Removes session `id`; returns it if it was cached.
    @discardableResult
    mutating func remove(_ id: Int32) -> FetchSession? {
        guard let session = sessions.removeValue(forKey: id) else { return nil }
        evictableByPrivileged.remove(id)
        evictableByAll.remove(id)
        if session.cachedSize >= 0 { numPartitions -= session.cachedSize }
        return session
    }

    /// Frees one slot for a new session of `size` partitions, by the rules in the type's
    /// documentation. True if a session was evicted.
    private mutating func tryEvict(privileged: Bool, size: Int, now: Int64) -> Bool {
        guard let leastRecentlyUsed = sessions.values.min(by: { ($0.lastUsedMs, $0.id) < ($1.lastUsedMs, $1.id) }) else {
            return false
        }
        if now - leastRecentlyUsed.lastUsedMs > evictionMs {
            remove(leastRecentlyUsed.id)
            evictions += 1
            return true
        }
        let candidates = privileged ? evictableByPrivileged : evictableByAll
        guard let victim = candidates.compactMap({ sessions[$0] }).min(by: { Self.evictionOrder($0) < Self.evictionOrder($1) }) else {
            return false
        }
        // The new session's key has id 0, below every real id: an equal size does not evict.
        let newKey = EvictableKey(isPrivileged: privileged, size: size, id: FetchMetadata.invalidSessionId)
        guard !(newKey < Self.evictionOrder(victim)) else { return false }
        remove(victim.id)
        evictions += 1
        return true
    }

    private static func evictionOrder(_ session: FetchSession) -> EvictableKey {
        EvictableKey(isPrivileged: session.isPrivileged, size: session.cachedSize, id: session.id)
    }

    private func newSessionId() -> Int32 {
        while true {
            let id = sessionIds()
            if id > 0, sessions[id] == nil { return id }
        }
    }
}
