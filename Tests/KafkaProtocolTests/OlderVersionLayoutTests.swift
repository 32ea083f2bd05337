import KafkaCommon
import KafkaProtocol
import NIOCore
import Testing

/// Byte layouts of versions the fixtures do not cover (no client used them against Kafka 2.3),
/// written out by hand from the protocol's field lists, and the fields that only old versions
/// carry. Each case decodes the bytes, checks the fields, and encodes them back.
@Suite struct OlderVersionLayoutTests {
    let bytes = PrimitivesTests.bytes

    func check<Message: KafkaCodable>(
        _ type: Message.Type, version: Int16, _ hex: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Message {
        try checkLayout(type, version: version, hex, sourceLocation: sourceLocation)
    }

    @Test func metadataV0() throws {
        // v0: an empty topic list means all topics.
        let all = try check(Metadata.Request.self, version: 0, "00000000")
        #expect(all.topics == [] && all.topicNames(version: 0) == nil)
        let one = try check(Metadata.Request.self, version: 0, "00000001 0001 74")
        #expect(one.topicNames(version: 0) == ["t"])
        // nil (all topics) writes as v0's empty list.
        var v0 = ByteBuffer()
        Metadata.Request(topicNames: nil).write(into: &v0, version: 0)
        #expect(v0 == bytes("00000000"))
        // v1: null is all, empty is none.
        #expect(try check(Metadata.Request.self, version: 1, "ffffffff").topicNames(version: 1) == nil)
        #expect(try check(Metadata.Request.self, version: 1, "00000000").topicNames(version: 1) == [])
        #expect(try check(Metadata.Request.self, version: 4, "00000000 00").allowAutoTopicCreation == false)

        let response = try check(Metadata.Response.self, version: 0, """
            00000001 00000001 0001 68 00002384
            00000001 0000 0001 74 00000001 0000 00000000 00000001 00000001 00000001 00000001 00000001
            """)
        #expect(response.brokers == [Metadata.Broker(nodeId: 1, host: "h", port: 9092)])
        #expect(response.controllerId == .none)
        #expect(response.topics.first?.partitions.first?.leaderId == 1)
    }

    @Test func produceV0() throws {
        let request = try check(Produce.Request.self, version: 0, "0001 00000064 00000001 0001 74 00000001 00000000 00000003 aabbcc")
        #expect(request.acks == 1)
        #expect(request.topicData.first?.partitionData.first?.records == bytes("aabbcc"))
        let response = try check(Produce.Response.self, version: 0, "00000001 0001 74 00000001 00000000 0000 000000000000002a")
        #expect(response.responses.first?.partitionResponses.first?.baseOffset == 42)
        // v2 adds the log append time.
        let v2 = try check(Produce.Response.self, version: 2, "00000001 0001 74 00000001 00000000 0000 000000000000002a 00000000000003e8 00000000")
        #expect(v2.responses.first?.partitionResponses.first?.logAppendTimeMs == 1000)
    }

    @Test func fetchV0AndV4() throws {
        let request = try check(Fetch.Request.self, version: 0, "ffffffff 000001f4 00000001 00000001 0001 74 00000001 00000000 000000000000000a 00000064")
        #expect(request.topics.first?.partitions.first?.fetchOffset == 10)
        #expect(request.maxBytes == Int32.max)
        let v4 = try check(Fetch.Response.self, version: 4, """
            00000000 00000001 0001 74 00000001 00000000 0000 0000000000000014 0000000000000012 ffffffff ffffffff
            """)
        let partition = try #require(v4.responses.first?.partitions.first)
        #expect(partition.abortedTransactions == nil)
        #expect(partition.records == nil)
        #expect(partition.lastStableOffset == 18)
    }

    @Test func listOffsetsV0() throws {
        let request = try check(ListOffsets.Request.self, version: 0, "ffffffff 00000001 0001 74 00000001 00000000 ffffffffffffffff 00000005")
        #expect(request.topics.first?.partitions.first?.maxNumOffsets == 5)
        let response = try check(ListOffsets.Response.self, version: 0, """
            00000001 0001 74 00000001 00000000 0000 00000002 0000000000000009 0000000000000000
            """)
        #expect(response.topics.first?.partitions.first?.oldStyleOffsets == [9, 0])
        let v1 = try check(ListOffsets.Response.self, version: 1, "00000001 0001 74 00000001 00000000 0000 000000000000004d 0000000000000009")
        #expect(v1.topics.first?.partitions.first?.timestamp == 77)
    }

    @Test func offsetCommitV0ToV2() throws {
        let v0 = try check(OffsetCommit.Request.self, version: 0, "0001 67 00000001 0001 74 00000001 00000000 000000000000000f ffff")
        #expect(v0.generationId == -1)
        let v1 = try check(OffsetCommit.Request.self, version: 1, """
            0001 67 00000002 0001 6d 00000001 0001 74 00000001 00000000 000000000000000f 000000000000007b ffff
            """)
        #expect(v1.topics.first?.partitions.first?.commitTimestamp == 123)
        let v2 = try check(OffsetCommit.Request.self, version: 2, """
            0001 67 00000002 0001 6d 00000000000003e8 00000001 0001 74 00000001 00000000 000000000000000f 0000
            """)
        #expect(v2.retentionTimeMs == 1000)
        #expect(v2.topics.first?.partitions.first?.committedMetadata == "")
    }

    @Test func offsetFetchV1CannotSayAllTopics() throws {
        let request = OffsetFetch.Request(groupId: "g", topics: nil)
        var v1 = ByteBuffer()
        request.write(into: &v1, version: 1)
        #expect(v1 == bytes("0001 67 00000000"))
        var v2 = ByteBuffer()
        request.write(into: &v2, version: 2)
        #expect(v2 == bytes("0001 67 ffffffff"))
    }

    @Test func describeConfigsV0() throws {
        let response = try check(DescribeConfigs.Response.self, version: 0, """
            00000000 00000001 0000 ffff 02 0001 74 00000001 0001 61 0001 31 00 01 00
            """)
        let config = try #require(response.results.first?.configs.first)
        #expect(config.isDefault)
        #expect(config.configSource == -1)
        let request = try check(DescribeConfigs.Request.self, version: 0, "00000001 04 0001 30 ffffffff")
        #expect(request.resources.first?.configurationKeys == nil)
    }

    @Test func joinGroupV0() throws {
        let request = try check(JoinGroup.Request.self, version: 0, "0001 67 00002710 0000 0008 636f6e73756d6572 00000001 0005 72616e6765 00000000")
        #expect(request.sessionTimeoutMs == 10000)
        #expect(request.rebalanceTimeoutMs == -1)
        #expect(request.protocols.first?.name == "range")
    }

    @Test func leaderAndIsrV0ListsPartitionsFlat() throws {
        // Four partition states, topics a, a, b, a: grouped into three runs, flattened back.
        var wire = ByteBuffer()
        wire.writeInt32(1)
        wire.writeInt32(3)
        wire.writeInt32(4)
        for (topic, partition) in [("a", 0), ("a", 1), ("b", 0), ("a", 2)] {
            wire.writeKafkaString(topic)
            wire.writeInt32(Int32(partition))
            wire.writeInt32(3)
            wire.writeInt32(1)
            wire.writeInt32(5)
            wire.writeInt32Array([1])
            wire.writeInt32(7)
            wire.writeInt32Array([1, 2])
        }
        wire.writeInt32(0)
        var reader = wire
        let request = try LeaderAndIsr.Request(from: &reader, version: 0)
        #expect(reader.readableBytes == 0)
        #expect(request.topicStates.isEmpty)
        let byTopic = request.partitionStatesByTopic
        #expect(byTopic.map(\.topicName) == ["a", "b", "a"])
        #expect(byTopic.map { $0.partitionStates.map(\.partitionIndex) } == [[0, 1], [0], [2]])
        #expect(byTopic.first?.partitionStates.first?.isNew == false)
        var out = ByteBuffer()
        request.write(into: &out, version: 0)
        #expect(out == wire)
        // The by-topic builder lays the groups out flat again, each state named by its topic.
        let rebuilt = LeaderAndIsr.Request(controllerId: 1, controllerEpoch: 3, topicStates: byTopic, liveLeaders: [], version: 0)
        #expect(rebuilt == request)
        let grouped = LeaderAndIsr.Request(controllerId: 1, controllerEpoch: 3, topicStates: byTopic, liveLeaders: [], version: 2)
        #expect(grouped.partitionStates.isEmpty)
        #expect(grouped.partitionStatesByTopic == byTopic)
    }

    @Test func updateMetadataBrokerLayouts() throws {
        let v0 = try check(UpdateMetadata.Request.self, version: 0, "00000001 00000003 00000000 00000001 00000001 0001 68 00002384")
        #expect(v0.liveBrokers.first?.endpoints == [])
        #expect(v0.liveBrokers.first?.allEndpoints == [UpdateMetadata.Endpoint(port: 9092, host: "h", listener: "", securityProtocol: 0)])
        // The builder gives a v0 broker the host and port of its PLAINTEXT endpoint.
        let endpoints = [UpdateMetadata.Endpoint(port: 9093, host: "s", listener: "SSL", securityProtocol: 1),
                         UpdateMetadata.Endpoint(port: 9092, host: "h", listener: "PLAINTEXT", securityProtocol: 0)]
        let built = UpdateMetadata.Request(controllerId: 1, controllerEpoch: 3, topicStates: [],
                                           liveBrokers: [UpdateMetadata.Broker(id: 1, endpoints: endpoints, rack: "r")], version: 0)
        #expect(built == v0)
        let v1 = try check(UpdateMetadata.Request.self, version: 1, "00000001 00000003 00000000 00000001 00000001 00000001 00002384 0001 68 0000")
        #expect(v1.liveBrokers.first?.rack == nil)
        let v2 = try check(UpdateMetadata.Request.self, version: 2, "00000001 00000003 00000000 00000001 00000001 00000001 00002384 0001 68 0001 0002 7231")
        #expect(v2.liveBrokers.first?.rack == "r1")
        let v3 = try check(UpdateMetadata.Request.self, version: 3, """
            00000001 00000003 00000000 00000001 00000001 00000001 00002384 0001 68 0009 504c41494e54455854 0000 ffff
            """)
        #expect(v3.liveBrokers.first?.endpoints.first?.listener == "PLAINTEXT")
        let partitions = try check(UpdateMetadata.Request.self, version: 4, """
            00000001 00000003 00000001 0001 74 00000000 00000003 00000001 00000005 00000001 00000001 00000007
            00000001 00000001 00000001 00000002 00000000
            """)
        #expect(partitions.partitionStatesByTopic.map(\.topicName) == ["t"])
        #expect(partitions.partitionStatesByTopic.first?.partitionStates.first?.offlineReplicas == [2])
        let rebuilt = UpdateMetadata.Request(controllerId: 1, controllerEpoch: 3, topicStates: partitions.partitionStatesByTopic,
                                             liveBrokers: [], version: 4)
        #expect(rebuilt == partitions)
    }

    @Test func stopReplicaV0ListsPartitionsFlat() throws {
        let request = try check(StopReplica.Request.self, version: 0, "00000001 00000003 01 00000002 0001 61 00000000 0001 61 00000001")
        #expect(request.deletePartitions)
        #expect(request.brokerEpoch == -1)
        #expect(request.topics.isEmpty)
        #expect(request.partitionsByTopic == [StopReplica.Topic(name: "a", partitionIndexes: [0, 1])])
        let rebuilt = StopReplica.Request(controllerId: 1, controllerEpoch: 3, deletePartitions: true,
                                          topics: request.partitionsByTopic, version: 0)
        #expect(rebuilt == request)
    }

    /// The request of the DescribeLogDirs pair that was dropped from the fixture set (its
    /// response held the capture machine's path), rebuilt from what `decoded.txt` records:
    /// `size=27 … correlation_id=4 client_id="log-dirs-tool"`, `topics = null`.
    @Test func describeLogDirsRequestFromDecodedFixture() throws {
        let frame = bytes("0000001b 0023 0001 00000004 000d 6c6f672d646972732d746f6f6c ffffffff")
        var body = try FixtureDecoding.body(ofFrame: frame)
        let header = try RequestHeader(from: &body)
        #expect(header.clientId == "log-dirs-tool")
        let request = try DescribeLogDirs.decodeRequest(from: &body, version: header.apiVersion)
        #expect(request.topics == nil)
        var out = ByteBuffer()
        DescribeLogDirs.writeRequestFrame(request, header: header, into: &out)
        #expect(out == frame)

        // Its response, from the same record: one directory, fx-java's partition 0 with 1015 bytes.
        let response = DescribeLogDirs.Response(results: [DescribeLogDirs.Result(logDir: "<log.dirs>", topics: [
            DescribeLogDirs.TopicResult(name: "fx-java", partitions: [DescribeLogDirs.PartitionResult(partitionIndex: 0, partitionSize: 1015)]),
        ])])
        var encoded = ByteBuffer()
        response.write(into: &encoded, version: 1)
        #expect(encoded == bytes("""
            00000000 00000001 0000 000a 3c6c6f672e646972733e 00000001 0007 66782d6a617661
            00000001 00000000 00000000000003f7 0000000000000000 00
            """))
    }
}
