import KafkaLiveView
import Synchronization

/// The last lines of this process's `state.change.logger`, for `/internals.json`: a ring of at
/// most `capacity` lines that `KafkaLogHandler` appends to (one `Mutex` and an array write per
/// state-change line, which are rare next to requests). Process-wide, as the logging system is.
public final class StateChangeLogTail: Sendable {
    public static let shared = StateChangeLogTail(capacity: ClusterSnapshot.stateChangeLogLimit)
    /// The logger label whose lines are kept (Kafka's `state.change.logger`).
    public static let label = "state.change.logger"

    private let capacity: Int
    private let lines = Mutex<[BrokerInternals.LogLine]>([])

    public init(capacity: Int) { self.capacity = capacity }

    public func append(timeMs: Int64, _ text: String) {
        lines.withLock { lines in
            lines.append(BrokerInternals.LogLine(timeMs: timeMs, text: text))
            if lines.count > capacity { lines.removeFirst(lines.count - capacity) }
        }
    }

    /// Oldest first.
    public var last: [BrokerInternals.LogLine] { lines.withLock { $0 } }
}
