/// Why a record set was refused: what the partition's entry in a Produce response reports (as
/// `kafkaErrorCode`) and what log recovery treats as the end of the valid bytes.
///
/// Kafka throws one exception class per case (CorruptRecordException, InvalidRecordException,
/// RecordTooLargeException, …); here they are one enum. Every problem found in bytes that came from
/// outside (a client, a follower's fetch, a segment file) is reported through it: decoding never
/// traps on input.
///
/// A note on `invalidRecord`: Kafka 2.3 threw `InvalidRecordException`, a subclass of
/// `CorruptRecordException`, and so answered these with CORRUPT_MESSAGE (2), as this broker does.
/// INVALID_RECORD (87) exists only from Kafka 2.4 on (KIP-467). CORRUPT_MESSAGE is retriable
/// for clients: a producer that does not limit its retries resends the batch until its delivery
/// timeout, as against Kafka 2.3.
public enum RecordBatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are damaged: checksum mismatch, sizes that contradict each other, a truncated
    /// batch, undecodable compressed data. CORRUPT_MESSAGE (2).
    case corruptMessage(String)
    /// Well-formed bytes that break a rule of the log: non-contiguous offset deltas, a record count
    /// that disagrees with the offsets, a control batch from a client, a null key on a compacted
    /// topic, more than one batch in a produce. CORRUPT_MESSAGE (2), as Kafka 2.3's
    /// `InvalidRecordException`.
    case invalidRecord(String)
    /// A batch (or a legacy message) larger than `max.message.bytes`. MESSAGE_TOO_LARGE (10).
    case messageTooLarge(size: Int, limit: Int)
    /// A compressed batch whose records would decompress to more than the broker allows; reported
    /// as MESSAGE_TOO_LARGE (10) so that producers which split batches on that code do so.
    case decompressedSizeExceeded(limit: Int)
    /// A batch larger than a whole log segment (`segment.bytes`). RECORD_LIST_TOO_LARGE (18).
    case recordListTooLarge(size: Int, limit: Int)
    /// A record timestamp outside `message.timestamp.difference.max.ms` of the broker's clock, or a
    /// producer claiming LogAppendTime. INVALID_TIMESTAMP (32).
    case invalidTimestamp(String)
    /// Compression bits that name no codec this format version allows (5–7 in any version, zstd
    /// in magic 0/1). UNSUPPORTED_COMPRESSION_TYPE (76).
    case unsupportedCompressionType(Int)
    /// A magic byte other than 0, 1 or 2 where a batch starts. CORRUPT_MESSAGE (2), as Kafka
    /// reports an unknown magic.
    case unsupportedMagic(Int8)

    /// Kafka's numeric error code for this failure, as written into a Produce response.
    public var kafkaErrorCode: Int16 {
        switch self {
        case .corruptMessage, .unsupportedMagic, .invalidRecord: 2
        case .messageTooLarge, .decompressedSizeExceeded: 10
        case .recordListTooLarge: 18
        case .invalidTimestamp: 32
        case .unsupportedCompressionType: 76
        }
    }

    /// Kafka's name for `kafkaErrorCode`, for logs.
    public var kafkaErrorName: String {
        switch self {
        case .corruptMessage, .unsupportedMagic, .invalidRecord: "CORRUPT_MESSAGE"
        case .messageTooLarge, .decompressedSizeExceeded: "MESSAGE_TOO_LARGE"
        case .recordListTooLarge: "RECORD_LIST_TOO_LARGE"
        case .invalidTimestamp: "INVALID_TIMESTAMP"
        case .unsupportedCompressionType: "UNSUPPORTED_COMPRESSION_TYPE"
        }
    }

    public var description: String {
        switch self {
        case .corruptMessage(let reason): "corrupt message: \(reason)"
        case .invalidRecord(let reason): "invalid record: \(reason)"
        case .messageTooLarge(let size, let limit): "message of \(size) bytes exceeds max.message.bytes \(limit)"
        case .decompressedSizeExceeded(let limit): "records decompress to more than \(limit) bytes"
        case .recordListTooLarge(let size, let limit): "batch of \(size) bytes exceeds segment size \(limit)"
        case .invalidTimestamp(let reason): "invalid timestamp: \(reason)"
        case .unsupportedCompressionType(let id): "unsupported compression type \(id)"
        case .unsupportedMagic(let magic): "unsupported magic byte \(magic)"
        }
    }
}

extension RecordBatchError {
    /// Converts a primitive decoding failure (from the varint readers) into a corrupt message.
    @usableFromInline
    static func from(_ error: KafkaProtocolError, in context: String) -> RecordBatchError {
        .corruptMessage("\(context): \(error)")
    }
}
