import KafkaProtocol
import NIOCore

/// One record of `__consumer_offsets`, decoded: what Kafka's `GroupMetadataManager` writes and
/// reads back (`readMessageKey`, `readOffsetMessageValue`, `readGroupMessageValue`).
///
/// On disk a key and a value each start with an int16 version, then the bytes of the struct of
/// that version (`Sources/GroupCoordinator/Schemas/`):
///
///     key version 0, 1  → OffsetCommitKey (group, topic, partition)
///     key version 2     → GroupMetadataKey (group)
///     value of an offset key: OffsetCommitValue, versions 0–3
///     value of a group key:   GroupMetadataValue, versions 0–3
///     null value        → a tombstone: the offset, or the whole group, is removed
///
/// Decoding applies Kafka's reading rule for fields an old version lacks: a version 0 group
/// member has no rebalance timeout, and Kafka takes its session timeout for it. Fields that are
/// absent otherwise keep their schema defaults (leader epoch -1 before value v3, expiry -1 outside
/// v1, state timestamp -1 before v2), which is what Kafka reads as "none".
///
/// Invariant: every ``Versioned`` here holds a version its struct's codec knows, so ``keyBuffer``
/// and ``valueBuffer`` write back exactly the bytes a decoded record came from (Kafka's own
/// records carry no trailing bytes; any that a reader skips are not kept).
public enum OffsetsTopicRecord: Sendable, Equatable {
    /// A committed offset (`value` set) or the removal of one (`value` nil).
    case offsetCommit(key: Versioned<OffsetCommitKey>, value: Versioned<OffsetCommitValue>?)
    /// A group's metadata (`value` set) or the removal of the group (`value` nil).
    case groupMetadata(key: Versioned<GroupMetadataKey>, value: Versioned<GroupMetadataValue>?)

    /// Decodes a record's key and value. Throws, never traps, on a missing key, a version no codec
    /// knows, or bytes that end early.
    public init(key: ByteBuffer?, value: ByteBuffer?) throws(OffsetsTopicRecordError) {
        guard var key else { throw .missingKey }
        let keyVersion = try Self.readVersion(&key, of: "key")
        switch keyVersion {
        case OffsetCommitKey.versions:
            let decodedKey = Versioned(try Self.decode(OffsetCommitKey.self, from: &key, version: keyVersion), version: keyVersion)
            self = .offsetCommit(key: decodedKey, value: try value.map { buffer throws(OffsetsTopicRecordError) in try Self.decodeValue(buffer) })
        case GroupMetadataKey.versions:
            let decodedKey = Versioned(try Self.decode(GroupMetadataKey.self, from: &key, version: keyVersion), version: keyVersion)
            var decodedValue: Versioned<GroupMetadataValue>? = try value.map { buffer throws(OffsetsTopicRecordError) in try Self.decodeValue(buffer) }
            if decodedValue?.version == 0 {
                for index in decodedValue!.data.members.indices {
                    decodedValue!.data.members[index].rebalanceTimeout = decodedValue!.data.members[index].sessionTimeout
                }
            }
            self = .groupMetadata(key: decodedKey, value: decodedValue)
        default:
            throw .unknownKeyVersion(keyVersion)
        }
    }

    /// The group the record belongs to.
    public var groupId: String {
        switch self {
        case .offsetCommit(let key, _): key.data.group
        case .groupMetadata(let key, _): key.data.group
        }
    }

    /// Whether the value is null: the record removes an offset or a group.
    public var isTombstone: Bool {
        switch self {
        case .offsetCommit(_, let value): value == nil
        case .groupMetadata(_, let value): value == nil
        }
    }

    /// The record's key: its version, then the key struct.
    public var keyBuffer: ByteBuffer {
        switch self {
        case .offsetCommit(let key, _): key.encoded()
        case .groupMetadata(let key, _): key.encoded()
        }
    }

    /// The record's value, nil for a tombstone.
    public var valueBuffer: ByteBuffer? {
        switch self {
        case .offsetCommit(_, let value): value?.encoded()
        case .groupMetadata(_, let value): value?.encoded()
        }
    }

    // MARK: Decoding

    private static func readVersion(_ buffer: inout ByteBuffer, of part: String) throws(OffsetsTopicRecordError) -> Int16 {
        guard let version = buffer.readInteger(as: Int16.self) else {
            throw .malformed("the \(part) has no int16 version (\(buffer.readableBytes) bytes)")
        }
        return version
    }

    private static func decode<Record: KafkaCodable>(
        _ type: Record.Type, from buffer: inout ByteBuffer, version: Int16
    ) throws(OffsetsTopicRecordError) -> Record {
        do {
            return try Record(from: &buffer, version: version)
        } catch {
            throw .malformed("\(Record.self) v\(version): \(error)")
        }
    }

    private static func decodeValue<Record: OffsetsTopicData>(_ buffer: ByteBuffer) throws(OffsetsTopicRecordError) -> Versioned<Record> {
        var buffer = buffer
        let version = try readVersion(&buffer, of: "value")
        guard Record.versions.contains(version) else { throw .unknownValueVersion(record: "\(Record.self)", version: version) }
        return Versioned(try decode(Record.self, from: &buffer, version: version), version: version)
    }
}
