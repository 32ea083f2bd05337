import Foundation

/// Wall-clock and monotonic time, injected so that tests can control it (Kafka's `Time`).
public protocol Time: Sendable {
    /// Milliseconds since the Unix epoch (timestamps written to ZooKeeper and logs).
    var milliseconds: Int64 { get }
    /// A monotonic clock reading in nanoseconds, for measuring intervals.
    var nanoseconds: UInt64 { get }
}

/// The real clocks.
public struct SystemTime: Time {
    public init() {}
    public var milliseconds: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
    public var nanoseconds: UInt64 { DispatchTime.now().uptimeNanoseconds }
}
