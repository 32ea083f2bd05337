/// Failures of log operations that a request answers with an error code.
public enum LogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A fetch or DeleteRecords offset outside `logStartOffset...logEndOffset`.
    /// OFFSET_OUT_OF_RANGE (1).
    case offsetOutOfRange(offset: Int64, logStartOffset: Int64, logEndOffset: Int64)
    /// A follower's records do not start at its log end offset, or go backwards. Kafka's
    /// `UnexpectedAppendOffsetException` (UNKNOWN_SERVER_ERROR, −1, to the client).
    case unexpectedAppendOffset(firstOffset: Int64, logEndOffset: Int64)
    /// A batch carries a negative partition leader epoch where the leader epoch cache needs one
    /// (Kafka's IllegalArgumentException from `LeaderEpochFileCache.assign`: UNKNOWN_SERVER_ERROR).
    case invalidLeaderEpoch(epoch: Int32, startOffset: Int64)

    public var kafkaErrorCode: Int16 {
        switch self {
        case .offsetOutOfRange: 1
        case .unexpectedAppendOffset, .invalidLeaderEpoch: -1
        }
    }

    public var description: String {
        switch self {
        case .offsetOutOfRange(let offset, let start, let end):
            "offset \(offset) is out of range: the log holds \(start)..<\(end)"
        case .unexpectedAppendOffset(let first, let end):
            "records starting at offset \(first) cannot be appended at log end offset \(end)"
        case .invalidLeaderEpoch(let epoch, let startOffset):
            "invalid partition leader epoch \(epoch) for the records starting at offset \(startOffset)"
        }
    }
}
