import KafkaCommon
import Logging

/// Kafka's `state.change.logger`: one line for every election, resignation and (later) every
/// partition and replica state transition, always naming the broker and the controller epoch.
public struct StateChangeLogger: Sendable {
    public let brokerId: BrokerId
    private let logger: Logger

    public init(brokerId: BrokerId) {
        self.brokerId = brokerId
        self.logger = Logger(label: "state.change.logger")
    }

    public func controller(epoch: ControllerEpoch, _ message: String) {
        logger.info("[Controller id=\(brokerId) epoch=\(epoch)] \(message)")
    }

    public func broker(epoch: ControllerEpoch, _ message: String) {
        logger.info("[Broker id=\(brokerId) epoch=\(epoch)] \(message)")
    }
}
