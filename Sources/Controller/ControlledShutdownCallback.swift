import KafkaCommon
import KafkaProtocol
import Synchronization

/// Where the answer to one ControlledShutdown request goes (Kafka's `controlledShutdownCallback`):
/// carried by the `controlledShutdown` event and called once, when the event has been processed.
///
/// Invariant: the answer is given exactly once. The event queue drops events when it is cleared
/// (session expiry) or closed (shutdown); a callback dropped unanswered answers NOT_CONTROLLER
/// as it is released, so the request never waits forever — the broker then asks the controller
/// it finds next. Equal only to itself (events are compared by identity of their callback).
public final class ControlledShutdownCallback: Sendable, Equatable, CustomStringConvertible {
    /// How a request ended: an error, or NONE with the partitions the broker still leads.
    public struct Outcome: Sendable, Equatable {
        public var errorCode: ErrorCode
        public var remainingPartitions: [TopicPartition]

        public init(errorCode: ErrorCode, remainingPartitions: [TopicPartition] = []) {
            self.errorCode = errorCode
            self.remainingPartitions = remainingPartitions
        }
    }

    private let answer: Mutex<(@Sendable (Outcome) -> Void)?>

    public init(_ answer: @escaping @Sendable (Outcome) -> Void) {
        self.answer = Mutex(answer)
    }

    /// Gives the answer; later calls do nothing.
    public func complete(_ outcome: Outcome) {
        let pending = answer.withLock { answer in
            defer { answer = nil }
            return answer
        }
        pending?(outcome)
    }

    public var isCompleted: Bool { answer.withLock { $0 == nil } }

    deinit {
        complete(Outcome(errorCode: .notController))
    }

    public static func == (lhs: ControlledShutdownCallback, rhs: ControlledShutdownCallback) -> Bool { lhs === rhs }

    public var description: String { "ControlledShutdownCallback" }
}
