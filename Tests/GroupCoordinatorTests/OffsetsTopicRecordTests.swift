import GroupCoordinator
import KafkaCommon
import NIOCore
import Testing

/// Decoding errors and the versions the builders pick.
@Suite struct OffsetsTopicRecordTests {
    static func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }
    /// An offset commit key v1 for group "g", topic "t", partition 0.
    static let offsetKey: [UInt8] = [0, 1, 0, 1, 0x67, 0, 1, 0x74, 0, 0, 0, 0]
    /// A group metadata key for group "g".
    static let groupKey: [UInt8] = [0, 2, 0, 1, 0x67]

    @Test func unknownKeyVersionsAreErrors() {
        for version: UInt8 in [3, 0xff] {
            let key = Self.buffer([0, version, 0, 1, 0x67])
            #expect(throws: OffsetsTopicRecordError.unknownKeyVersion(Int16(version))) {
                _ = try OffsetsTopicRecord(key: key, value: nil)
            }
        }
        #expect(throws: OffsetsTopicRecordError.unknownKeyVersion(-1)) {
            _ = try OffsetsTopicRecord(key: Self.buffer([0xff, 0xff]), value: nil)
        }
    }

    @Test func unknownValueVersionsAreErrors() {
        let value = Self.buffer([0, 4] + [UInt8](repeating: 0, count: 40))
        #expect(throws: OffsetsTopicRecordError.unknownValueVersion(record: "OffsetCommitValue", version: 4)) {
            _ = try OffsetsTopicRecord(key: Self.buffer(Self.offsetKey), value: value)
        }
        #expect(throws: OffsetsTopicRecordError.unknownValueVersion(record: "GroupMetadataValue", version: 4)) {
            _ = try OffsetsTopicRecord(key: Self.buffer(Self.groupKey), value: value)
        }
        let description = OffsetsTopicRecordError.unknownValueVersion(record: "OffsetCommitValue", version: 4).description
        #expect(description == "unknown OffsetCommitValue version 4 in __consumer_offsets")
    }

    @Test func missingKeysAndShortBytesAreErrors() {
        #expect(throws: OffsetsTopicRecordError.missingKey) { _ = try OffsetsTopicRecord(key: nil, value: Self.buffer([0, 3])) }
        for bytes: [UInt8] in [[], [0], [0, 1], [0, 1, 0, 5, 0x67]] {
            #expect(throws: OffsetsTopicRecordError.self, "\(bytes)") { _ = try OffsetsTopicRecord(key: Self.buffer(bytes), value: nil) }
        }
        // A value cut anywhere short fails too.
        let value = OffsetsTopicRecord.offsetCommit(
            group: "g", topicPartition: TopicPartition("t", 0), value: OffsetCommitValue(offset: 1, metadata: "m", commitTimestamp: 2),
            interBrokerProtocolVersion: .latest
        ).valueBuffer!
        for length in 0..<value.readableBytes {
            #expect(throws: OffsetsTopicRecordError.self) {
                _ = try OffsetsTopicRecord(key: Self.buffer(Self.offsetKey), value: value.getSlice(at: 0, length: length))
            }
        }
    }

    @Test func tombstonesDecode() throws {
        let offset = try OffsetsTopicRecord(key: Self.buffer(Self.offsetKey), value: nil)
        #expect(offset == .offsetCommitTombstone(group: "g", topicPartition: TopicPartition("t", 0)))
        #expect(offset.isTombstone && offset.valueBuffer == nil && offset.groupId == "g")
        let group = try OffsetsTopicRecord(key: Self.buffer(Self.groupKey), value: nil)
        #expect(group == .groupMetadataTombstone(group: "g"))
        #expect(group.keyBuffer == Self.buffer(Self.groupKey))
    }

    /// Key version 0 (written by brokers before 0.10.1) has v1's layout and round-trips as v0.
    @Test func offsetCommitKeyVersionZeroIsKept() throws {
        var bytes = Self.offsetKey
        bytes[1] = 0
        let record = try OffsetsTopicRecord(key: Self.buffer(bytes), value: nil)
        guard case .offsetCommit(let key, nil) = record else { Issue.record("\(record)"); return }
        #expect(key.version == 0 && key.data == OffsetCommitKey(group: "g", topic: "t", partition: 0))
        #expect(record.keyBuffer == Self.buffer(bytes))
    }

    static func ibp(_ text: String) -> ApiVersion { ApiVersion(text)! }

    @Test(arguments: [
        ("0.10.0-IV1", 1, 0), ("0.10.1-IV0", 1, 1), ("2.0-IV1", 1, 1), ("2.1-IV0", 2, 2), ("2.1-IV1", 3, 2),
        ("2.2-IV1", 3, 2), ("2.3-IV0", 3, 3), ("2.3-IV1", 3, 3),
    ] as [(String, Int16, Int16)])
    func valueVersionsFollowTheInterBrokerProtocol(_ ibp: String, _ offsetValue: Int16, _ groupValue: Int16) {
        #expect(OffsetsTopicRecord.offsetCommitValueVersion(interBrokerProtocolVersion: Self.ibp(ibp), hasExpireTimestamp: false) == offsetValue)
        #expect(OffsetsTopicRecord.offsetCommitValueVersion(interBrokerProtocolVersion: Self.ibp(ibp), hasExpireTimestamp: true) == 1)
        #expect(OffsetsTopicRecord.groupMetadataValueVersion(interBrokerProtocolVersion: Self.ibp(ibp)) == groupValue)
    }

    @Test func anExplicitExpiryIsWrittenAtVersionOne() throws {
        let value = OffsetCommitValue(offset: 9, leaderEpoch: 4, metadata: "", commitTimestamp: 100, expireTimestamp: 200)
        let record = OffsetsTopicRecord.offsetCommit(
            group: "g", topicPartition: TopicPartition("t", 0), value: value, interBrokerProtocolVersion: .latest)
        let bytes = try #require(record.valueBuffer)
        #expect(Array(bytes.readableBytesView) == [0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 100] + [0, 0, 0, 0, 0, 0, 0, 200])
        // Read back, v1 has no leader epoch: it comes back as -1.
        guard case .offsetCommit(let key, let decoded?) = try OffsetsTopicRecord(key: record.keyBuffer, value: bytes) else {
            Issue.record("not an offset commit")
            return
        }
        #expect(key.version == 1 && decoded.version == 1 && decoded.data.leaderEpoch == -1 && decoded.data.expireTimestamp == 200)
    }
}

extension OffsetsTopicRecordTests {
    /// Kafka reads a v0 member's rebalance timeout as its session timeout; writing v0 again drops it.
    @Test func aVersionZeroMemberRebalancesWithinItsSessionTimeout() throws {
        let member = GroupMetadataValue.Member(memberId: "m", clientId: "c", clientHost: "/h", rebalanceTimeout: 0, sessionTimeout: 6000)
        let value = Versioned(GroupMetadataValue(protocolType: "consumer", generation: 1, protocol: "range", leader: "m", members: [member]), version: 0)
        let record = try OffsetsTopicRecord(key: Self.buffer(Self.groupKey), value: value.encoded())
        guard case .groupMetadata(_, let decoded?) = record else { Issue.record("\(record)"); return }
        #expect(decoded.data.members[0].rebalanceTimeout == 6000)
        #expect(record.valueBuffer == value.encoded())
    }
}
