import Synchronization

/// Where the controller reports what Kafka's `ControllerStats` meters
/// (`kafka.controller:type=ControllerStats`): the time taken by each leader election after a
/// broker change (`LeaderElectionRateAndTimeMs`) and each unclean election
/// (`UncleanLeaderElectionsPerSec`). The broker installs one when its metrics are on.
public protocol ControllerStatsSink: AnyObject, Sendable {
    func leaderElection(milliseconds: Double)
    func uncleanLeaderElection()
}

/// The controller's hook to its stats sink: one atomic load and a nil check per report, nothing
/// more while no sink is installed.
public final class ControllerStats: Sendable {
    private let sink = AtomicLazyReference<Sink>()

    final class Sink: Sendable {
        let value: any ControllerStatsSink
        init(_ value: any ControllerStatsSink) { self.value = value }
    }

    public init() {}

    /// Installs `sink`; only the first call has an effect.
    public func install(_ sink: any ControllerStatsSink) {
        _ = self.sink.storeIfNil(Sink(sink))
    }

    /// A broker change was handled (offline partitions re-elected) in `duration`.
    public func leaderElectionTook(_ duration: Duration) {
        guard let sink = sink.load()?.value else { return }
        let (seconds, attoseconds) = duration.components
        sink.leaderElection(milliseconds: Double(seconds) * 1_000 + Double(attoseconds) / 1e15)
    }

    /// A state-change entry was logged; an unclean election's warning counts one.
    public func logged(_ entry: StateChangeEntry) {
        guard entry.message.hasPrefix("Unclean leader election"), let sink = sink.load()?.value else { return }
        sink.uncleanLeaderElection()
    }
}
