import Logging

/// One line for the state-change logger (Kafka's `state.change.logger`), produced by the
/// partition and replica state machines and written by the `KafkaController` shell, which
/// prefixes it with the controller id and epoch. A value: the machines return these instead of
/// logging, so that tests can read what a transition would log.
public struct StateChangeEntry: Sendable, Equatable, CustomStringConvertible {
    /// `.info` for a transition made; `.warning` for an unclean election (also written to the
    /// controller's own log); `.error` for a transition refused or failed.
    public var level: Logger.Level
    public var message: String

    public init(_ level: Logger.Level = .info, _ message: String) {
        self.level = level
        self.message = message
    }

    public var description: String { "\(level): \(message)" }
}
