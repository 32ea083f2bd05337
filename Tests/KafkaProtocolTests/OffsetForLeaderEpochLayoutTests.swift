import KafkaCommon
import KafkaProtocol
import NIOCore
import Testing

/// OffsetForLeaderEpoch byte layouts, written out by hand from Kafka 2.3's field lists
/// (`OffsetsForLeaderEpochRequest`/`Response` schemas v0–v3): the golden captures hold none,
/// since only a follower or a v3 consumer sends this request. Each case decodes the bytes, checks
/// the fields (and the defaults of fields the version lacks), and encodes them back.
@Suite struct OffsetForLeaderEpochLayoutTests {
    let bytes = PrimitivesTests.bytes

    func check<Message: KafkaCodable>(
        _ type: Message.Type, version: Int16, _ hex: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Message {
        try checkLayout(type, version: version, hex, sourceLocation: sourceLocation)
    }

    // topics [ "t": partitions [ 1 ] ]
    static let topicT = "00000001 0001 74 00000001 00000001"

    @Test func requestV0AndV1() throws {
        for version: Int16 in [0, 1] {
            // ... leader_epoch 5
            let request = try check(OffsetForLeaderEpoch.Request.self, version: version, Self.topicT + " 00000005")
            let partition = try #require(request.topics.first?.partitions.first)
            #expect(request.topics.first?.name == "t")
            #expect(partition == OffsetForLeaderEpoch.Partition(partitionIndex: 1, currentLeaderEpoch: -1, leaderEpoch: 5))
            #expect(request.replicaId == OffsetForLeaderEpoch.debuggingReplicaId && request.replicaId == BrokerId(-2))
        }
    }

    @Test func requestV2AddsTheCurrentLeaderEpochBeforeTheEpochAsked() throws {
        // ... current_leader_epoch 6, leader_epoch 5
        let request = try check(OffsetForLeaderEpoch.Request.self, version: 2, Self.topicT + " 00000006 00000005")
        #expect(request.topics.first?.partitions.first == OffsetForLeaderEpoch.Partition(partitionIndex: 1, currentLeaderEpoch: 6, leaderEpoch: 5))
        #expect(request.replicaId == -2)
    }

    @Test func requestV3StartsWithTheReplicaId() throws {
        let request = try check(OffsetForLeaderEpoch.Request.self, version: 3, "00000002 " + Self.topicT + " 00000006 00000005")
        #expect(request.replicaId == 2)
        let consumer = try check(OffsetForLeaderEpoch.Request.self, version: 3, "ffffffff 00000000")
        #expect(consumer.replicaId == OffsetForLeaderEpoch.consumerReplicaId && consumer.topics.isEmpty)
    }

    @Test func olderVersionsDropTheFieldsTheyLack() throws {
        let request = OffsetForLeaderEpoch.Request(replicaId: 2, topics: [
            OffsetForLeaderEpoch.Topic(name: "t", partitions: [OffsetForLeaderEpoch.Partition(partitionIndex: 1, currentLeaderEpoch: 6, leaderEpoch: 5)]),
        ])
        var v0 = ByteBuffer()
        request.write(into: &v0, version: 0)
        #expect(v0 == bytes(Self.topicT + " 00000005"))
        let response = OffsetForLeaderEpoch.Response(throttleTimeMs: 3, topics: [
            OffsetForLeaderEpoch.TopicResult(name: "t", partitions: [OffsetForLeaderEpoch.PartitionResult(partitionIndex: 1, leaderEpoch: 4, endOffset: 120)]),
        ])
        var response0 = ByteBuffer()
        response.write(into: &response0, version: 0)
        #expect(response0 == bytes("00000001 0001 74 00000001 0000 00000001 0000000000000078"))
    }

    @Test func responseV0() throws {
        // error_code 0, partition 1, end_offset 120
        let response = try check(OffsetForLeaderEpoch.Response.self, version: 0, "00000001 0001 74 00000001 0000 00000001 0000000000000078")
        let partition = try #require(response.topics.first?.partitions.first)
        #expect(partition == OffsetForLeaderEpoch.PartitionResult(errorCode: .none, partitionIndex: 1, leaderEpoch: -1, endOffset: 120))
        #expect(response.throttleTimeMs == 0)
    }

    @Test func responseV1AddsTheEpochOfTheAnswer() throws {
        let response = try check(OffsetForLeaderEpoch.Response.self, version: 1, """
            00000001 0001 74 00000001 0000 00000001 00000004 0000000000000078
            """)
        #expect(response.topics.first?.partitions.first?.leaderEpoch == 4)
    }

    @Test func responseV2AndV3StartWithTheThrottleTime() throws {
        for version: Int16 in [2, 3] {
            // throttle 3; FENCED_LEADER_EPOCH (74), partition 1, no epoch, no offset
            let response = try check(OffsetForLeaderEpoch.Response.self, version: version, """
                00000003 00000001 0001 74 00000001 004a 00000001 ffffffff ffffffffffffffff
                """)
            #expect(response.throttleTimeMs == 3)
            #expect(response.topics.first?.partitions.first == OffsetForLeaderEpoch.PartitionResult(
                errorCode: .fencedLeaderEpoch, partitionIndex: 1, leaderEpoch: OffsetForLeaderEpoch.undefinedEpoch,
                endOffset: OffsetForLeaderEpoch.undefinedEpochOffset))
        }
    }

    @Test func wholeRequestFrameV2() throws {
        let header = RequestHeader(apiKey: .offsetForLeaderEpoch, apiVersion: 2, correlationId: 7, clientId: "c")
        let request = OffsetForLeaderEpoch.Request(topics: [
            OffsetForLeaderEpoch.Topic(name: "t", partitions: [OffsetForLeaderEpoch.Partition(partitionIndex: 1, currentLeaderEpoch: 6, leaderEpoch: 5)]),
        ])
        var frame = ByteBuffer()
        OffsetForLeaderEpoch.writeRequestFrame(request, header: header, into: &frame)
        // size 34; header v1: key 23, version 2, correlation 7, client "c"; then the body.
        #expect(frame == bytes("00000022 0017 0002 00000007 0001 63 " + Self.topicT + " 00000006 00000005"))
        #expect(OffsetForLeaderEpoch.requestHeaderVersion(for: 3) == 1)
        #expect(OffsetForLeaderEpoch.responseHeaderVersion(for: 3) == 0)

        _ = frame.readInteger(as: Int32.self)
        let decodedHeader = try RequestHeader(from: &frame)
        #expect(decodedHeader == header)
        #expect(try OffsetForLeaderEpoch.decodeRequest(from: &frame, version: 2) == request)
    }

    @Test func versionsBeyondKafka23sAreRefused() throws {
        var body = bytes("00000000")
        #expect(throws: KafkaProtocolError.unsupportedVersion(apiKey: 23, version: 4)) {
            try OffsetForLeaderEpoch.Request(from: &body, version: 4)
        }
        #expect(ApiKey.offsetForLeaderEpoch.api?.versions == 0...3)
    }
}
