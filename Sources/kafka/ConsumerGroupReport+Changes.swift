import KafkaCommon
import KafkaProtocol

/// The output of the commands that change groups: `--reset-offsets` and `--delete`.
extension ConsumerGroupReport {
    /// What `--reset-offsets` decided for one group: the new offsets, or the group's state when
    /// it refused because the group has active members.
    enum ResetOutcome: Sendable, Equatable {
        case planned([TopicPartition: Int64])
        case refused(state: String)
    }

    /// Kafka's `printOffsetsToReset`: the refusal for an active group, then (when any group was
    /// considered) the `GROUP TOPIC PARTITION NEW-OFFSET` table. Rows go by group, then topic and
    /// partition.
    static func reset(_ outcomes: [(group: String, outcome: ResetOutcome)]) -> ToolOutput {
        var output = ToolOutput()
        for (group, outcome) in outcomes {
            if case .refused(let state) = outcome {
                output.printError("Assignments can only be reset if the group '\(group)' is inactive, but the current state is \(state).")
            }
        }
        guard !outcomes.isEmpty else { return output }
        func line(_ group: String, _ topic: String, _ partition: String, _ offset: String) -> String {
            [leftAligned(group, 30), leftAligned(topic, 30), leftAligned(partition, 10), leftAligned(offset, 15)].joined(separator: " ")
        }
        output.println("\n" + line("GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"))
        for (group, outcome) in outcomes.sorted(by: { $0.group < $1.group }) {
            guard case .planned(let offsets) = outcome else { continue }
            for (partition, offset) in offsets.sorted(by: { $0.key < $1.key }) {
                output.println(line(group, partition.topic, String(partition.partition), String(offset)))
            }
        }
        return output
    }

    /// Kafka's `deleteGroups` report: success names every group; otherwise each failure with the
    /// exception the Java admin client would have raised, then the groups that were deleted.
    static func delete(_ results: [(group: String, error: ErrorCode)]) -> ToolOutput {
        var output = ToolOutput()
        let succeeded = results.filter { $0.error == .none }.map(\.group)
        let failed = results.filter { $0.error != .none }
        func quoted(_ groups: [String]) -> String { groups.map { "'\($0)'" }.joined(separator: ", ") }
        if failed.isEmpty {
            output.println("Deletion of requested consumer groups (\(quoted(succeeded))) was successful.")
            return output
        }
        output.printError("Deletion of some consumer groups failed:")
        for (group, error) in failed {
            output.println("* Group '\(group)' could not be deleted due to: java.util.concurrent.ExecutionException: \(javaException(for: error))")
        }
        if !succeeded.isEmpty {
            output.println("\nThese consumer groups were deleted successfully: \(quoted(succeeded))")
        }
        return output
    }

    /// The `toString` of the exception Kafka's client maps `error` to, for the errors DeleteGroups
    /// returns; other codes are named by their wire name.
    static func javaException(for error: ErrorCode) -> String {
        let prefix = "org.apache.kafka.common.errors."
        switch error {
        case .groupIdNotFound: return prefix + "GroupIdNotFoundException: The group id does not exist."
        case .nonEmptyGroup: return prefix + "GroupNotEmptyException: The group is not empty."
        case .invalidGroupId: return prefix + "InvalidGroupIdException: The configured groupId is invalid."
        case .groupAuthorizationFailed: return prefix + "GroupAuthorizationException: Not authorized to access group."
        case .coordinatorNotAvailable: return prefix + "CoordinatorNotAvailableException: The coordinator is not available."
        case .notCoordinator: return prefix + "NotCoordinatorException: This is not the correct coordinator."
        default: return "org.apache.kafka.common.KafkaException: \(error.displayName)"
        }
    }
}
