/// Why a `__consumer_offsets` record could not be decoded. Kafka's loader fails the partition's
/// load on these (an `IllegalStateException` for an unknown version); the caller decides here.
public enum OffsetsTopicRecordError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The record has a null key; every record of the topic has one.
    case missingKey
    /// The key's version is none of 0 and 1 (offset commit) and 2 (group metadata).
    case unknownKeyVersion(Int16)
    /// The value's version is outside what the codec of `record` knows.
    case unknownValueVersion(record: String, version: Int16)
    /// The bytes end early or make no sense.
    case malformed(String)

    public var description: String {
        switch self {
        case .missingKey: "a __consumer_offsets record without a key"
        case .unknownKeyVersion(let version):
            "unknown key version \(version) in __consumer_offsets (0 and 1 are offset commits, 2 group metadata)"
        case .unknownValueVersion(let record, let version): "unknown \(record) version \(version) in __consumer_offsets"
        case .malformed(let reason): "malformed __consumer_offsets record: \(reason)"
        }
    }
}
