import KafkaProtocol
import NIOCore
import Testing

/// The four delegation-token APIs' byte layouts (v1, Kafka 2.3's newest), written out by hand from
/// Kafka 2.3's field lists: the captures' broker had no `delegation.token.master.key`, so no
/// client sent them. A principal is two strings, type then name; the owner in a response is such a
/// pair inline, not an array.
@Suite struct DelegationTokenLayoutTests {
    /// Principal "User" "a", then "User" "b".
    static let userA = "0004 55736572 0001 61"
    static let userB = "0004 55736572 0001 62"
    /// hmac: int32 length 3, then 01 02 03.
    static let hmacHex = "00000003 010203"
    static let hmac = ByteBuffer(bytes: [1, 2, 3])
    /// issue 1,000, expiry 2,000, max 3,000 (ms)
    static let timestamps = "00000000000003e8 00000000000007d0 0000000000000bb8"

    @Test func createV1() throws {
        // renewers [ User:b ], max_life_time -1
        let request = try checkLayout(CreateDelegationToken.Request.self, version: 1, "00000001 \(Self.userB) ffffffffffffffff")
        #expect(request == CreateDelegationToken.Request(
            renewers: [CreateDelegationToken.Principal(principalType: "User", name: "b")], maxLifeTime: -1))

        // NONE, owner User:a, timestamps, token_id "id", hmac, throttle 0
        let response = try checkLayout(CreateDelegationToken.Response.self, version: 1, """
            0000 \(Self.userA) \(Self.timestamps) 0002 6964 \(Self.hmacHex) 00000000
            """)
        #expect(response == CreateDelegationToken.Response(
            errorCode: .none, owner: CreateDelegationToken.Principal(principalType: "User", name: "a"),
            issueTimestamp: 1000, expiryTimestamp: 2000, maxTimestamp: 3000, tokenId: "id", hmac: Self.hmac, throttleTimeMs: 0))
    }

    @Test func renewV1() throws {
        // hmac, renew_time_period 86,400,000 ms
        let request = try checkLayout(RenewDelegationToken.Request.self, version: 1, "\(Self.hmacHex) 0000000005265c00")
        #expect(request == RenewDelegationToken.Request(hmac: Self.hmac, renewTimePeriod: 86_400_000))
        // NONE, expiry 4,000, throttle 0
        let response = try checkLayout(RenewDelegationToken.Response.self, version: 1, "0000 0000000000000fa0 00000000")
        #expect(response == RenewDelegationToken.Response(errorCode: .none, expiryTimestamp: 4000, throttleTimeMs: 0))
    }

    @Test func expireV1() throws {
        // hmac, expiry_time_period -1 (now)
        let request = try checkLayout(ExpireDelegationToken.Request.self, version: 1, "\(Self.hmacHex) ffffffffffffffff")
        #expect(request == ExpireDelegationToken.Request(hmac: Self.hmac, expiryTimePeriod: -1))
        // DELEGATION_TOKEN_NOT_FOUND (62), expiry -1, throttle 7
        let response = try checkLayout(ExpireDelegationToken.Response.self, version: 1, "003e ffffffffffffffff 00000007")
        #expect(response == ExpireDelegationToken.Response(errorCode: .delegationTokenNotFound, expiryTimestamp: -1, throttleTimeMs: 7))
    }

    @Test func describeV1RequestOwnersNullMeansEveryToken() throws {
        let all = try checkLayout(DescribeDelegationToken.Request.self, version: 1, "ffffffff")
        #expect(all.owners == nil)
        let some = try checkLayout(DescribeDelegationToken.Request.self, version: 1, "00000001 \(Self.userA)")
        #expect(some.owners == [DescribeDelegationToken.Principal(principalType: "User", name: "a")])
        let none = try checkLayout(DescribeDelegationToken.Request.self, version: 1, "00000000")
        #expect(none.owners == [])
    }

    @Test func describeV1Response() throws {
        // NONE, [ owner User:a, timestamps, "id", hmac, renewers [ User:b ] ], throttle 0
        let response = try checkLayout(DescribeDelegationToken.Response.self, version: 1, """
            0000 00000001 \(Self.userA) \(Self.timestamps) 0002 6964 \(Self.hmacHex) 00000001 \(Self.userB) 00000000
            """)
        let token = DescribeDelegationToken.TokenDetail(
            owner: DescribeDelegationToken.Principal(principalType: "User", name: "a"),
            issueTimestamp: 1000, expiryTimestamp: 2000, maxTimestamp: 3000, tokenId: "id", hmac: Self.hmac,
            renewers: [DescribeDelegationToken.Principal(principalType: "User", name: "b")])
        #expect(response == DescribeDelegationToken.Response(errorCode: .none, tokenDetails: [token], throttleTimeMs: 0))
    }

    @Test func version0HasTheV1Layout() throws {
        for api: any KafkaAPI.Type in [CreateDelegationToken.self, RenewDelegationToken.self, ExpireDelegationToken.self, DescribeDelegationToken.self] {
            #expect(api.versions == 0...1 && api.firstFlexibleVersion == 2, "\(api.key)")
        }
        let v0 = try checkLayout(RenewDelegationToken.Response.self, version: 0, "0000 0000000000000fa0 00000000")
        #expect(v0.expiryTimestamp == 4000)
    }
}
