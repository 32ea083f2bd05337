import KafkaCommon
import KafkaProtocol

/// What the response says about the session, from `FetchManager.completeResponse`.
struct FetchSessionResponse: Equatable, Sendable {
    /// The response's top-level error: none, or a session error.
    var errorCode: ErrorCode = .none
    /// The response's `session_id`: 0 outside a session.
    var sessionId: Int32 = FetchMetadata.invalidSessionId
    /// The partitions the response carries, in the read order; nil for all that were read.
    var selected: [TopicPartition]?
}
