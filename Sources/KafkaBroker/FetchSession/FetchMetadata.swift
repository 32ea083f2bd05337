/// The fetch-session fields of a Fetch request, v7+ (KIP-227; Kafka's `FetchMetadata`): which
/// session the request belongs to and where in it the client is.
///
/// On the wire (`session_id int32`, `session_epoch int32`):
///
/// | session_id | session_epoch | meaning |
/// |---|---|---|
/// | 0 | -1 | a full fetch with no session; what every request before v7 means |
/// | 0 | 0 | a full fetch that asks for a new session |
/// | id | -1 | close session `id`; this request is a sessionless full fetch |
/// | id | 0 | close session `id` and ask for a new one with this full fetch |
/// | id | > 0 | an incremental fetch in session `id`, which must be at exactly this epoch |
///
/// A full fetch (epoch 0 or -1) lists every partition the client wants. An incremental fetch lists
/// only the partitions whose fetch offset, `partition_max_bytes`, log start offset or leader epoch
/// changed since the previous request, plus new ones; `forgotten_topics_data` removes partitions
/// from the session. Any other (id, epoch) pair is incremental too and fails with
/// FETCH_SESSION_ID_NOT_FOUND or INVALID_FETCH_SESSION_EPOCH.
struct FetchMetadata: Equatable, Sendable {
    /// The session id meaning "no session".
    static let invalidSessionId: Int32 = 0
    /// The epoch of a full fetch that asks for a new session.
    static let initialEpoch: Int32 = 0
    /// The epoch of a full fetch that wants no session (and closes the one named, if any).
    static let finalEpoch: Int32 = -1
    /// What requests before v7 carry.
    static let sessionless = FetchMetadata(sessionId: invalidSessionId, epoch: finalEpoch)

    var sessionId: Int32
    var epoch: Int32

    /// A full fetch: the request lists the client's whole set of partitions.
    var isFull: Bool { epoch == Self.initialEpoch || epoch == Self.finalEpoch }

    /// The epoch that follows `epoch`: -1 stays -1, and after `Int32.max` comes 1 (0 is only ever
    /// the epoch of a session-creating full fetch).
    static func nextEpoch(after epoch: Int32) -> Int32 {
        if epoch < 0 { return epoch }
        return epoch == Int32.max ? 1 : epoch + 1
    }
}
