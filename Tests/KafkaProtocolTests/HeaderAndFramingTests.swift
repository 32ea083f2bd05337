import KafkaProtocol
import NIOCore
import Testing

/// Request/response headers, the rule that picks their version, and size-prefixed frames.
@Suite struct HeaderAndFramingTests {
    let bytes = PrimitivesTests.bytes

    // MARK: Request header

    @Test func requestHeaderV1HasNullableClientId() throws {
        let header = RequestHeader(apiKey: .metadata, apiVersion: 4, correlationId: 3, clientId: "rdkafka")
        var buffer = ByteBuffer()
        header.write(into: &buffer)
        #expect(buffer == bytes("0003 0004 00000003 0007 72646b61666b61"))
        var reader = buffer
        #expect(try RequestHeader(from: &reader) == header)
        #expect(reader.readableBytes == 0)
    }

    @Test func nullClientIdRoundTrips() throws {
        let header = RequestHeader(apiKey: .fetch, apiVersion: 11, correlationId: -5, clientId: nil)
        var buffer = ByteBuffer()
        header.write(into: &buffer)
        #expect(buffer == bytes("0001 000b fffffffb ffff"))
        #expect(try RequestHeader(from: &buffer) == header)
    }

    @Test func flexibleApiVersionsUsesHeaderV2WithStringClientId() throws {
        // kcat's opening request (fixture kcat/000_ApiVersions_v3) without its size prefix.
        var buffer = bytes("0012 0003 00000001 0007 72646b61666b61 00 0b6c696272646b61666b61 06322e302e32 00")
        let header = try RequestHeader(from: &buffer)
        #expect(header.headerVersion == 2)
        #expect(header.clientId == "rdkafka")
        #expect(header.taggedFields.isEmpty)
        let body = try ApiVersions.decodeRequest(from: &buffer, version: header.apiVersion)
        #expect(body.clientSoftwareName == "librdkafka")
        #expect(body.clientSoftwareVersion == "2.0.2")
    }

    @Test func headerV2PreservesUnknownTaggedFields() throws {
        var buffer = bytes("0012 0003 00000009 ffff 01 07 02 beef")
        let header = try RequestHeader(from: &buffer)
        #expect(header.clientId == nil)
        #expect(header.taggedFields[7] == bytes("beef"))
        var out = ByteBuffer()
        header.write(into: &out)
        #expect(out == bytes("0012 0003 00000009 ffff 01 07 02 beef"))
    }

    @Test func controlledShutdownV0UsesHeaderV0() throws {
        #expect(ApiKey.controlledShutdown.requestHeaderVersion(for: 0) == 0)
        #expect(ApiKey.controlledShutdown.requestHeaderVersion(for: 1) == 1)
        var buffer = bytes("0007 0000 0000002a 00000003")
        let header = try RequestHeader(from: &buffer)
        #expect(header.clientId == nil)
        #expect(header.correlationId == 42)
        let request = try ControlledShutdown.decodeRequest(from: &buffer, version: 0)
        #expect(request.brokerId == 3)
    }

    @Test func headerVersionRules() {
        #expect(ApiKey.produce.requestHeaderVersion(for: 7) == 1)
        #expect(ApiKey.produce.requestHeaderVersion(for: 9) == 2)
        #expect(ApiKey.fetch.requestHeaderVersion(for: 11) == 1)
        #expect(ApiKey.fetch.requestHeaderVersion(for: 12) == 2)
        #expect(ApiKey.apiVersions.requestHeaderVersion(for: 2) == 1)
        #expect(ApiKey.apiVersions.requestHeaderVersion(for: 3) == 2)
        #expect(ApiKey.apiVersions.requestHeaderVersion(for: 4) == 2)
        // An API without a codec is read with header v1.
        #expect(ApiKey.saslHandshake.requestHeaderVersion(for: 1) == 1)
        #expect(ApiKey(rawValue: 999).requestHeaderVersion(for: 0) == 1)

        #expect(ApiKey.metadata.responseHeaderVersion(for: 8) == 0)
        #expect(ApiKey.metadata.responseHeaderVersion(for: 9) == 1)
        // ApiVersions responses always use header v0, even flexible ones.
        #expect(ApiKey.apiVersions.responseHeaderVersion(for: 3) == 0)
    }

    @Test func truncatedHeadersThrow() {
        var tooShort = bytes("0003 00")
        #expect(throws: KafkaProtocolError.self) { try RequestHeader(from: &tooShort) }
        var noClientId = bytes("0003 0004 00000003 00")
        #expect(throws: KafkaProtocolError.self) { try RequestHeader(from: &noClientId) }
        var noTags = bytes("0012 0003 00000001 0000")
        #expect(throws: KafkaProtocolError.self) { try RequestHeader(from: &noTags) }
    }

    // MARK: Response header

    @Test func responseHeaders() throws {
        var v0 = ByteBuffer()
        ResponseHeader(correlationId: 7).write(into: &v0, headerVersion: 0)
        #expect(v0 == bytes("00000007"))
        var v1 = ByteBuffer()
        ResponseHeader(correlationId: 7).write(into: &v1, headerVersion: 1)
        #expect(v1 == bytes("00000007 00"))
        #expect(try ResponseHeader(from: &v1, headerVersion: 1) == ResponseHeader(correlationId: 7))
        var short = bytes("0000")
        #expect(throws: KafkaProtocolError.self) { try ResponseHeader(from: &short, headerVersion: 0) }
    }

    // MARK: Frames

    @Test func frameDecoderWaitsForWholeFrames() throws {
        var stream = bytes("00000003 aabb")
        #expect(try KafkaFrameDecoder.nextFrame(in: &stream, maxSize: 100) == nil)
        #expect(stream.readableBytes == 6, "nothing consumed while incomplete")
        stream.writeBytes([0xcc, 0x00, 0x00])
        let frame = try KafkaFrameDecoder.nextFrame(in: &stream, maxSize: 100)
        #expect(frame == bytes("aabbcc"))
        #expect(try KafkaFrameDecoder.nextFrame(in: &stream, maxSize: 100) == nil)
        #expect(stream.readableBytes == 2)
    }

    @Test func framesBackToBack() throws {
        var stream = bytes("00000001 01 00000000 00000002 0203")
        var frames: [ByteBuffer] = []
        while let frame = try KafkaFrameDecoder.nextFrame(in: &stream, maxSize: 100) { frames.append(frame) }
        #expect(frames == [bytes("01"), ByteBuffer(), bytes("0203")])
    }

    @Test func oversizedOrNegativeFramesAreRejectedAtOnce() {
        // Only the size has arrived: the verdict does not wait for the body.
        var tooBig = bytes("00000065")
        #expect(throws: KafkaProtocolError.self) { try KafkaFrameDecoder.nextFrame(in: &tooBig, maxSize: 100) }
        var negative = bytes("ffffffff")
        #expect(throws: KafkaProtocolError.self) { try KafkaFrameDecoder.nextFrame(in: &negative, maxSize: 100) }
        var exactlyMax = bytes("00000002 0000")
        #expect(throws: Never.self) { try KafkaFrameDecoder.nextFrame(in: &exactlyMax, maxSize: 2) }
    }

    @Test func decoderConformanceUsesTheConfiguredLimit() throws {
        var decoder = KafkaFrameDecoder(maxFrameSize: 4)
        var ok = bytes("00000004 01020304")
        #expect(try decoder.decode(buffer: &ok) == bytes("01020304"))
        var bad = bytes("00000005 0102030405")
        #expect(throws: (any Error).self) { try decoder.decode(buffer: &bad) }
        #expect(KafkaFrameDecoder().maxFrameSize == 104_857_600)
    }

    @Test func writeKafkaFrameFillsInTheSize() {
        var buffer = bytes("ee")
        buffer.writeKafkaFrame { $0.writeInt16(0x0102) }
        #expect(buffer == bytes("ee 00000002 0102"))
    }

    @Test func wholeResponseFrame() {
        var buffer = ByteBuffer()
        Heartbeat.writeResponseFrame(Heartbeat.Response(errorCode: .rebalanceInProgress), correlationId: 9, version: 3, into: &buffer)
        #expect(buffer == bytes("0000000a 00000009 00000000 001b"))
    }

    @Test func trailingBytesAfterABodyAreMalformed() {
        var body = bytes("00000003 0000")
        #expect(throws: KafkaProtocolError.self) { try ControlledShutdown.decodeRequest(from: &body, version: 1) }
    }

    @Test func unsupportedVersionsAreRejected() {
        var empty = ByteBuffer()
        #expect(throws: KafkaProtocolError.unsupportedVersion(apiKey: 3, version: 9)) {
            try Metadata.decodeRequest(from: &empty, version: 9)
        }
        #expect(throws: KafkaProtocolError.unsupportedVersion(apiKey: 0, version: -1)) {
            try Produce.decodeRequest(from: &empty, version: -1)
        }
    }
}
