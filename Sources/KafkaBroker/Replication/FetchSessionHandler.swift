import KafkaCommon
import KafkaProtocol

/// The client side of a fetch session (KIP-227; Kafka's `FetchSessionHandler`), kept by each
/// replica fetcher for its leader: which partitions the leader's session holds and what it was
/// last told of each, and the session id and epoch the next request carries. A value: the fetcher
/// calls `build` for each request and `handleResponse` / `handleSendError` with its outcome, and
/// nothing here does I/O.
///
/// The protocol, as the client sees it:
///
///     (session 0, epoch 0): full fetch, every partition ──▶ leader answers session id S
///        S = 0: the leader keeps no session ─────────────▶ next request full again (0, 0)
///        S ≠ 0: a session is open ───────────────────────▶ next request incremental (S, 1)
///     (S, n ≥ 1): incremental fetch — only the partitions added or whose fetch offset, log start
///        offset, max bytes or leader epoch changed since they were last sent, and the removed
///        ones as forgotten topics ──▶ answered with S: next (S, n + 1); answered with 0: (0, 0)
///     FETCH_SESSION_ID_NOT_FOUND ───────────────────────▶ (0, 0): a new session, full fetch
///     INVALID_FETCH_SESSION_EPOCH, any other top-level error, or no answer (connection lost)
///                                ───────────────────────▶ (S, 0): close S and open a new one
///
/// Invariant: `sessionPartitions` is what the leader's session holds if the last request built
/// was answered without error; after an error the next request is full, so any difference is
/// repaired. The epoch after `Int32.max` is 1, as in Kafka.
struct FetchSessionHandler: Sendable, Equatable {
    /// What a fetch asks of one partition; a partition is re-sent in an incremental fetch exactly
    /// when this changed.
    struct PartitionData: Sendable, Equatable {
        var fetchOffset: Int64
        var logStartOffset: Int64
        var maxBytes: Int32
        var currentLeaderEpoch: LeaderEpoch
    }

    /// A partition and what is asked of it.
    struct Entry: Sendable, Equatable {
        var topicPartition: TopicPartition
        var data: PartitionData
    }

    /// One request to send: its session fields, the partitions it carries (in the order given
    /// to `build`), and the partitions it removes from the session.
    struct RequestData: Sendable, Equatable {
        var sessionId: Int32
        var sessionEpoch: Int32
        var toSend: [Entry]
        var toForget: [TopicPartition]

        var isFull: Bool { sessionEpoch == FetchSessionHandler.initialEpoch }
    }

    /// No session (Kafka's INVALID_SESSION_ID).
    static let noSessionId: Int32 = 0
    /// The epoch of a full fetch that opens a session (Kafka's INITIAL_EPOCH).
    static let initialEpoch: Int32 = 0

    /// The leader's session id (0: none).
    private(set) var sessionId: Int32 = noSessionId
    /// The epoch the next request carries: 0 for a full fetch, ≥ 1 for an incremental one.
    /// Changed only by the functions below (settable within the module for tests of the wrap).
    var nextEpoch: Int32 = initialEpoch
    /// The partitions in the session, with what the leader was last told of each.
    private(set) var sessionPartitions: [TopicPartition: PartitionData] = [:]

    /// Whether the next request is a full fetch.
    var isNextRequestFull: Bool { nextEpoch == Self.initialEpoch }

    /// The request that fetches exactly `partitions` (in this order) now. Afterwards the session
    /// holds these partitions with this data.
    mutating func build(_ partitions: [Entry]) -> RequestData {
        let next = Dictionary(partitions.map { ($0.topicPartition, $0.data) }, uniquingKeysWith: { _, last in last })
        defer { sessionPartitions = next }
        if isNextRequestFull {
            return RequestData(sessionId: sessionId, sessionEpoch: nextEpoch, toSend: partitions, toForget: [])
        }
        let toSend = partitions.filter { sessionPartitions[$0.topicPartition] != $0.data }
        let toForget = sessionPartitions.keys.filter { next[$0] == nil }.sorted()
        return RequestData(sessionId: sessionId, sessionEpoch: nextEpoch, toSend: toSend, toForget: toForget)
    }

    /// The leader answered the request last built with `errorCode` (top level) and `sessionId`.
    /// Returns whether the response's partitions are to be processed (false: a session error, the
    /// next request is full and nothing in this response counts).
    mutating func handleResponse(errorCode: ErrorCode, sessionId responseSessionId: Int32) -> Bool {
        guard errorCode == .none else {
            if errorCode == .fetchSessionIdNotFound {
                sessionId = Self.noSessionId
            }
            nextEpoch = Self.initialEpoch
            return false
        }
        if responseSessionId == Self.noSessionId {
            // No session kept (an old or full cache on the leader), or the leader closed it.
            sessionId = Self.noSessionId
            nextEpoch = Self.initialEpoch
        } else if isNextRequestFull {
            sessionId = responseSessionId
            nextEpoch = 1
        } else {
            nextEpoch = nextEpoch == Int32.max ? 1 : nextEpoch + 1
        }
        return true
    }

    /// The request got no answer (the connection failed): the next request closes the session
    /// and opens a new one with a full fetch.
    mutating func handleSendError() {
        nextEpoch = Self.initialEpoch
    }
}
