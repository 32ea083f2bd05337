import KafkaCommon
import KafkaProtocol

/// What one Fetch request is, with respect to fetch sessions (Kafka's `FetchContext` classes),
/// decided by `FetchManager.newContext` before any log is read:
///
/// - `sessionError`: an incremental fetch naming an unknown session (FETCH_SESSION_ID_NOT_FOUND)
///   or the wrong epoch (INVALID_FETCH_SESSION_EPOCH). The response carries the error at the top
///   level, session id 0 and no partitions; nothing is read.
/// - `sessionless`: a full fetch with epoch -1 (every request before v7 is one). It reads and
///   answers exactly the partitions it names, with session id 0.
/// - `full`: a full fetch with epoch 0. It reads and answers every partition it names, and the
///   response carries the id of the session created from it, or 0 when the cache had no room.
/// - `incremental`: a fetch at the session's current epoch. It reads every partition of the
///   session (in the session's order), but the response carries only those with records, an
///   error, or a changed high watermark or log start offset.
///
/// `partitions` is what to read, in order, with the fetch position of each.
enum FetchContext: Sendable {
    case sessionError(ErrorCode)
    case sessionless(partitions: [FetchContext.Entry])
    case full(partitions: [FetchContext.Entry], isFromFollower: Bool)
    case incremental(sessionId: Int32, expectedEpoch: Int32, partitions: [FetchContext.Entry])

    /// One partition to read, with where and how much.
    struct Entry: Sendable {
        var topicPartition: TopicPartition
        var request: Fetch.FetchPartition

        init(_ topicPartition: TopicPartition, _ request: Fetch.FetchPartition) {
            self.topicPartition = topicPartition
            self.request = request
        }
    }

    /// The partitions to read, in order; none for a session error.
    var partitions: [Entry] {
        switch self {
        case .sessionError: []
        case .sessionless(let partitions), .full(let partitions, _), .incremental(_, _, let partitions): partitions
        }
    }
}

extension Fetch.Request {
    /// The request's session fields.
    var fetchMetadata: FetchMetadata {
        FetchMetadata(sessionId: sessionId, epoch: sessionEpoch)
    }

    /// The partitions it names, flattened in request order.
    var fetchEntries: [FetchContext.Entry] {
        topics.flatMap { topic in topic.partitions.map { FetchContext.Entry(TopicPartition(topic.topic, $0.partition), $0) } }
    }

    /// The partitions `forgotten_topics_data` removes from the session.
    var forgottenPartitions: [TopicPartition] {
        forgottenTopicsData.flatMap { topic in topic.partitions.map { TopicPartition(topic.topic, $0) } }
    }
}
