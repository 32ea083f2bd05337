import KafkaCommon
import Logging

/// Kafka's `state.change.logger`: one line for every election, resignation and every partition
/// and replica state transition, always naming the broker and the controller epoch.
public struct StateChangeLogger: Sendable {
    public let brokerId: BrokerId
    private let logger: Logger

    public init(brokerId: BrokerId) {
        self.brokerId = brokerId
        self.logger = Logger(label: "state.change.logger")
    }

    /// A controller line; failed and unclean transitions go out at `.warning` or `.error`.
    public func controller(epoch: ControllerEpoch, level: Logger.Level = .info, _ message: String) {
        logger.log(level: level, "[Controller id=\(brokerId) epoch=\(epoch)] \(message)")
    }

    public func broker(epoch: ControllerEpoch, _ message: String) {
        logger.info("[Broker id=\(brokerId) epoch=\(epoch)] \(message)")
    }
}
