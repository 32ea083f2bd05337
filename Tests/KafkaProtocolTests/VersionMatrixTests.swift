import KafkaProtocol
import NIOCore
import Testing

/// Every API at every version its codec handles: a sample with all fields set is written,
/// read back (consuming exactly the bytes written) and written again to the same bytes. At the
/// highest supported version, where every field exists, the value read back equals the sample.
/// Catches a field written under one version condition and read under another. Also feeds
/// every proper prefix of each encoding to the decoder, which must throw and never trap.
@Suite struct VersionMatrixTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var check: @Sendable () throws -> Void
        var description: String { name }
    }

    static func cases() -> [Case] {
        [
            make(ApiVersions.self, MessageSamples.apiVersions),
            make(Metadata.self, MessageSamples.metadata),
            make(Produce.self, MessageSamples.produce),
            make(Fetch.self, MessageSamples.fetch),
            make(ListOffsets.self, MessageSamples.listOffsets),
            make(CreateTopics.self, MessageSamples.createTopics),
            make(DeleteTopics.self, MessageSamples.deleteTopics),
            make(CreatePartitions.self, MessageSamples.createPartitions),
            make(DescribeConfigs.self, MessageSamples.describeConfigs),
            make(AlterConfigs.self, MessageSamples.alterConfigs),
            make(DeleteRecords.self, MessageSamples.deleteRecords),
            make(OffsetForLeaderEpoch.self, MessageSamples.offsetForLeaderEpoch),
            make(DescribeLogDirs.self, MessageSamples.describeLogDirs),
            make(LeaderAndIsr.self, MessageSamples.leaderAndIsr),
            make(UpdateMetadata.self, MessageSamples.updateMetadata),
            make(StopReplica.self, MessageSamples.stopReplica),
            make(ControlledShutdown.self, MessageSamples.controlledShutdown),
            make(FindCoordinator.self, MessageSamples.findCoordinator),
            make(JoinGroup.self, MessageSamples.joinGroup),
            make(SyncGroup.self, MessageSamples.syncGroup),
            make(Heartbeat.self, MessageSamples.heartbeat),
            make(LeaveGroup.self, MessageSamples.leaveGroup),
            make(OffsetCommit.self, MessageSamples.offsetCommit),
            make(OffsetFetch.self, MessageSamples.offsetFetch),
        ]
    }

    static func make<API: KafkaAPI>(_ api: API.Type, _ sample: (API.Request, API.Response)) -> Case {
        Case(name: "\(API.key)") {
            for version in API.codecVersions {
                try roundTrip(sample.0, version: version, exact: version == API.codecVersions.upperBound)
                try roundTrip(sample.1, version: version, exact: version == API.codecVersions.upperBound)
            }
        }
    }

    static func roundTrip<Message: KafkaCodable>(_ message: Message, version: Int16, exact: Bool) throws {
        var first = ByteBuffer()
        message.write(into: &first, version: version)
        var reader = first
        let decoded = try Message(from: &reader, version: version)
        #expect(reader.readableBytes == 0, "\(Message.self) v\(version): \(reader.readableBytes) bytes unread")
        var second = ByteBuffer()
        decoded.write(into: &second, version: version)
        #expect(second == first, "\(Message.self) v\(version) does not re-encode to the same bytes")
        if exact { #expect(decoded == message, "\(Message.self) v\(version) lost a field") }

        for length in stride(from: 0, to: first.readableBytes, by: 1) {
            var prefix = first.getSlice(at: first.readerIndex, length: length)!
            #expect(throws: KafkaProtocolError.self, "\(Message.self) v\(version) accepted \(length) of \(first.readableBytes) bytes") {
                _ = try Message(from: &prefix, version: version)
                // A prefix that happens to parse must at least not be the whole message.
                if prefix.readableBytes == 0 { throw KafkaProtocolError.truncated("parsed a prefix") }
            }
        }
    }

    @Test(arguments: cases())
    func everyVersionRoundTrips(_ testCase: Case) throws {
        try testCase.check()
    }

    /// Every golden request and response with each byte in turn replaced by values that make
    /// lengths negative, huge or zero: decoding must throw or succeed, never trap.
    @Test(arguments: Fixtures.allPairs())
    func corruptedFixturesNeverTrap(_ pair: Fixtures.Pair) throws {
        var requestBody = try FixtureDecoding.body(ofFrame: try Fixtures.requestFrame(pair))
        let header = try RequestHeader(from: &requestBody)
        let api = try #require(header.apiKey.api)
        let version = header.apiKey == .apiVersions
            ? ApiVersions.responseVersion(forRequestVersion: header.apiVersion) : header.apiVersion
        var responseBody = try FixtureDecoding.body(ofFrame: try Fixtures.responseFrame(pair))
        _ = try ResponseHeader(from: &responseBody, headerVersion: api.responseHeaderVersion(for: version))
        Self.mutate(api, requestBody, version: header.apiVersion, request: true)
        Self.mutate(api, responseBody, version: version, request: false)
    }

    static func mutate<API: KafkaAPI>(_ api: API.Type, _ body: ByteBuffer, version: Int16, request: Bool) {
        // Large bodies (metadata for 100 partitions, config dumps) are probed at their start.
        let positions = min(body.readableBytes, 160)
        for position in 0..<positions {
            for value: UInt8 in [0xff, 0x80, 0x00] {
                var corrupted = body
                corrupted.setInteger(value, at: body.readerIndex + position)
                if request {
                    _ = try? API.Request(from: &corrupted, version: version)
                } else {
                    _ = try? API.Response(from: &corrupted, version: version)
                }
            }
        }
    }
}
