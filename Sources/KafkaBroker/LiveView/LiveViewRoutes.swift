import KafkaLiveView

/// What the admin listener serves for the live view: this broker's internals and the hub that
/// feeds the page's event stream (routed by `AdminListener+LiveView.swift`).
public struct LiveViewRoutes: Sendable {
    /// This broker's `/internals.json`, read from memory.
    public var internals: @Sendable () -> BrokerInternals
    /// The cluster's event stream (`/events`); nil: the page is served but says the stream is off.
    public var hub: LiveViewHub?

    public init(internals: @escaping @Sendable () -> BrokerInternals, hub: LiveViewHub?) {
        self.internals = internals
        self.hub = hub
    }
}
