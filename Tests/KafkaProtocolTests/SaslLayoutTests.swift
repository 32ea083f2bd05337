import KafkaProtocol
import NIOCore
import Testing

/// SaslHandshake and SaslAuthenticate byte layouts, written out by hand from Kafka 2.3's field
/// lists: the captures ran PLAINTEXT only, so they hold neither. Each case decodes the bytes,
/// checks them against a value built by hand, and encodes them back (``checkLayout``).
@Suite struct SaslLayoutTests {
    @Test func handshakeV1NamesOneMechanism() throws {
        // mechanism "PLAIN"
        let request = try checkLayout(SaslHandshake.Request.self, version: 1, "0005 504c41494e")
        #expect(request == SaslHandshake.Request(mechanism: "PLAIN"))
    }

    @Test func handshakeV1ResponseListsTheEnabledMechanisms() throws {
        // UNSUPPORTED_SASL_MECHANISM (33); mechanisms ["PLAIN", "SCRAM-SHA-256"]
        let response = try checkLayout(SaslHandshake.Response.self, version: 1, """
            0021 00000002 0005 504c41494e 000d 5343 5241 4d2d 5348 412d 3235 36
            """)
        #expect(response == SaslHandshake.Response(errorCode: .unsupportedSaslMechanism, mechanisms: ["PLAIN", "SCRAM-SHA-256"]))
    }

    @Test func handshakeV0HasTheV1Layout() throws {
        let response = try checkLayout(SaslHandshake.Response.self, version: 0, "0000 00000001 0005 504c41494e")
        #expect(response == SaslHandshake.Response(errorCode: .none, mechanisms: ["PLAIN"]))
        #expect(SaslHandshake.versions == 0...1 && SaslHandshake.firstFlexibleVersion == nil)
    }

    /// A PLAIN token: NUL, user, NUL, password.
    static let plainToken = ByteBuffer(bytes: [0] + Array("alice".utf8) + [0] + Array("secret".utf8))

    @Test func authenticateV1CarriesTheTokenAsBytes() throws {
        // auth_bytes: int32 length 13, then the token
        let request = try checkLayout(SaslAuthenticate.Request.self, version: 1, "0000000d 00 616c696365 00 736563726574")
        #expect(request == SaslAuthenticate.Request(authBytes: Self.plainToken))
    }

    @Test func authenticateV1ResponseEndsWithTheSessionLifetime() throws {
        // NONE, error_message null, auth_bytes empty, session_lifetime_ms 3,600,000
        let response = try checkLayout(SaslAuthenticate.Response.self, version: 1, "0000 ffff 00000000 000000000036ee80")
        #expect(response == SaslAuthenticate.Response(errorCode: .none, errorMessage: nil, authBytes: ByteBuffer(), sessionLifetimeMs: 3_600_000))
    }

    @Test func authenticateV0ResponseHasNoSessionLifetime() throws {
        // SASL_AUTHENTICATION_FAILED (58), "bad", auth_bytes empty
        let response = try checkLayout(SaslAuthenticate.Response.self, version: 0, "003a 0003 626164 00000000")
        #expect(response == SaslAuthenticate.Response(errorCode: .saslAuthenticationFailed, errorMessage: "bad", authBytes: ByteBuffer()))
        var v0 = ByteBuffer()
        SaslAuthenticate.Response(sessionLifetimeMs: 5).write(into: &v0, version: 0)
        #expect(v0 == PrimitivesTests.bytes("0000 ffff 00000000"))
    }
}
