/// One line of a lab timeline: something ZooKeeper committed or a broker logged, at a time in
/// milliseconds since the epoch. `detail` holds the further lines of a ZooKeeper multi (its
/// operations, one per line).
public struct TimelineEvent: Sendable, Equatable {
    public enum Source: Sendable, Equatable, Comparable {
        /// A transaction in ZooKeeper's log, issued by `session` (named after the broker that
        /// registered with it, when one did).
        case zooKeeper(session: String)
        /// A line of a broker's log.
        case broker(String)
    }

    public var time: Int64
    public var source: Source
    public var text: String
    public var detail: [String]

    public init(time: Int64, source: Source, text: String, detail: [String] = []) {
        self.time = time
        self.source = source
        self.text = text
        self.detail = detail
    }

    var sourceLabel: String {
        switch source {
        case .zooKeeper(let session): "zk \(session)"
        case .broker(let name): name
        }
    }
}
