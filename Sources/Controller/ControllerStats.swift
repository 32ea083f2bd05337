import Synchronization

/// Where the controller reports what Kafka's `ControllerStats` meters
/// (`kafka.controller:type=ControllerStats`): the time taken by every event, under its
/// `ControllerState`'s timer (`ControllerChangeRateAndTimeMs` for an election or a resignation,
/// `LeaderElectionRateAndTimeMs` for a broker change, …), and each unclean election
/// (`UncleanLeaderElectionsPerSec`). The broker installs one when its metrics are on.
public protocol ControllerStatsSink: AnyObject, Sendable {
    /// An event of `state` was processed in `milliseconds` (never called with `.idle`).
    func eventProcessed(_ state: ControllerState, milliseconds: Double)
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

    /// An event of `state` was processed in `duration` (Kafka times every event under its
    /// state's timer, whether or not this broker is the active controller).
    public func eventProcessed(_ state: ControllerState, took duration: Duration) {
        guard state != .idle, let sink = sink.load()?.value else { return }
        let (seconds, attoseconds) = duration.components
        sink.eventProcessed(state, milliseconds: Double(seconds) * 1_000 + Double(attoseconds) / 1e15)
    }

    /// A state-change entry was logged; an unclean election's warning counts one.
    public func logged(_ entry: StateChangeEntry) {
        guard entry.message.hasPrefix("Unclean leader election"), let sink = sink.load()?.value else { return }
        sink.uncleanLeaderElection()
    }
}
