import KafkaProtocol
import NIOCore
import Testing

/// CreateAcls and DeleteAcls byte layouts, written out by hand from Kafka 2.3's field lists: the
/// captures' broker had no authorizer, so only DescribeAcls was recorded (a golden fixture).
/// Codes used: resource type 1 ANY, 2 TOPIC; pattern type 1 ANY, 3 LITERAL, 4 PREFIXED;
/// operation 1 ANY, 4 WRITE; permission 1 ANY, 3 ALLOW.
@Suite struct AclLayoutTests {
    /// "User:a"
    static let userA = "0006 557365723a61"

    static let prefixedWrite = CreateAcls.Creation(
        resourceType: 2, resourceName: "t", resourcePatternType: 4, principal: "User:a", host: "*", operation: 4, permissionType: 3)

    @Test func createV1PutsThePatternTypeAfterTheResourceName() throws {
        // creations [ TOPIC "t" PREFIXED, "User:a", host "*", WRITE, ALLOW ]
        let request = try checkLayout(CreateAcls.Request.self, version: 1, "00000001 02 0001 74 04 \(Self.userA) 0001 2a 04 03")
        #expect(request == CreateAcls.Request(creations: [Self.prefixedWrite]))
    }

    @Test func createV0HasNoPatternTypeAndMeansLiteral() throws {
        let request = try checkLayout(CreateAcls.Request.self, version: 0, "00000001 02 0001 74 \(Self.userA) 0001 2a 04 03")
        #expect(request.creations.first?.resourcePatternType == 3)
        var v0 = ByteBuffer()
        CreateAcls.Request(creations: [Self.prefixedWrite]).write(into: &v0, version: 0)
        #expect(v0 == PrimitivesTests.bytes("00000001 02 0001 74 \(Self.userA) 0001 2a 04 03"))
    }

    @Test func createV1ResponseAnswersEachCreationInOrder() throws {
        // throttle 0; [ NONE null, SECURITY_DISABLED (54) "off" ]
        let response = try checkLayout(CreateAcls.Response.self, version: 1, "00000000 00000002 0000 ffff 0036 0003 6f6666")
        #expect(response == CreateAcls.Response(throttleTimeMs: 0, creationResponses: [
            CreateAcls.CreationResponse(errorCode: .none, errorMessage: nil),
            CreateAcls.CreationResponse(errorCode: .securityDisabled, errorMessage: "off"),
        ]))
    }

    @Test func deleteV1FilterWithWildcards() throws {
        // filters [ ANY, name null, pattern ANY, "User:a", host null, ANY, ANY ]
        let request = try checkLayout(DeleteAcls.Request.self, version: 1, "00000001 01 ffff 01 \(Self.userA) ffff 01 01")
        #expect(request == DeleteAcls.Request(filters: [
            DeleteAcls.Filter(resourceType: 1, resourceName: nil, resourcePatternTypeFilter: 1, principal: "User:a", host: nil, operation: 1, permissionType: 1),
        ]))
    }

    @Test func deleteV1ResponseListsTheMatchedAcls() throws {
        // throttle 0; [ NONE null, matching [ NONE null, TOPIC "t" LITERAL "User:a" "*" WRITE ALLOW ] ]
        let response = try checkLayout(DeleteAcls.Response.self, version: 1, """
            00000000 00000001 0000 ffff 00000001 0000 ffff 02 0001 74 03 \(Self.userA) 0001 2a 04 03
            """)
        let match = DeleteAcls.MatchingAcl(
            errorCode: .none, errorMessage: nil, resourceType: 2, resourceName: "t", resourcePatternType: 3,
            principal: "User:a", host: "*", operation: 4, permissionType: 3)
        #expect(response == DeleteAcls.Response(throttleTimeMs: 0, filterResponses: [
            DeleteAcls.FilterResult(errorCode: .none, errorMessage: nil, matchingAcls: [match]),
        ]))
    }

    @Test func deleteV0DropsThePatternTypes() throws {
        let request = try checkLayout(DeleteAcls.Request.self, version: 0, "00000001 01 ffff \(Self.userA) ffff 01 01")
        #expect(request.filters.first?.resourcePatternTypeFilter == 3)
        let response = try checkLayout(DeleteAcls.Response.self, version: 0, """
            00000000 00000001 0000 ffff 00000001 0000 ffff 02 0001 74 \(Self.userA) 0001 2a 04 03
            """)
        #expect(response.filterResponses.first?.matchingAcls.first?.resourcePatternType == 3)
    }
}
