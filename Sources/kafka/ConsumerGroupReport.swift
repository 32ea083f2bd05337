import KafkaCommon

/// The text `kafka consumer-groups` prints, as pure functions of what the protocol calls returned
/// (Kafka 2.3's `ConsumerGroupCommand` layouts: column widths, `-` for missing values, the
/// messages for a group with no members, a rebalancing group and a group that does not exist).
///
/// Nothing here does I/O: `ConsumerGroupService` fetches, these functions format, and the tests
/// feed them responses decoded from Kafka 2.3's own traffic.
enum ConsumerGroupReport {
    /// Kafka's `MISSING_COLUMN_VALUE`.
    static let missing = "-"

    /// One line of the offsets view (Kafka's `PartitionAssignmentState`). Every field but the group
    /// may be missing: a member with no partitions has no topic, a partition with no committed
    /// offset has no current offset and no lag.
    struct OffsetRow: Sendable, Equatable {
        var group: String
        var topic: String?
        var partition: Int32?
        var currentOffset: Int64?
        var logEndOffset: Int64?
        var consumerId: String?
        var host: String?
        var clientId: String?

        /// The log end offset minus the committed offset, when both are known (a committed offset
        /// of -1 means none).
        var lag: Int64? {
            guard let currentOffset, currentOffset != -1, let logEndOffset else { return nil }
            return logEndOffset - currentOffset
        }
    }

    /// The offsets view's rows for one group, in Kafka's order: members with partitions, those
    /// with most partitions first, each member's partitions by partition number; then committed
    /// partitions no member owns (by topic and partition here; Kafka's order there is a hash map's).
    /// `logEndOffsets` lacks partitions whose end offset could not be read.
    static func offsetRows(
        _ group: ConsumerGroupDescription, committed: [TopicPartition: Int64], logEndOffsets: [TopicPartition: Int64]
    ) -> [OffsetRow] {
        var rows: [OffsetRow] = []
        var assigned = Set<TopicPartition>()
        let owners = group.members.filter { !$0.assignment.isEmpty }
            .enumerated().sorted { ($0.element.assignment.count, -$0.offset) > ($1.element.assignment.count, -$1.offset) }
            .map(\.element)
        for member in owners {
            assigned.formUnion(member.assignment)
            for partition in member.assignment.sorted(by: { $0.partition < $1.partition }) {
                rows.append(OffsetRow(
                    group: group.groupId, topic: partition.topic, partition: partition.partition,
                    currentOffset: committed[partition], logEndOffset: logEndOffsets[partition],
                    consumerId: member.consumerId, host: member.host, clientId: member.clientId))
            }
        }
        for (partition, offset) in committed.sorted(by: { $0.key < $1.key }) where !assigned.contains(partition) {
            rows.append(OffsetRow(
                group: group.groupId, topic: partition.topic, partition: partition.partition, currentOffset: offset,
                logEndOffset: logEndOffsets[partition], consumerId: missing, host: missing, clientId: missing))
        }
        return rows
    }

    /// Kafka's `shouldPrintMemberState`: the message for the group's state (not existing: an
    /// error on stdout; no members, rebalancing: a note on stderr), and whether a table follows
    /// (the group exists and there is at least one row).
    static func announce(group: String, state: ConsumerGroupDescription.State?, rowCount: Int?, into output: inout ToolOutput) -> Bool {
        guard let rowCount else {
            output.printError("The consumer group '\(group)' does not exist.")
            return false
        }
        switch state {
        case .dead?: output.printError("Consumer group '\(group)' does not exist.")
        case .empty?: output.printlnError("\nConsumer group '\(group)' has no active members.")
        case .preparingRebalance?, .completingRebalance?: output.printlnError("\nWarning: Consumer group '\(group)' is rebalancing.")
        case .stable?: break
        case .unknown?, nil:
            output.printError("Executing consumer group command failed due to Expected a valid consumer group state, but found '\(state?.rawValue ?? "NONE")'.")
            return false
        }
        return state != .dead && rowCount > 0
    }

    /// `--describe` (and `--describe --offsets`) for one group.
    static func offsets(_ group: ConsumerGroupDescription, rows: [OffsetRow]) -> ToolOutput {
        var output = ToolOutput()
        guard announce(group: group.groupId, state: group.state, rowCount: rows.count, into: &output) else { return output }
        let groupWidth = rows.map(\.group.count).reduce(15, max)
        let topicWidth = rows.map { ($0.topic ?? missing).count }.reduce(15, max)
        let consumerWidth = rows.map { ($0.consumerId ?? missing).count }.reduce(15, max)
        let hostWidth = rows.map { ($0.host ?? missing).count }.reduce(15, max)
        func line(_ columns: [String]) -> String {
            [leftAligned(columns[0], groupWidth), leftAligned(columns[1], topicWidth), leftAligned(columns[2], 10),
             leftAligned(columns[3], 15), leftAligned(columns[4], 15), leftAligned(columns[5], 15),
             leftAligned(columns[6], consumerWidth), leftAligned(columns[7], hostWidth), columns[8]].joined(separator: " ")
        }
        output.println("\n" + line(["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"]))
        for row in rows {
            output.println(line([
                row.group, row.topic ?? missing, row.partition.map { String($0) } ?? missing,
                row.currentOffset.map { String($0) } ?? missing, row.logEndOffset.map { String($0) } ?? missing,
                row.lag.map { String($0) } ?? missing, row.consumerId ?? missing, row.host ?? missing, row.clientId ?? missing,
            ]))
        }
        return output
    }

    /// `--describe --members [--verbose]` for one group: a row per member with its partition
    /// count, and with `--verbose` its assignment as `topic(p,q), other(r)`.
    static func members(_ group: ConsumerGroupDescription, verbose: Bool) -> ToolOutput {
        var output = ToolOutput()
        let members = group.members
        guard announce(group: group.groupId, state: group.state, rowCount: members.count, into: &output) else { return output }
        let groupWidth = max(15, group.groupId.count)
        let consumerWidth = members.map(\.consumerId.count).reduce(15, max)
        let hostWidth = members.map(\.host.count).reduce(15, max)
        let clientWidth = members.map(\.clientId.count).reduce(15, max)
        func prefix(_ group: String, _ consumer: String, _ host: String, _ client: String, _ partitions: String) -> String {
            [leftAligned(group, groupWidth), leftAligned(consumer, consumerWidth), leftAligned(host, hostWidth),
             leftAligned(client, clientWidth), leftAligned(partitions, 15)].joined(separator: " ") + " "
        }
        output.print("\n" + prefix("GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS"))
        if verbose { output.print("ASSIGNMENT") }
        output.println()
        for member in members {
            output.print(prefix(group.groupId, member.consumerId, member.host, member.clientId, String(member.assignment.count)))
            if verbose { output.print(assignmentText(member.assignment)) }
            output.println()
        }
        return output
    }

    /// `topic(0,1,2), other(0)`: topics sorted by their text, partitions by number; `-` if none.
    static func assignmentText(_ assignment: [TopicPartition]) -> String {
        guard !assignment.isEmpty else { return missing }
        return Dictionary(grouping: assignment, by: \.topic)
            .map { topic, partitions in topic + "(" + partitions.map(\.partition).sorted().map { String($0) }.joined(separator: ",") + ")" }
            .sorted()
            .joined(separator: ", ")
    }

    /// `--describe --state` for one group. The first column is as wide as the coordinator's
    /// `host:port (id)` text (at least 25), as in Kafka 2.3, whose layout sizes it that way.
    static func state(_ group: ConsumerGroupDescription) -> ToolOutput {
        var output = ToolOutput()
        guard announce(group: group.groupId, state: group.state, rowCount: 1, into: &output) else { return output }
        let coordinator = group.coordinator.displayName
        let firstWidth = max(25, coordinator.count)
        func line(_ columns: [String]) -> String {
            [leftAligned(columns[0], firstWidth), leftAligned(columns[1], 25), leftAligned(columns[2], 20),
             leftAligned(columns[3], 15), columns[4]].joined(separator: " ")
        }
        output.print("\n" + line(["GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS"]))
        output.print("\n" + line([group.groupId, coordinator, group.partitionAssignor, group.state.rawValue, String(group.members.count)]))
        output.println()
        return output
    }

    /// `--list`: one group id per line.
    static func list(_ groups: [String]) -> ToolOutput {
        var output = ToolOutput()
        for group in groups { output.println(group) }
        return output
    }
}
