import Foundation
import GroupCoordinator
import KafkaCommon
import KafkaRecords
import NIOCore
import Testing

/// The `__consumer_offsets` segments Apache Kafka 2.3 wrote (copied from
/// `shared/fixtures/kafka-2.3.0/disk/consumer-offsets/` into `Fixtures/`, with Kafka's own
/// `DumpLogSegments --offsets-decoder` output beside each): every record decodes to what Kafka's
/// dump shows, re-encodes to its exact key and value bytes, and tombstones are recognised.
@Suite struct OffsetsTopicRecordFixtureTests {
    static let partitions: [Int32] = [0, 8, 20, 37]

    static func fixture(_ partition: Int32, _ suffix: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/consumer-offsets/__consumer_offsets-\(partition)/00000000000000000000\(suffix)")
    }

    /// A record of the segment, decoded, with the raw bytes it came from.
    struct Decoded {
        var offset: Int64
        var key: ByteBuffer?
        var value: ByteBuffer?
        var record: OffsetsTopicRecord
    }

    /// Every non-control record of the partition's segment, decoded.
    static func decoded(_ partition: Int32) throws -> [Decoded] {
        let data = try Data(contentsOf: fixture(partition, ".log"))
        var batches = MemoryRecords(ByteBuffer(bytes: data)).batches
        var result: [Decoded] = []
        while let batch = batches.next() {
            guard !batch.isControlBatch else { continue }
            var records = try batch.records()
            while let record = try records.next() {
                result.append(Decoded(offset: record.offset, key: record.key, value: record.value, record: try OffsetsTopicRecord(key: record.key, value: record.value)))
            }
        }
        return result
    }

    /// What Kafka's dump says of each record: offset → (key text, payload text), nil when absent.
    static func dumpLines(_ partition: Int32) throws -> [Int64: (key: String?, payload: String?)] {
        let text = try String(contentsOf: fixture(partition, ".log.dump.txt"), encoding: .utf8)
        var lines: [Int64: (String?, String?)] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| offset: ") && !line.contains("endTxnMarker") {
            let offset = Int64(line.dropFirst("| offset: ".count).prefix { $0 != " " })!
            let key = line.range(of: " key: ").map { range in
                String(line[range.upperBound...].prefix(upTo: line.range(of: " payload: ")!.lowerBound))
            }
            let payload = line.range(of: " payload: ").map { String(line[$0.upperBound...]) }
            lines[offset] = (key, payload)
        }
        return lines
    }

    @Test(arguments: partitions)
    func everyRecordDecodesToWhatKafkasDumpShows(_ partition: Int32) throws {
        let records = try Self.decoded(partition)
        let dump = try Self.dumpLines(partition)
        #expect(records.count == dump.count)
        for decoded in records {
            let (key, payload) = try #require(dump[decoded.offset])
            switch decoded.record {
            case .offsetCommit(let k, let v?):
                #expect(key == "offset::\(k.data.group):\(k.data.topic):\(k.data.partition)")
                let metadata = v.data.metadata
                #expect(payload == (metadata.isEmpty ? "\(v.data.offset)" : "\(v.data.offset):\(metadata)"))
            case .groupMetadata(let k, let v?):
                #expect(key == "{\"metadata\":\"\(k.data.group)\"}")
                let group = v.data
                let expectedProtocol = group.protocol.map { "\"\($0)\"" } ?? "null"
                let prefix = "{\"protocolType\":\"\(group.protocolType)\",\"protocol\":\(expectedProtocol),\"generationId\":\(group.generation),\"assignment\":\"{"
                #expect(payload?.hasPrefix(prefix) == true, "\(payload ?? "nil")")
                #expect(group.members.allSatisfy { payload?.contains("{\($0.memberId)=") == true })
                #expect(group.leader == group.members.first?.memberId)
            case .offsetCommit(_, nil), .groupMetadata(_, nil):
                #expect(key == nil && payload == nil, "Kafka prints neither key nor payload for a tombstone")
            }
        }
    }

    @Test(arguments: partitions)
    func everyRecordReencodesToItsBytes(_ partition: Int32) throws {
        for decoded in try Self.decoded(partition) {
            #expect(decoded.record.keyBuffer == decoded.key, "offset \(decoded.offset)")
            #expect(decoded.record.valueBuffer == decoded.value, "offset \(decoded.offset)")
        }
    }

    /// What the dump does not show: Kafka 2.3 (inter.broker.protocol.version 2.3-IV1) wrote every
    /// key and value at the newest version, and librdkafka's commits carried leader epoch 0, its
    /// explicit commit with metadata -1 and the metadata's trailing NUL.
    @Test func fxGroupFieldsBeyondTheDump() throws {
        let records = try Self.decoded(0)
        #expect(records.count == 10)
        guard case .groupMetadata(let key, let value?) = records[0].record else { Issue.record("offset 0"); return }
        #expect(key.version == 2 && key.data.group == "fx-group")
        #expect(value.version == 3)
        #expect(value.data.protocolType == "consumer" && value.data.protocol == "range" && value.data.generation == 1)
        let member = try #require(value.data.members.first)
        #expect(value.data.members.count == 1)
        #expect(member.memberId.hasPrefix("fx-group-member-a-"))
        #expect(member.clientId == "fx-group-member-a")
        #expect(member.clientHost == "/127.0.0.1")
        #expect(member.groupInstanceId == nil)
        #expect(member.sessionTimeout == 10_000)
        #expect(value.data.currentStateTimestamp > 1_796_000_000_000)

        guard case .offsetCommit(let commitKey, let commit?) = records[1].record else { Issue.record("offset 1"); return }
        #expect(commitKey.version == 1 && commit.version == 3)
        #expect(commitKey.data == OffsetCommitKey(group: "fx-group", topic: "fx-orders", partition: 1))
        #expect(commit.data.offset == 6 && commit.data.leaderEpoch == 0 && commit.data.metadata == "")
        #expect(commit.data.expireTimestamp == -1)
        // The time the OffsetCommit was handled, a few ms before the append stamped the batch (…076).
        #expect(commit.data.commitTimestamp == 1_796_246_628_072)

        guard case .offsetCommit(_, let withMetadata?) = records[3].record else { Issue.record("offset 3"); return }
        #expect(withMetadata.data.offset == 56 && withMetadata.data.metadata == "fx-meta\0" && withMetadata.data.leaderEpoch == -1)

        guard case .groupMetadata(_, let empty?) = records[5].record else { Issue.record("offset 5"); return }
        #expect(empty.data.members.isEmpty && empty.data.protocol == nil && empty.data.leader == nil && empty.data.generation == 2)
    }

    @Test func deleteGroupsWroteTwoTombstones() throws {
        let records = try Self.decoded(8)
        #expect(records.map(\.record.isTombstone) == [false, false, false, true, true])
        #expect(records[3].record == .offsetCommitTombstone(group: "fx-deleted", topicPartition: TopicPartition("fx-orders", 2)))
        #expect(records[4].record == .groupMetadataTombstone(group: "fx-deleted"))
        #expect(records.allSatisfy { $0.record.groupId == "fx-deleted" })
    }

    /// The builders give Kafka's own bytes for the records the fixtures hold.
    @Test func buildersWriteWhatKafkaWrote() throws {
        let ibp = try #require(ApiVersion("2.3-IV1"))
        for partition in Self.partitions {
            for decoded in try Self.decoded(partition) {
                let rebuilt: OffsetsTopicRecord
                switch decoded.record {
                case .offsetCommit(let key, let value?):
                    rebuilt = .offsetCommit(
                        group: key.data.group, topicPartition: TopicPartition(key.data.topic, key.data.partition), value: value.data,
                        interBrokerProtocolVersion: ibp)
                case .groupMetadata(let key, let value?):
                    rebuilt = .groupMetadata(group: key.data.group, value: value.data, interBrokerProtocolVersion: ibp)
                case .offsetCommit(let key, nil):
                    rebuilt = .offsetCommitTombstone(group: key.data.group, topicPartition: TopicPartition(key.data.topic, key.data.partition))
                case .groupMetadata(let key, nil):
                    rebuilt = .groupMetadataTombstone(group: key.data.group)
                }
                #expect(rebuilt.keyBuffer == decoded.key, "partition \(partition) offset \(decoded.offset)")
                #expect(rebuilt.valueBuffer == decoded.value, "partition \(partition) offset \(decoded.offset)")
            }
        }
    }
}
