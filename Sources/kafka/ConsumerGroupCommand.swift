import ArgumentParser
import KafkaCommon
import KafkaProtocol

/// `kafka consumer-groups`: Kafka 2.3's `kafka-consumer-groups.sh` with `--bootstrap-server`,
/// its option names and its output. `--list`, `--describe` (offsets and lag, `--members
/// [--verbose]`, `--state`), `--reset-offsets` (a dry run unless `--execute`; refused while the
/// group has members) and `--delete`.
///
/// The protocol calls are in `ConsumerGroupService`, the text in `ConsumerGroupReport`. As in
/// Kafka, problems found at the cluster print `Error: …` on stdout; here the exit status is then 1.
struct ConsumerGroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consumer-groups",
        abstract: "List all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.",
        discussion: "Exactly one action is required: --list, --describe, --delete or --reset-offsets.")

    enum Action: String, CaseIterable, Sendable { case list, describe, delete, resetOffsets }
    enum DescribeView: Sendable, Equatable { case offsets, members, state }

    @Option(name: .customLong("bootstrap-server"), help: "REQUIRED: The server(s) to connect to.")
    var bootstrapServer: BootstrapServers
    @Option(help: "The consumer group we wish to act on (repeatable).") var group: [String] = []
    @Flag(name: .customLong("all-groups"), help: "Apply to all consumer groups.") var allGroups = false
    @Option(help: "The topic whose offsets to reset, as TOPIC or TOPIC:P1,P2 (repeatable).") var topic: [String] = []
    @Flag(name: .customLong("all-topics"), help: "Consider all topics assigned to a group in the `reset-offsets` process.")
    var allTopics = false

    @Flag(help: "List all consumer groups.") var list = false
    @Flag(help: "Describe consumer group and list offset lag (number of messages not yet processed) related to given group.")
    var describe = false
    @Flag(help: "Delete the given groups (which must have no members).") var delete = false
    @Flag(name: .customLong("reset-offsets"), help: "Reset offsets of consumer group (which must be inactive).") var resetOffsets = false

    @Flag(help: "Describe members of the group (with --describe).") var members = false
    @Flag(help: "Describe the group state (with --describe).") var state = false
    @Flag(help: "Describe the group's partitions with their offset lag (the default of --describe).") var offsets = false
    @Flag(help: "Provide additional information, if any, when describing the group.") var verbose = false

    @Flag(name: .customLong("to-earliest"), help: "Reset offsets to earliest offset.") var toEarliest = false
    @Flag(name: .customLong("to-latest"), help: "Reset offsets to latest offset.") var toLatest = false
    @Option(name: .customLong("to-offset"), help: "Reset offsets to a specific offset.") var toOffset: Int64?
    @Option(name: .customLong("shift-by"), parsing: .unconditional,
            help: "Reset offsets shifting current offset by 'n', where 'n' can be positive or negative.")
    var shiftBy: Int64?
    @Option(name: .customLong("to-datetime"), help: "Reset offsets to offset from datetime. Format: 'YYYY-MM-DDTHH:mm:SS.sss'")
    var toDatetime: String?
    @Flag(help: "Execute operation. Supported operations: reset-offsets.") var execute = false
    @Flag(name: .customLong("dry-run"), help: "Only show results without executing changes. Supported operations: reset-offsets.")
    var dryRun = false
    @Option(help: "How long to wait for a group's coordinator, in milliseconds.") var timeout: Int64 = 5000

    /// Kafka 2.3's warning (on stderr, its words and spacing) for a reset with neither
    /// `--execute` nor `--dry-run`.
    static let implicitDryRunWarning = "WARN: No action will be performed as the --execute option is missing."
        + "In a future major release, the default behavior of this command will be to prompt the user before "
        + "executing the reset rather than doing a dry run. You should add the --dry-run option explicitly "
        + "if you are scripting this command and want to keep the current default behavior without prompting."

    /// The one action asked for.
    var action: Action {
        get throws {
            let chosen = zip(Action.allCases, [list, describe, delete, resetOffsets]).filter(\.1).map(\.0)
            guard chosen.count == 1 else {
                throw ValidationError("Command must include exactly one action: --list, --describe, --delete, --reset-offsets")
            }
            return chosen[0]
        }
    }

    /// `--describe`'s view: offsets unless `--members` or `--state`.
    var describeView: DescribeView { members ? .members : state ? .state : .offsets }

    /// The reset scenario asked for, if exactly one was.
    var resetSpec: OffsetResetSpec {
        get throws {
            var specs: [OffsetResetSpec] = []
            if toEarliest { specs.append(.toEarliest) }
            if toLatest { specs.append(.toLatest) }
            if let toOffset { specs.append(.toOffset(toOffset)) }
            if let shiftBy { specs.append(.shiftBy(shiftBy)) }
            if let toDatetime {
                guard let time = OffsetResetSpec.timestamp(parsing: toDatetime) else {
                    throw ValidationError("Invalid --to-datetime '\(toDatetime)': expected YYYY-MM-DDTHH:mm:SS.sss, optionally with a zone")
                }
                specs.append(.toDatetime(time))
            }
            guard specs.count == 1 else {
                throw ValidationError(
                    "Option reset-offsets requires exactly one of the following scenarios: --to-earliest, --to-latest, --to-offset, --shift-by, --to-datetime")
            }
            return specs[0]
        }
    }

    func validate() throws {
        let action = try action
        let groupScope = "takes one of these options: --group, --all-groups"
        if [members, state, offsets].filter({ $0 }).count > 1 {
            throw ValidationError("Options --members, --offsets and --state are mutually exclusive")
        }
        if action != .describe, members || state || offsets || verbose {
            throw ValidationError("Options --members, --offsets, --state and --verbose may be used with --describe only")
        }
        switch action {
        case .list: break
        case .describe:
            guard !group.isEmpty || allGroups else { throw ValidationError("Option describe \(groupScope)") }
        case .delete:
            guard !group.isEmpty || allGroups else { throw ValidationError("Option delete \(groupScope)") }
            guard topic.isEmpty else { throw ValidationError("The consumer does not support topic-specific offset deletion from a consumer group.") }
        case .resetOffsets:
            guard !(execute && dryRun) else { throw ValidationError("Option reset-offsets only accepts one of execute and dry-run") }
            guard !group.isEmpty || allGroups else { throw ValidationError("Option reset-offsets \(groupScope)") }
            _ = try resetSpec
            guard !topic.isEmpty || allTopics else { throw ValidationError("One of the reset scopes should be defined: --all-topics, --topic.") }
            _ = try Self.parseTopicArguments(topic)
        }
    }

    /// `--topic` values: `name` (every partition, looked up later: nil) or `name:0,1,2`.
    static func parseTopicArguments(_ arguments: [String]) throws -> [(topic: String, partitions: [Int32]?)] {
        try arguments.map { argument in
            guard let colon = argument.firstIndex(of: ":") else { return (argument, nil) }
            let name = String(argument[..<colon])
            let partitions = argument[argument.index(after: colon)...].split(separator: ",").map { Int32($0.trimmingCharacters(in: .whitespaces)) }
            guard !name.isEmpty, !partitions.isEmpty, partitions.allSatisfy({ ($0 ?? -1) >= 0 }) else {
                throw ValidationError("Invalid --topic '\(argument)': expected TOPIC or TOPIC:P1,P2")
            }
            return (name, partitions.map { $0! })
        }
    }

    func run() async throws {
        var output = ToolOutput()
        do {
            output = try await withClusterClient(bootstrapServer, clientId: "kafka-consumer-groups") { client in
                try await perform(ConsumerGroupService(client: client, timeout: .milliseconds(timeout)))
            }
        } catch {
            output.printError("Executing consumer group command failed due to \(error)")
        }
        output.emit()
        if output.hasError { throw ExitCode.failure }
    }

    /// Runs the action against the cluster and returns what to print.
    func perform(_ service: ConsumerGroupService) async throws -> ToolOutput {
        let action = try action
        if action == .list { return ConsumerGroupReport.list(try await service.listGroups()) }
        let groups = allGroups ? try await service.listGroups() : group
        switch action {
        case .list:
            preconditionFailure("handled above")
        case .describe:
            var output = ToolOutput()
            for group in Array(Set(groups)).sorted() {
                output.append(try await describe(group, with: service))
            }
            return output
        case .delete:
            return ConsumerGroupReport.delete(try await service.delete(groups))
        case .resetOffsets:
            var output = ToolOutput()
            if !execute && !dryRun { output.printlnError(Self.implicitDryRunWarning) }
            var outcomes: [(group: String, outcome: ConsumerGroupReport.ResetOutcome)] = []
            for group in Array(Set(groups)).sorted() {
                outcomes.append((group, try await reset(group, with: service)))
            }
            output.append(ConsumerGroupReport.reset(outcomes))
            return output
        }
    }

    private func describe(_ group: String, with service: ConsumerGroupService) async throws -> ToolOutput {
        let description = try await service.describe(group)
        switch describeView {
        case .members: return ConsumerGroupReport.members(description, verbose: verbose)
        case .state: return ConsumerGroupReport.state(description)
        case .offsets:
            let committed = try await service.committedOffsets(group)
            let partitions = Set(committed.keys).union(description.members.flatMap(\.assignment)).sorted()
            let logEndOffsets = try await service.listOffsets(partitions, timestamp: ListOffsets.latestTimestamp)
            let rows = ConsumerGroupReport.offsetRows(description, committed: committed, logEndOffsets: logEndOffsets)
            return ConsumerGroupReport.offsets(description, rows: rows)
        }
    }

    private func reset(_ group: String, with service: ConsumerGroupService) async throws -> ConsumerGroupReport.ResetOutcome {
        let description = try await service.describe(group)
        guard description.state == .empty || description.state == .dead else {
            return .refused(state: description.state.rawValue)
        }
        let spec = try resetSpec
        var inputs = OffsetResetSpec.Inputs()
        if spec.needsCommitted || allTopics { inputs.committed = try await service.committedOffsets(group) }
        var partitions: [TopicPartition] = []
        if allTopics {
            partitions = inputs.committed.keys.sorted()
        } else {
            for (topic, explicit) in try Self.parseTopicArguments(topic) {
                if let explicit {
                    partitions += explicit.map { TopicPartition(topic, $0) }
                } else {
                    partitions += try await service.partitions(of: topic)
                }
            }
        }
        inputs.logEndOffsets = try await service.listOffsets(partitions, timestamp: ListOffsets.latestTimestamp)
        if spec.needsRange { inputs.logStartOffsets = try await service.listOffsets(partitions, timestamp: ListOffsets.earliestTimestamp) }
        if let time = spec.timestamp { inputs.byTimestamp = try await service.listOffsets(partitions, timestamp: time) }
        let plan = try spec.plan(for: partitions, from: inputs)
        if execute, !plan.isEmpty { try await service.commit(group, offsets: plan) }
        return .planned(plan)
    }
}
