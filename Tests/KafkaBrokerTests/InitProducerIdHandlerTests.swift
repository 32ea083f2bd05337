import KafkaProtocol
import Logging
import Synchronization
import Testing

@testable import KafkaBroker

/// InitProducerId without a transaction coordinator: fresh ids with epoch 0 for idempotent
/// producers, clear failures for transactional ones.
@Suite struct InitProducerIdHandlerTests {
    struct GenerationFailed: Error {}

    static func handler(ids: [Int64]) -> InitProducerIdHandler {
        let remaining = Mutex(ids)
        return InitProducerIdHandler(generateProducerId: {
            try remaining.withLock { ids in
                guard !ids.isEmpty else { throw GenerationFailed() }
                return ids.removeFirst()
            }
        }, logger: Logger(label: "init-producer-id-test"))
    }

    @Test func idempotentProducersGetFreshIdsWithEpochZero() async {
        let handler = Self.handler(ids: [1000, 1001])
        let first = await handler.response(to: InitProducerId.Request(transactionalId: nil, transactionTimeoutMs: 60_000))
        let second = await handler.response(to: InitProducerId.Request(transactionalId: nil, transactionTimeoutMs: 60_000))
        #expect(first.errorCode == .none && first.producerId == 1000 && first.producerEpoch == 0)
        #expect(second.errorCode == .none && second.producerId == 1001 && second.producerEpoch == 0)
        let exhausted = await handler.response(to: InitProducerId.Request(transactionalId: nil))
        #expect(exhausted.errorCode == .unknownServerError && exhausted.producerId == -1 && exhausted.producerEpoch == -1)
    }

    @Test func transactionalIdsFailClearly() async {
        let handler = Self.handler(ids: [5])
        let empty = await handler.response(to: InitProducerId.Request(transactionalId: "", transactionTimeoutMs: 60_000))
        #expect(empty.errorCode == .invalidRequest)
        let transactional = await handler.response(to: InitProducerId.Request(transactionalId: "tx-1", transactionTimeoutMs: 60_000))
        #expect(transactional.errorCode == .transactionalIdAuthorizationFailed && transactional.producerId == -1)
        // No id was used up.
        #expect(await handler.response(to: InitProducerId.Request()).producerId == 5)
    }
}
