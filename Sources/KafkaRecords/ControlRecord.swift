import NIOCore

/// The kind of a control record, from its key. Kafka's `ControlRecordType`.
///
/// A control batch (attributes bit 5) holds exactly one control record, written by the broker,
/// never by a client. Its key is `version int16 (0), type int16`; for the transaction markers
/// (ABORT, COMMIT) its value is an `EndTransactionMarker`.
public enum ControlRecordType: Sendable, Hashable {
    case abort
    case commit
    /// A type this broker does not know (Kafka reads these as UNKNOWN and skips them).
    case unknown(Int16)

    public init(rawValue: Int16) {
        switch rawValue {
        case 0: self = .abort
        case 1: self = .commit
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: Int16 {
        switch self {
        case .abort: 0
        case .commit: 1
        case .unknown(let value): value
        }
    }

    /// The key schema version the broker writes.
    public static let currentKeyVersion: Int16 = 0

    /// Reads a control record key: version int16, type int16 (later versions may append fields).
    public init(key: ByteBuffer?) throws(RecordBatchError) {
        guard var key, let version: Int16 = key.readInteger(), let type: Int16 = key.readInteger() else {
            throw .corruptMessage("control record key shorter than 4 bytes")
        }
        guard version >= 0 else { throw .corruptMessage("control record key version \(version)") }
        self.init(rawValue: type)
    }

    /// The encoded key: version 0, type.
    public var encodedKey: ByteBuffer {
        var key = ByteBuffer()
        key.writeInteger(Self.currentKeyVersion)
        key.writeInteger(rawValue)
        return key
    }
}

/// The value of a COMMIT or ABORT control record: `version int16 (0), coordinatorEpoch int32`.
/// The transaction coordinator asks partition leaders to append one (WriteTxnMarkers) to end a
/// transaction; the coordinator epoch fences markers from a stale coordinator. Kafka's
/// `EndTransactionMarker`.
public struct EndTransactionMarker: Sendable, Hashable {
    public static let currentVersion: Int16 = 0

    public var type: ControlRecordType
    public var coordinatorEpoch: Int32

    public init(type: ControlRecordType, coordinatorEpoch: Int32) {
        self.type = type
        self.coordinatorEpoch = coordinatorEpoch
    }

    /// Reads the marker of a control record.
    public init(_ record: DefaultRecord) throws(RecordBatchError) {
        let type = try ControlRecordType(key: record.key)
        guard type == .abort || type == .commit else {
            throw .invalidRecord("control record of type \(type.rawValue) is not a transaction marker")
        }
        guard var value = record.value, let version: Int16 = value.readInteger(), let epoch: Int32 = value.readInteger() else {
            throw .corruptMessage("end transaction marker value shorter than 6 bytes")
        }
        guard version >= 0 else { throw .corruptMessage("end transaction marker version \(version)") }
        self.init(type: type, coordinatorEpoch: epoch)
    }

    /// The encoded value: version 0, coordinator epoch.
    public var encodedValue: ByteBuffer {
        var value = ByteBuffer()
        value.writeInteger(Self.currentVersion)
        value.writeInteger(coordinatorEpoch)
        return value
    }

    /// A control batch holding this marker for a producer: transactional and control bits set, one
    /// record at `baseOffset`. Kafka's `MemoryRecords.withEndTransactionMarker`.
    public func controlBatch(
        baseOffset: Int64 = 0,
        timestamp: Int64,
        producerId: Int64,
        producerEpoch: Int16,
        partitionLeaderEpoch: Int32 = RecordBatch.noPartitionLeaderEpoch
    ) throws(RecordBatchError) -> MemoryRecords {
        var builder = MemoryRecordsBuilder(
            baseOffset: baseOffset, producerId: producerId, producerEpoch: producerEpoch,
            isTransactional: true, isControlBatch: true, partitionLeaderEpoch: partitionLeaderEpoch,
            expectedRecordsSize: 32)
        builder.append(timestamp: timestamp, key: type.encodedKey, value: encodedValue)
        return try builder.buildRecords()
    }
}

extension RecordBatch {
    /// For a control batch, the type of its control record (decoding it); nil for a data batch.
    public func controlRecordType() throws(RecordBatchError) -> ControlRecordType? {
        guard isControlBatch else { return nil }
        var records = try records()
        guard let record = try records.next() else { throw .invalidRecord("control batch without a record") }
        return try ControlRecordType(key: record.key)
    }
}
