/// The codec of a batch's records: bits 0–2 of the attributes of a RecordBatch v2 and of a
/// legacy (magic 0/1) message. Kafka's `CompressionType`.
///
/// | id | codec  | since (magic) | bytes on the wire |
/// |---:|--------|---------------|-------------------|
/// | 0  | none   | 0             | the records as they are |
/// | 1  | gzip   | 0             | a gzip stream (RFC 1952) |
/// | 2  | snappy | 0             | Java clients: xerial framing; librdkafka: raw snappy |
/// | 3  | lz4    | 0             | an LZ4 frame (KIP-57 fixed its header checksum for magic ≥ 1) |
/// | 4  | zstd   | 2 (Kafka 2.1) | a zstd frame |
public enum CompressionType: Int8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case none = 0
    case gzip = 1
    case snappy = 2
    case lz4 = 3
    case zstd = 4

    /// The mask of the codec bits in the attributes field.
    public static let attributeMask: Int16 = 0x07

    /// The codec named by an attributes field's low bits, or nil for ids 5–7.
    public init?(id: Int) {
        guard let id = Int8(exactly: id), let type = CompressionType(rawValue: id) else { return nil }
        self = type
    }

    /// The codec of a `compression.type` value (`none`, `gzip`, `snappy`, `lz4`, `zstd`).
    public init?(name: String) {
        guard let type = CompressionType.allCases.first(where: { $0.name == name }) else { return nil }
        self = type
    }

    public var id: Int { Int(rawValue) }

    /// The name used in configuration (`compression.type`) and in Kafka's logs.
    public var name: String {
        switch self {
        case .none: "none"
        case .gzip: "gzip"
        case .snappy: "snappy"
        case .lz4: "lz4"
        case .zstd: "zstd"
        }
    }

    public var description: String { name }

    /// The lowest message format (magic) that may carry this codec.
    public var minimumMagic: Int8 { self == .zstd ? 2 : 0 }
}

/// What a topic's `compression.type` asks of the broker: keep the producer's codec, or store
/// everything with one codec (recompressing when the producer used another). `uncompressed` is
/// the configuration's spelling of `.type(.none)`.
public enum BrokerCompressionType: Sendable, Hashable, CustomStringConvertible {
    case producer
    case type(CompressionType)

    /// Parses a `compression.type` value: `producer`, `uncompressed`, or a codec name.
    public init?(configValue: String) {
        switch configValue {
        case "producer": self = .producer
        case "uncompressed": self = .type(.none)
        default:
            guard let type = CompressionType(name: configValue) else { return nil }
            self = .type(type)
        }
    }

    /// The codec to store a batch with, given the producer's.
    public func target(forSource source: CompressionType) -> CompressionType {
        switch self {
        case .producer: source
        case .type(let type): type
        }
    }

    public var description: String {
        switch self {
        case .producer: "producer"
        case .type(.none): "uncompressed"
        case .type(let type): type.name
        }
    }
}

/// Where a record's timestamp comes from: bit 3 of the attributes (RecordBatch v2, and legacy
/// magic 1 messages). Kafka's `TimestampType`. Magic 0 has no timestamps at all.
public enum TimestampType: Int8, Sendable, Hashable, CustomStringConvertible {
    /// Magic 0: no timestamp (every record's timestamp reads as `RecordBatch.noTimestamp`).
    case noTimestampType = -1
    /// The producer's clock, per record.
    case createTime = 0
    /// The broker's clock at append, one value for the whole batch (its `maxTimestamp`).
    case logAppendTime = 1

    /// The attributes bit that marks LogAppendTime.
    public static let attributeMask: Int16 = 0x08

    public var description: String {
        switch self {
        case .noTimestampType: "NoTimestampType"
        case .createTime: "CreateTime"
        case .logAppendTime: "LogAppendTime"
        }
    }
}
