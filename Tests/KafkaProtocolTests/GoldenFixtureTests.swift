import KafkaProtocol
import NIOCore
import Testing

/// Every copied fixture frame must decode (header and body, with no byte left over) and encode
/// back to exactly the same bytes. Requests and responses of all clients and the broker's own
/// controller traffic; see `Fixtures/`.
@Suite struct GoldenFixtureTests {
    @Test(arguments: Fixtures.allPairs())
    func requestRoundTrips(_ pair: Fixtures.Pair) throws {
        let file = try Fixtures.requestFrame(pair)
        var frame = try FixtureDecoding.body(ofFrame: file)
        let header = try RequestHeader(from: &frame)
        #expect(header.apiKey == ApiKey(name: pair.apiName))
        #expect(header.apiVersion == pair.version)
        let api = try #require(header.apiKey.api, "no codec for \(header.apiKey)")
        let reencoded = try Self.reencodeRequest(api, header: header, body: &frame)
        #expect(reencoded.hexDump == file.hexDump)
    }

    @Test(arguments: Fixtures.allPairs())
    func responseRoundTrips(_ pair: Fixtures.Pair) throws {
        var requestFrame = try FixtureDecoding.body(ofFrame: try Fixtures.requestFrame(pair))
        let requestHeader = try RequestHeader(from: &requestFrame)
        let api = try #require(requestHeader.apiKey.api, "no codec for \(requestHeader.apiKey)")
        // Kafka answers an ApiVersions request it does not support in v0.
        let version = requestHeader.apiKey == .apiVersions
            ? ApiVersions.responseVersion(forRequestVersion: requestHeader.apiVersion) : requestHeader.apiVersion

        let file = try Fixtures.responseFrame(pair)
        var frame = try FixtureDecoding.body(ofFrame: file)
        let header = try ResponseHeader(from: &frame, headerVersion: api.responseHeaderVersion(for: version))
        #expect(header.correlationId == requestHeader.correlationId)
        let reencoded = try Self.reencodeResponse(api, correlationId: header.correlationId, version: version, body: &frame)
        #expect(reencoded.hexDump == file.hexDump)
    }

    static func reencodeRequest<API: KafkaAPI>(_ api: API.Type, header: RequestHeader, body: inout ByteBuffer) throws -> ByteBuffer {
        let request = try API.decodeRequest(from: &body, version: header.apiVersion)
        var out = ByteBuffer()
        API.writeRequestFrame(request, header: header, into: &out)
        return out
    }

    static func reencodeResponse<API: KafkaAPI>(
        _ api: API.Type, correlationId: Int32, version: Int16, body: inout ByteBuffer
    ) throws -> ByteBuffer {
        let response = try API.decodeResponse(from: &body, version: version)
        var out = ByteBuffer()
        API.writeResponseFrame(response, correlationId: correlationId, version: version, into: &out)
        return out
    }

    /// The implemented APIs the captures hold no frame of: why, and which test writes their
    /// layouts out by hand instead.
    static let withoutFixtures: [ApiKey: String] = [
        .describeLogDirs: "pair dropped, its response held a local path; request rebuilt in OlderVersionLayoutTests",
        .offsetForLeaderEpoch: "one broker, replication factor 1: no follower; OffsetForLeaderEpochLayoutTests",
        .saslHandshake: "PLAINTEXT listener only; SaslLayoutTests",
        .saslAuthenticate: "PLAINTEXT listener only; SaslLayoutTests",
        .createAcls: "no authorizer, only DescribeAcls was sent; AclLayoutTests",
        .deleteAcls: "no authorizer, only DescribeAcls was sent; AclLayoutTests",
        .alterReplicaLogDirs: "one log directory, nowhere to move a replica; ReplicaAdminLayoutTests",
        .electLeaders: "no preferred-leader election was asked for; ReplicaAdminLayoutTests",
        .createDelegationToken: "no delegation.token.master.key; DelegationTokenLayoutTests",
        .renewDelegationToken: "no delegation.token.master.key; DelegationTokenLayoutTests",
        .expireDelegationToken: "no delegation.token.master.key; DelegationTokenLayoutTests",
        .describeDelegationToken: "no delegation.token.master.key; DelegationTokenLayoutTests",
    ]

    @Test func everyImplementedApiHasFixtures() {
        let covered = Set(Fixtures.allPairs().compactMap { ApiKey(name: $0.apiName) })
        for api in KafkaAPIs.all where Self.withoutFixtures[api.key] == nil {
            #expect(covered.contains(api.key), "no golden fixture for \(api.key)")
        }
        for key in Self.withoutFixtures.keys {
            #expect(!covered.contains(key), "\(key) has fixtures now: take it off the list")
        }
    }
}
