import KafkaRecords
import NIOCore
import Testing

/// Hostile input never traps: every reader either succeeds or throws a RecordBatchError with a
/// Kafka error code. Deterministic mutations of valid record sets (v2 in every codec, and legacy
/// wrappers), with CRCs left wrong and made right again so the structural checks behind the CRC
/// are reached too.
@Suite struct RobustnessTests {
    static func fixCRC(_ buffer: inout ByteBuffer) {
        guard buffer.readableBytes >= RecordBatch.headerSize, buffer.getInteger(at: 16, as: Int8.self) == 2,
              let crc = CRC32C.checksum(buffer, at: 21, length: buffer.readableBytes - 21)
        else { return }
        buffer.setInteger(crc, at: 17)
    }

    static func exercise(_ bytes: ByteBuffer) {
        let records = MemoryRecords(bytes)
        var iterator = records.batches
        while let batch = iterator.next() {
            _ = try? batch.ensureValid()
            _ = try? batch.decodeRecords(decompressionLimit: 1 << 20).map(\.headers)
            _ = try? batch.controlRecordType()
            _ = batch.description
        }
        _ = try? LogValidator.analyzeAndValidateRecords(records, origin: .replication, maxMessageBytes: 1 << 20)
        _ = try? LegacyMessageSet.read(bytes, decompressionLimit: 1 << 20)
        for origin in [AppendOrigin.client, .coordinator] {
            for config in [LogValidator.Config(), LogValidator.Config(messageTimestampType: .logAppendTime, compressionType: .type(.gzip))] {
                do {
                    _ = try LogValidator.validateMessagesAndAssignOffsets(
                        records, offsetCounter: 10, now: 1_700_000_000_000, partitionLeaderEpoch: 1, origin: origin, config: config)
                } catch {
                    #expect([2, 10, 18, 32, 76].contains(error.kafkaErrorCode))
                }
            }
        }
    }

    @Test(arguments: CompressionCodecTests.codecs)
    func mutatedBatches(_ codec: CompressionType) throws {
        let valid = try RecordBatchTests.sampleBuilder(compression: codec).build()
        Self.exercise(valid)
        for position in 0..<valid.readableBytes {
            for (round, flip) in [UInt8(0x01), 0x80, 0xFF].enumerated() {
                var mutated = valid
                mutated.setInteger((mutated.getInteger(at: position, as: UInt8.self) ?? 0) ^ flip, at: position)
                if round == 2 { Self.fixCRC(&mutated) }
                Self.exercise(mutated)
            }
        }
        for length in stride(from: 0, to: valid.readableBytes, by: 7) {
            var truncated = valid.getSlice(at: 0, length: length)!
            Self.exercise(truncated)
            truncated.setInteger(Int32(max(0, length - 12)), at: 8)
            Self.fixCRC(&truncated)
            Self.exercise(truncated)
        }
    }

    @Test func mutatedLegacyWrappers() throws {
        for (magic, codec) in LegacyRecordTests.wrapperCases {
            var valid = ByteBuffer()
            try LegacyMessageSet.writeWrapper(messages: LegacyRecordTests.messages, magic: magic, compression: codec, lastOffset: 2, into: &valid)
            for position in stride(from: 0, to: valid.readableBytes, by: 2) {
                var mutated = valid
                mutated.setInteger((mutated.getInteger(at: position, as: UInt8.self) ?? 0) ^ 0x5A, at: position)
                Self.exercise(mutated)
            }
        }
    }

    @Test func randomBytes() {
        for seed in 1...300 {
            var bytes = ByteBuffer(bytes: pseudoRandomBytes(count: Int(seed) * 3, seed: UInt64(seed)))
            Self.exercise(bytes)
            // Make the frame sizes plausible so that the walk goes past the first check.
            if bytes.readableBytes >= 17 {
                bytes.setInteger(Int32(bytes.readableBytes - 12), at: 8)
                bytes.setInteger(Int8(seed % 3), at: 16)
                Self.fixCRC(&bytes)
                Self.exercise(bytes)
            }
        }
    }
}
