import KafkaProtocol
import NIOCore
import Testing

/// ApiVersions: the Kafka 2.3 answer to v3/v4 requests, and the flexible v3 response.
@Suite struct ApiVersionsTests {
    let bytes = PrimitivesTests.bytes

    @Test func unsupportedVersionAnswerIsKafka23sFourteenBytes() throws {
        let request = try FixtureDecoding.request(ApiVersions.self, Fixtures.pair("kcat", "000_ApiVersions_v3"))
        #expect(request.header.apiVersion == 3)
        #expect(!ApiVersions.versions.contains(request.header.apiVersion))
        let version = ApiVersions.responseVersion(forRequestVersion: request.header.apiVersion)
        #expect(version == 0)
        var out = ByteBuffer()
        ApiVersions.writeResponseFrame(.unsupportedVersion(), correlationId: request.header.correlationId, version: version, into: &out)
        #expect(out == bytes("0000000a 00000001 0023 00000000"))
        #expect(out == (try Fixtures.responseFrame(Fixtures.pair("kcat", "000_ApiVersions_v3"))))
    }

    @Test func kafkaPythonOpensWithV4() throws {
        let request = try FixtureDecoding.request(ApiVersions.self, Fixtures.pair("kafka-python", "000_ApiVersions_v4"))
        #expect(request.header.clientId == "fx-kpy-admin")
        #expect(request.body.clientSoftwareName == "kafka-python")
        #expect(request.body.clientSoftwareVersion == "3.0.12")
        #expect(ApiVersions.responseVersion(forRequestVersion: 4) == 0)
    }

    @Test func supportedVersionsAreAnsweredInKind() {
        #expect(ApiVersions.responseVersion(forRequestVersion: 0) == 0)
        #expect(ApiVersions.responseVersion(forRequestVersion: 2) == 2)
    }

    @Test func v3ResponseWithoutFeaturesHasEmptyTagSections() throws {
        let response = ApiVersions.Response(
            apiKeys: [ApiVersions.ApiVersion(apiKey: .produce, minVersion: 0, maxVersion: 7)], throttleTimeMs: 0
        )
        var buffer = ByteBuffer()
        response.write(into: &buffer, version: 3)
        // error, compact array of 1 (02), entry + its empty tags, throttle, empty top-level tags.
        #expect(buffer == bytes("0000 02 0000 0000 0007 00 00000000 00"))
        #expect(try ApiVersions.decodeResponse(from: &buffer, version: 3) == response)
    }

    @Test func v3DefaultTaggedFieldsAreOmittedAndOthersRoundTrip() throws {
        var response = ApiVersions.Response(apiKeys: KafkaAPIs.advertised)
        response.zkMigrationReady = false
        response.finalizedFeaturesEpoch = -1
        var plain = ByteBuffer()
        response.write(into: &plain, version: 3)
        #expect(plain.getInteger(at: plain.writerIndex - 1, as: UInt8.self) == 0, "no tagged fields at default values")

        response.supportedFeatures = [ApiVersions.SupportedFeature(name: "metadata.version", minVersion: 1, maxVersion: 7)]
        response.finalizedFeaturesEpoch = 12
        response.finalizedFeatures = [ApiVersions.FinalizedFeature(name: "metadata.version", maxVersionLevel: 7, minVersionLevel: 7)]
        response.zkMigrationReady = true
        response.taggedFields = TaggedFields([TaggedField(tag: 9, data: bytes("abcd"))])
        var buffer = ByteBuffer()
        response.write(into: &buffer, version: 3)
        let encoded = buffer
        let decoded = try ApiVersions.decodeResponse(from: &buffer, version: 3)
        #expect(decoded == response)
        var again = ByteBuffer()
        decoded.write(into: &again, version: 3)
        #expect(again == encoded)
    }

    @Test func v3TaggedFieldLayout() throws {
        let response = ApiVersions.Response(apiKeys: [], throttleTimeMs: 5, finalizedFeaturesEpoch: 1, zkMigrationReady: true)
        var buffer = ByteBuffer()
        response.write(into: &buffer, version: 3)
        #expect(buffer == bytes("0000 01 00000005 02 01 08 0000000000000001 03 01 01"))
    }

    @Test func v3RequestRoundTrip() throws {
        let request = ApiVersions.Request(clientSoftwareName: "swift-kafka", clientSoftwareVersion: "0.1")
        var buffer = ByteBuffer()
        request.write(into: &buffer, version: 3)
        #expect(buffer == bytes("0c 73776966742d6b61666b61 04 302e31 00"))
        #expect(try ApiVersions.decodeRequest(from: &buffer, version: 3) == request)
        var old = ByteBuffer()
        request.write(into: &old, version: 2)
        #expect(old.readableBytes == 0)
    }

    @Test func v1AddsThrottleTime() throws {
        let response = ApiVersions.Response(apiKeys: [ApiVersions.ApiVersion(apiKey: .fetch, minVersion: 0, maxVersion: 11)], throttleTimeMs: 3)
        var v0 = ByteBuffer()
        response.write(into: &v0, version: 0)
        #expect(v0 == bytes("0000 00000001 0001 0000 000b"))
        var v1 = ByteBuffer()
        response.write(into: &v1, version: 1)
        #expect(v1 == bytes("0000 00000001 0001 0000 000b 00000003"))
    }
}
