import KafkaRecords
import NIOCore
import Testing

/// Kafka 2.3's `validateKey`: a compacted topic refuses a record without a key, in every
/// message format, compressed or not, whether the batch is rewritten in place, recompressed or
/// up-converted, and answers CORRUPT_MESSAGE (its `InvalidRecordException` is a
/// `CorruptRecordException`). The whole batch is refused: the validator returns nothing to append.
extension LogValidatorTests {
    static let compacted = LogValidator.Config(isCompacted: true)

    /// Keyed records, but the one at `keylessIndex` has no key.
    static func withOneKeyless(compression: CompressionType, count: Int = 4, keylessIndex: Int) throws -> MemoryRecords {
        var builder = MemoryRecordsBuilder(compression: compression)
        for index in 0..<count {
            builder.append(timestamp: now - 10, key: index == keylessIndex ? nil : bytes("key-\(index)"), value: bytes("value-\(index)"))
        }
        return try builder.buildRecords()
    }

    static func expectCorruptMessage(_ records: MemoryRecords, config: LogValidator.Config = compacted,
                                     sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sourceLocation: sourceLocation) {
            _ = try validate(records, config: config)
        } throws: { error in
            guard let error = error as? RecordBatchError, case .invalidRecord(let reason) = error else { return false }
            return error.kafkaErrorCode == 2 && error.kafkaErrorName == "CORRUPT_MESSAGE" && reason.contains("without a key")
        }
    }

    @Test(arguments: CompressionCodecTests.codecs)
    func aKeylessRecordAnywhereInAV2BatchIsRefused(_ codec: CompressionType) throws {
        for keyless in [0, 3] {
            Self.expectCorruptMessage(try Self.withOneKeyless(compression: codec, keylessIndex: keyless))
        }
        // Recompressed to the topic's codec (the rebuild path) or kept (in place): refused alike.
        var recompressing = Self.compacted
        recompressing.compressionType = codec == .gzip ? BrokerCompressionType(configValue: "lz4")! : BrokerCompressionType(configValue: "gzip")!
        Self.expectCorruptMessage(try Self.withOneKeyless(compression: codec, keylessIndex: 2), config: recompressing)
        // Keyed records, tombstones included, pass; the same keyless batch passes when not compacted.
        var tombstones = MemoryRecordsBuilder(compression: codec)
        tombstones.append(timestamp: Self.now, key: bytes("gone"), value: nil)
        _ = try Self.validate(try tombstones.buildRecords(), config: Self.compacted)
        _ = try Self.validate(try Self.produced(compression: codec, keys: true), config: Self.compacted)
        _ = try Self.validate(try Self.withOneKeyless(compression: codec, keylessIndex: 0))
    }

    /// Produce v0–v2 (magic 0 and 1), plain messages and compressed wrappers: the inner keyless
    /// message is found before up-conversion.
    @Test(arguments: [(Int8(0), CompressionType.none), (0, .gzip), (1, .none), (1, .snappy), (1, .lz4)])
    func aKeylessLegacyMessageIsRefused(_ magic: Int8, _ codec: CompressionType) throws {
        // LegacyRecordTests.messages: the second message has no key.
        let messages = LegacyRecordTests.messages.map { (key: $0.key, value: $0.value, timestamp: Self.now - 100) }
        func set(_ messages: [(key: ByteBuffer?, value: ByteBuffer?, timestamp: Int64)]) throws -> MemoryRecords {
            var set = ByteBuffer()
            if codec == .none {
                for (index, message) in messages.enumerated() {
                    LegacyRecord.write(offset: Int64(index), magic: magic, timestamp: message.timestamp, key: message.key, value: message.value, into: &set)
                }
            } else {
                try LegacyMessageSet.writeWrapper(messages: messages, magic: magic, compression: codec, lastOffset: Int64(messages.count - 1), into: &set)
            }
            return MemoryRecords(set)
        }
        Self.expectCorruptMessage(try set(messages))
        let keyed = messages.filter { $0.key != nil }
        let result = try Self.validate(try set(keyed), config: Self.compacted)
        #expect(result.recordCount == keyed.count)
    }
}
