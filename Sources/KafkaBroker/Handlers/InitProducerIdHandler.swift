import KafkaProtocol
import Logging
import TransactionCoordinator

/// InitProducerId (v0–1), for idempotent producers (Kafka 2.3's
/// `TransactionCoordinator.handleInitProducerId` without a transactional id): any broker answers
/// with a producer id no broker has handed out before (`ProducerIdManager`, blocks of 1,000
/// claimed in ZooKeeper) and epoch 0. The producer then numbers its batches per partition from
/// sequence 0, and each partition leader's producer state checks them.
///
/// With a transactional id:
/// - empty: INVALID_REQUEST, as Kafka answers.
/// - otherwise: TRANSACTIONAL_ID_AUTHORIZATION_FAILED, because this broker has no transaction
///   coordinator yet. Kafka would answer NOT_COORDINATOR from a broker that is not the id's
///   coordinator, and clients retry that (and the FindCoordinator before it) until their
///   timeout; this code is fatal for both the Java client and librdkafka, so a transactional
///   producer fails at `init_transactions` instead of hanging.
///
/// A failure to claim a block from ZooKeeper answers UNKNOWN_SERVER_ERROR (Kafka's answer for an
/// unexpected exception); the producer retries.
struct InitProducerIdHandler: KafkaRequestHandler {
    let apiKey = ApiKey.initProducerId
    /// A fresh producer id: `ProducerIdManager.generateProducerId` (a closure, so that tests need
    /// no ZooKeeper).
    let generateProducerId: @Sendable () async throws -> Int64
    let logger: Logger
    /// The broker's transaction coordinator: with it, a transactional id is answered by
    /// `TransactionCoordinator.handleInitProducerId` (its producer id and next epoch, or
    /// NOT_COORDINATOR, CONCURRENT_TRANSACTIONS, … as Kafka 2.3 answers); without it, as below.
    var transactions: TransactionCoordinator? = nil

    init(generateProducerId: @escaping @Sendable () async throws -> Int64, logger: Logger) {
        self.generateProducerId = generateProducerId
        self.logger = logger
    }

    init(producerIdManager: ProducerIdManager, logger: Logger, transactions: TransactionCoordinator? = nil) {
        self.init(generateProducerId: { try await producerIdManager.generateProducerId() }, logger: logger)
        self.transactions = transactions
    }

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let decoded = try InitProducerId.decodeRequest(from: &body, version: request.header.apiVersion)
        return InitProducerId.responseFrame(await response(to: decoded), to: request)
    }

    func response(to request: InitProducerId.Request) async -> InitProducerId.Response {
        switch request.transactionalId {
        case nil:
            do {
                let producerId = try await generateProducerId()
                return InitProducerId.Response(errorCode: .none, producerId: producerId, producerEpoch: 0)
            } catch {
                logger.error("Cannot generate a producer id", metadata: ["error": "\(error)"])
                return InitProducerId.Response(errorCode: .unknownServerError)
            }
        case ""?:
            return InitProducerId.Response(errorCode: .invalidRequest)
        case let transactionalId? where transactions != nil:
            let result = await transactions!.handleInitProducerId(
                transactionalId: transactionalId, transactionTimeoutMs: request.transactionTimeoutMs)
            return InitProducerId.Response(errorCode: result.error, producerId: result.producerId, producerEpoch: result.producerEpoch)
        case let transactionalId?:
            logger.info("InitProducerId with a transactional id, which needs a transaction coordinator this broker does not run",
                        metadata: ["transactionalId": "\(transactionalId)"])
            return InitProducerId.Response(errorCode: .transactionalIdAuthorizationFailed)
        }
    }
}
