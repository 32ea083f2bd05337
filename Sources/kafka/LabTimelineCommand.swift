import ArgumentParser
import Foundation
import KafkaLab

/// `kafka lab-timeline`: the failover lab's timeline (``LabTimeline``): every znode created,
/// changed or deleted, from ZooKeeper's own transaction log, merged in millisecond order with the
/// state-change and controller lines of the brokers' logs. Reads files only; run it on the machine
/// of a ZooKeeper server (any one of the ensemble: each has the whole log).
struct LabTimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab-timeline",
        abstract: "Print a millisecond timeline of ZooKeeper's transactions and the brokers' state changes."
    )

    @Option(name: .customLong("zookeeper-data-dir"), help: "A ZooKeeper server's dataDir (or its version-2 directory).")
    var zooKeeperDataDir: String

    @Option(help: "The brokers' chroot in ZooKeeper (e.g. /kafka); znodes outside it are hidden.")
    var chroot = ""

    @Option(name: .customLong("broker-log"), help: "NAME=PATH of a broker's log (repeatable), e.g. \"broker 1=/tmp/kafka1.log\".")
    var brokerLogs: [String] = []

    @Option(help: "Show only what happened from this time on: milliseconds since the epoch.")
    var sinceMs: Int64?

    @Option(name: .customLong("include-log"), help: "Also show broker log lines containing this text (repeatable).")
    var includeLog: [String] = []

    @Flag(name: .customLong("all-log-lines"), help: "Show every broker log line, not only state changes.")
    var allLogLines = false

    @Flag(name: .customLong("zookeeper-jsonl"), help: "Print only ZooKeeper's transactions, one JSON object per line (for scripts).")
    var zooKeeperJSONLines = false

    func run() throws {
        var filter = LabTimeline.LogFilter.default
        filter.messageFragments += includeLog
        filter.everything = allLogLines
        let timeline = LabTimeline(chroot: chroot, logFilter: filter)
        let transactions: [ZooKeeperTxn]
        do {
            transactions = try ZooKeeperTxnLog.read(directory: zooKeeperDataDir)
        } catch {
            throw CLIError("Could not read ZooKeeper's transaction log in \(zooKeeperDataDir): \(error)")
        }
        if zooKeeperJSONLines {
            let owners = timeline.sessionOwners(transactions)
            for txn in transactions where txn.time >= (sinceMs ?? .min) {
                print(txn.jsonLine(chroot: timeline.chroot, sessionName: owners[txn.sessionId] ?? LabTimeline.hex(txn.sessionId)))
            }
            return
        }
        var logs: [(name: String, lines: [BrokerLogLine])] = []
        for entry in brokerLogs {
            guard let equals = entry.firstIndex(of: "=") else { throw ValidationError("--broker-log takes NAME=PATH, got \(entry)") }
            let path = String(entry[entry.index(after: equals)...])
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("Could not read \(path)") }
            logs.append((String(entry[..<equals]), text.split(separator: "\n").compactMap(BrokerLogLine.parse)))
        }
        let events = timeline.merge(zooKeeper: timeline.events(of: transactions), brokerLogs: logs, since: sinceMs)
        print(LabTimeline.render(events), terminator: "")
    }
}
