import Foundation

/// Merges what ZooKeeper committed (its transaction log) with what the brokers logged into one
/// timeline in millisecond order: the failover lab's output. Both clocks are this machine's, so
/// the order is the order things happened, up to the scheduling of the processes.
///
/// ZooKeeper events name the session that wrote them after the broker that registered
/// `/brokers/ids/<id>` with it, so a `/controller` creation reads "broker 2 created /controller".
/// A failed multi (Kafka's controller writes are multis that check `/controller_epoch`'s
/// version) shows which operation failed: that is a stale controller being fenced.
public struct LabTimeline: Sendable {
    /// Paths are shown relative to this chroot (`/kafka` in the quickstart); others are hidden.
    public var chroot: String
    /// Broker log lines are kept if their logger or message matches one of these.
    public var logFilter: LogFilter

    public init(chroot: String = "", logFilter: LogFilter = .default) {
        self.chroot = chroot.hasSuffix("/") ? String(chroot.dropLast()) : chroot
        self.logFilter = logFilter
    }

    /// Which broker log lines a timeline shows.
    public struct LogFilter: Sendable {
        public var labels: Set<String>
        public var messagePrefixes: [String]
        public var messageFragments: [String]
        public var everything: Bool

        /// The state-change log, the controller's and the server's own lines, and the ISR and
        /// truncation lines of the replicas: what the controller's decisions do to the brokers.
        public static let `default` = LogFilter(
            labels: ["state.change.logger", "lab"],
            messagePrefixes: ["[Controller id=", "[KafkaServer id="],
            messageFragments: ["Shrinking ISR", "Expanding ISR", "Truncating", "ontrolled shutdown", "Preparing to rebalance", "Stabilized group"],
            everything: false)

        public init(labels: Set<String>, messagePrefixes: [String], messageFragments: [String], everything: Bool) {
            self.labels = labels
            self.messagePrefixes = messagePrefixes
            self.messageFragments = messageFragments
            self.everything = everything
        }

        func keeps(_ line: BrokerLogLine) -> Bool {
            everything || labels.contains(line.label)
                || messagePrefixes.contains { line.message.hasPrefix($0) }
                || messageFragments.contains { line.message.contains($0) }
        }
    }

    // MARK: - ZooKeeper

    /// The events of `transactions` under the chroot, with sessions named after their brokers.
    public func events(of transactions: [ZooKeeperTxn]) -> [TimelineEvent] {
        let owners = sessionOwners(transactions)
        var ephemerals: [Int64: Set<String>] = [:]
        var events: [TimelineEvent] = []
        for txn in transactions {
            let source = TimelineEvent.Source.zooKeeper(session: owners[txn.sessionId] ?? Self.hex(txn.sessionId))
            var lines: [String] = []
            for operation in txn.operations {
                if case .create(let path, _, true) = operation { ephemerals[txn.sessionId, default: []].insert(path) }
                if case .delete(let path) = operation {
                    for session in ephemerals.keys { ephemerals[session]?.remove(path) }
                }
                if case .closeSession(let listed) = operation {
                    let deleted = listed.isEmpty ? (ephemerals[txn.sessionId] ?? []).sorted() : listed
                    ephemerals[txn.sessionId] = nil
                    let verb = txn.cxid == 0 ? "expired" : "closed"
                    let shown = deleted.compactMap(relative)
                    lines.append("session \(Self.hex(txn.sessionId)) \(verb)" + (shown.isEmpty ? "" : "; its ephemeral znodes deleted: " + shown.joined(separator: ", ")))
                    continue
                }
                if let line = describe(operation) { lines.append(line) }
            }
            guard !lines.isEmpty else { continue }
            if txn.operations.count > 1 {
                let failed = txn.operations.contains { if case .error = $0 { true } else { false } }
                events.append(TimelineEvent(time: txn.time, source: source,
                    text: failed ? "multi REJECTED (nothing applied):" : "multi:", detail: lines))
            } else {
                events.append(TimelineEvent(time: txn.time, source: source, text: lines[0]))
            }
        }
        return events
    }

    /// Sessions that registered `/brokers/ids/<id>` are named `broker <id>`.
    public func sessionOwners(_ transactions: [ZooKeeperTxn]) -> [Int64: String] {
        var owners: [Int64: String] = [:]
        let prefix = chroot + "/brokers/ids/"
        for txn in transactions {
            for case .create(let path, _, true) in txn.operations where path.hasPrefix(prefix) {
                owners[txn.sessionId] = "broker " + path.dropFirst(prefix.count)
            }
        }
        return owners
    }

    func describe(_ operation: ZooKeeperTxn.Operation) -> String? {
        switch operation {
        case .create(let path, let data, let ephemeral):
            guard let path = relative(path) else { return nil }
            return "create \(path) v0\(ephemeral ? " (ephemeral)" : "") \(Self.text(data))"
        case .setData(let path, let data, let version):
            guard let path = relative(path) else { return nil }
            return "set \(path) v\(version) \(Self.text(data))"
        case .delete(let path):
            return relative(path).map { "delete \($0)" }
        case .check(let path, let version):
            // ZooKeeper logs a check with the version incremented, as if it were a write.
            return relative(path).map { "check \($0) is at v\(version - 1)" }
        case .setAcl(let path, let version):
            return relative(path).map { "set ACL of \($0) v\(version)" }
        case .createSession(let timeout):
            return "session opened (timeout \(timeout) ms)"
        case .closeSession:
            return nil
        case .error(let code):
            return "failed: \(Self.errorName(code))"
        case .other:
            return nil
        }
    }

    /// `path` below the chroot (`/` for the chroot itself); nil outside it.
    func relative(_ path: String) -> String? {
        guard !chroot.isEmpty else { return path }
        if path == chroot { return "/" }
        guard path.hasPrefix(chroot + "/") else { return nil }
        return String(path.dropFirst(chroot.count))
    }

    // MARK: - Merging

    /// ZooKeeper's events and the kept lines of each broker's log, in time order (ZooKeeper first
    /// on a tie: a broker logs what it saw after the write), from `since` on when given.
    public func merge(zooKeeper: [TimelineEvent], brokerLogs: [(name: String, lines: [BrokerLogLine])], since: Int64? = nil) -> [TimelineEvent] {
        var all = zooKeeper
        for log in brokerLogs {
            for line in log.lines where logFilter.keeps(line) {
                all.append(TimelineEvent(time: line.time, source: .broker(log.name), text: "\(line.level) \(line.message)"))
            }
        }
        let ordered = all.enumerated().sorted { a, b in
            if a.element.time != b.element.time { return a.element.time < b.element.time }
            return a.offset < b.offset
        }.map(\.element)
        guard let since else { return ordered }
        return ordered.filter { $0.time >= since }
    }

    /// The timeline as text: local time with milliseconds, the time since the first event, who,
    /// and what.
    public static func render(_ events: [TimelineEvent]) -> String {
        guard let first = events.first?.time else { return "" }
        let width = max(10, events.map(\.sourceLabel.count).max() ?? 0)
        var text = ""
        for event in events {
            let elapsed = event.time - first
            let head = "\(clock(event.time))  +\(elapsed / 1000).\(pad(elapsed % 1000, 3))s  \(event.sourceLabel.padding(toLength: width, withPad: " ", startingAt: 0))  "
            text += head + event.text + "\n"
            let indent = String(repeating: " ", count: head.count + 2)
            for line in event.detail { text += indent + line + "\n" }
        }
        return text
    }

    // MARK: - Formatting

    public static func hex(_ session: Int64) -> String { "0x" + String(UInt64(bitPattern: session), radix: 16) }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func clock(_ millis: Int64) -> String {
        var seconds = time_t(millis / 1000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return "\(pad(Int64(parts.tm_hour), 2)):\(pad(Int64(parts.tm_min), 2)):\(pad(Int64(parts.tm_sec), 2)).\(pad(millis % 1000, 3))"
    }

    /// Znode data as text (Kafka writes JSON); bytes that are not printable UTF-8 as hex.
    static func text(_ data: [UInt8]) -> String {
        if data.isEmpty { return "(no data)" }
        if !data.contains(where: { $0 < 0x20 }), let string = String(validating: data, as: UTF8.self) {
            return string
        }
        return "0x" + data.map { String(format: "%02x", $0) }.joined()
    }

    /// ZooKeeper's name of an error code (`KeeperException.Code`).
    static func errorName(_ code: Int32) -> String {
        switch code {
        case -2: "not applied, another operation of the multi failed"
        case -101: "NoNode"
        case -102: "NoAuth"
        case -103: "BadVersion"
        case -108: "NoChildrenForEphemerals"
        case -110: "NodeExists"
        case -111: "NotEmpty"
        case -112: "SessionExpired"
        default: "error \(code)"
        }
    }
}
