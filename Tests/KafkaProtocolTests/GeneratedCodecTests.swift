import KafkaProtocol
import NIOCore
import Testing

/// Every generated API at every version its codec handles: a value with every field of the
/// version set (`example(version:)`, generated from the schema) encodes and decodes back to
/// itself, and its encoding cut short at any byte fails to decode with an error (never a trap).
@Suite struct GeneratedCodecTests {
    struct Case: CustomStringConvertible, Sendable {
        var api: any ExampleAPI.Type
        var version: Int16
        var description: String { "\(api.key) v\(version)" }
    }

    static let cases: [Case] = generatedExampleAPIs.flatMap { api in api.codecVersions.map { Case(api: api, version: $0) } }

    @Test(arguments: cases)
    func requestRoundTrips(_ testCase: Case) throws {
        try Self.checkRequest(testCase.api, version: testCase.version)
    }

    @Test(arguments: cases)
    func responseRoundTrips(_ testCase: Case) throws {
        try Self.checkResponse(testCase.api, version: testCase.version)
    }

    @Test func everyGeneratedApiHasExamples() {
        #expect(generatedExampleAPIs.map { $0.key } == KafkaAPIs.generated.map { $0.key })
    }

    static func checkRequest<API: ExampleAPI>(_ api: API.Type, version: Int16) throws {
        try check(API.exampleRequest(version: version), version: version) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            try API.decodeRequest(from: &buffer, version: version)
        }
    }

    static func checkResponse<API: ExampleAPI>(_ api: API.Type, version: Int16) throws {
        try check(API.exampleResponse(version: version), version: version) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            try API.decodeResponse(from: &buffer, version: version)
        }
    }

    /// `value` written at `version` decodes back to itself, and no proper prefix of it decodes.
    static func check<Value: KafkaCodable>(
        _ value: Value, version: Int16, decode: (inout ByteBuffer) throws(KafkaProtocolError) -> Value
    ) throws {
        var encoded = ByteBuffer()
        value.write(into: &encoded, version: version)
        var input = encoded
        #expect(try decode(&input) == value)
        try expectTruncationFails(encoded) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            _ = try decode(&buffer)
        }
    }

    /// Every proper prefix of `encoded` must be rejected with a ``KafkaProtocolError``.
    static func expectTruncationFails(
        _ encoded: ByteBuffer, _ decode: (inout ByteBuffer) throws(KafkaProtocolError) -> Void
    ) throws {
        for length in 0..<encoded.readableBytes {
            var prefix = encoded.getSlice(at: encoded.readerIndex, length: length)!
            #expect(throws: KafkaProtocolError.self, "decoding \(length) of \(encoded.readableBytes) bytes") {
                try decode(&prefix)
            }
        }
    }
}
