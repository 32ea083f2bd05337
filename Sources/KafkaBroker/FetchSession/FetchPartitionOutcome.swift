import KafkaProtocol

/// What a response says about one partition, as far as a fetch session cares.
struct FetchPartitionOutcome: Equatable, Sendable {
    var errorCode: ErrorCode
    var highWatermark: Int64
    var logStartOffset: Int64
    /// Bytes of records sent for it.
    var recordsSize: Int
}
