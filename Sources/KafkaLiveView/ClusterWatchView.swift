/// The text `kafka cluster --watch` draws each second: a pure function of a snapshot (and the
/// changes since the previous one), so a test checks it against golden text with made-up values.
///
/// Layout: a header (time in UTC, controller and epoch, live brokers); one line per partition
/// (leader, leader epoch, ISR, replicas) followed by one line per replica (HW, LEO, lag; `?`
/// where its broker did not say); the purgatories per broker (delayed/watched); the last
/// state-change log lines; the changes since the previous refresh. No ANSI codes: the caller
/// clears the screen.
public enum ClusterWatchView {
    public static func render(_ snapshot: ClusterSnapshot, topic: String? = nil, changes: [ClusterChange] = []) -> String {
        var lines: [String] = []
        let controller = snapshot.controllerId < 0 ? "none" : String(snapshot.controllerId)
        lines.append("Cluster internals at \(utcTimestamp(snapshot.takenAtMs)) UTC")
        lines.append("Controller: \(controller)   Epoch: \(snapshot.controllerEpoch)   Live brokers: "
            + (snapshot.brokers.isEmpty ? "none" : snapshot.brokers.map { String($0.id) }.joined(separator: ",")))
        let unread = snapshot.brokers.filter { !$0.internalsRead }.map { String($0.id) }
        if !unread.isEmpty { lines.append("No internals from broker(s): \(unread.joined(separator: ",")) (no admin listener, or no answer)") }
        lines.append("")

        let shown = snapshot.partitions.filter { topic == nil || $0.topic == topic }
        var table: [[String]] = [["PARTITION", "LEADER", "EPOCH", "ISR", "REPLICAS"]]
        var replicaRows: [[[String]]] = []
        for partition in shown {
            table.append([partition.name, partition.leader < 0 ? "none" : String(partition.leader), String(partition.leaderEpoch),
                          ids(partition.isr), ids(partition.replicas)])
            replicaRows.append(partition.replicaStates.map { replica in
                let role = replica.broker == partition.leader ? " (leader)" : partition.isr.contains(replica.broker) ? "" : " (out of ISR)"
                return ["  replica \(replica.broker)", "HW " + number(replica.highWatermark), "LEO " + number(replica.logEndOffset),
                        "lag " + number(replica.lag) + role]
            })
        }
        if shown.isEmpty {
            lines.append(topic.map { "No partition of topic \($0)" } ?? "No partitions")
        } else {
            let widths = columnWidths(table)
            let replicaWidths = columnWidths(replicaRows.flatMap { $0 })
            lines.append(row(table[0], widths))
            for (index, partitionRow) in table.dropFirst().enumerated() {
                lines.append(row(partitionRow, widths))
                for replicaRow in replicaRows[index] { lines.append(row(replicaRow, replicaWidths)) }
            }
        }
        lines.append("")

        lines.append("Purgatories (delayed/watched):")
        let byBroker = Dictionary(grouping: snapshot.purgatories, by: \.broker)
        if byBroker.isEmpty { lines.append("  none reported") }
        for broker in byBroker.keys.sorted() {
            let counts = byBroker[broker]!.map { "\($0.name) \($0.delayed)/\($0.watched)" }.joined(separator: "  ")
            lines.append("  broker \(broker): \(counts)")
        }
        lines.append("")

        lines.append("State-change log (last \(snapshot.stateChangeLog.count)):")
        if snapshot.stateChangeLog.isEmpty { lines.append("  none") }
        for line in snapshot.stateChangeLog { lines.append("  [\(utcTimestamp(line.timeMs))] broker \(line.broker): \(line.text)") }
        if !changes.isEmpty {
            lines.append("")
            lines.append("Changes since the last refresh:")
            for change in changes where topic == nil || change.topic == nil || change.topic == topic {
                lines.append("  * \(change.text)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func ids(_ brokers: [Int32]) -> String {
        brokers.isEmpty ? "none" : brokers.map(String.init).joined(separator: ",")
    }

    static func number(_ value: Int64?) -> String { value.map(String.init) ?? "?" }

    static func columnWidths(_ rows: [[String]]) -> [Int] {
        var widths: [Int] = []
        for row in rows {
            for (index, cell) in row.enumerated() {
                if index == widths.count { widths.append(0) }
                widths[index] = max(widths[index], cell.count)
            }
        }
        return widths
    }

    /// Cells left-aligned, two spaces apart, trailing spaces dropped.
    static func row(_ cells: [String], _ widths: [Int]) -> String {
        var text = ""
        for (index, cell) in cells.enumerated() {
            text += index == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 2)
        }
        return text
    }

    /// `YYYY-MM-DD HH:MM:SS.mmm` in UTC (civil date from days since 1970, proleptic Gregorian).
    public static func utcTimestamp(_ ms: Int64) -> String {
        let millis = ((ms % 1000) + 1000) % 1000
        let seconds = (ms - millis) / 1000
        let secondOfDay = ((seconds % 86_400) + 86_400) % 86_400
        let days = (seconds - secondOfDay) / 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : String(value) }
        let milliText = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : String(millis)
        return "\(year)-\(two(month))-\(two(day)) \(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60)).\(milliText)"
    }
}
