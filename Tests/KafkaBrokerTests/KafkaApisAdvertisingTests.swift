import KafkaCommon
import KafkaProtocol
import Logging
import NIOCore
import Synchronization
import Testing

@testable import KafkaBroker

/// `KafkaApis` advertises, and serves, only the APIs it has a handler for: a codec alone (the
/// transaction, ACL, SASL and delegation-token APIs have one before any handler exists) must not
/// reach ApiVersions, and a request for it closes the connection, as Kafka does for an API it
/// lacks.
@Suite struct KafkaApisAdvertisingTests {
    /// A handler that answers nothing useful; it only makes its key handled.
    struct StubHandler: KafkaRequestHandler {
        let apiKey: ApiKey
        func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction { .noResponse }
    }

    static let logger = Logger(label: "kafka-apis-advertising-test")

    /// Where a request's answer lands.
    final class Answer: Sendable {
        let action = Mutex<KafkaResponseAction?>(nil)
        var value: KafkaResponseAction? { action.withLock { $0 } }
    }

    /// A request for `key` with an empty body, answered into `answer`.
    static func request(_ key: ApiKey, version: Int16, into answer: Answer) -> KafkaRequest {
        KafkaRequest(header: RequestHeader(apiKey: key, apiVersion: version, correlationId: 9, clientId: "test"),
                     body: ByteBuffer(), connectionId: "test-connection", listenerName: "PLAINTEXT", receivedNanos: 0,
                     complete: { action in answer.action.withLock { $0 = action } })
    }

    @Test func codecsWithoutHandlersAreNotAdvertised() {
        let apis = KafkaApis(logger: Self.logger, handlers: [StubHandler(apiKey: .deleteRecords)])
        #expect(apis.advertised.map(\.apiKey) == [.apiVersions, .deleteRecords])
        #expect(apis.advertised.first { $0.apiKey == .deleteRecords }?.maxVersion == 1)
        let unhandledCodecs: [ApiKey] = [
            .saslHandshake, .initProducerId, .addPartitionsToTxn, .addOffsetsToTxn, .endTxn, .writeTxnMarkers,
            .txnOffsetCommit, .describeAcls, .createAcls, .deleteAcls, .alterReplicaLogDirs, .saslAuthenticate,
            .createDelegationToken, .renewDelegationToken, .expireDelegationToken, .describeDelegationToken, .electLeaders,
        ]
        for key in unhandledCodecs {
            #expect(key.api != nil, "\(key) has a codec")
            #expect(!apis.advertised.contains { $0.apiKey == key }, "\(key) is advertised without a handler")
        }
    }

    @Test func aRequestForACodecWithoutAHandlerClosesTheConnection() async throws {
        let apis = KafkaApis(logger: Self.logger, handlers: [])
        let answer = Answer()
        await apis.handle(Self.request(.initProducerId, version: 1, into: answer))
        let action = try #require(answer.value)
        guard case .close(let reason) = action else {
            Issue.record("expected the connection closed, got \(action)")
            return
        }
        #expect(reason.contains("unsupported API key 22"))
    }

    @Test func apiVersionsListsOnlyTheHandledApis() async throws {
        let apis = KafkaApis(logger: Self.logger, handlers: [StubHandler(apiKey: .produce)])
        let answer = Answer()
        await apis.handle(Self.request(.apiVersions, version: 2, into: answer))
        guard case .send(var frame) = try #require(answer.value) else {
            Issue.record("expected a response frame")
            return
        }
        _ = frame.readInteger(as: Int32.self)
        _ = try ResponseHeader(from: &frame, headerVersion: 0)
        let response = try ApiVersions.decodeResponse(from: &frame, version: 2)
        #expect(response.apiKeys.map(\.apiKey) == [.produce, .apiVersions])
    }
}
