import ArgumentParser
import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaRecords
import NIOCore

/// `kafka console-consumer`: Kafka's `kafka-console-consumer.sh` without a consumer group. It
/// fetches every partition (or `--partition`) from its leader, starting at the log start
/// (`--from-beginning`) or the end, and prints each record as Kafka's `DefaultMessageFormatter`
/// does. It stops after `--max-messages`, or when `--timeout-ms` passes with no new record.
struct ConsoleConsumerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console-consumer",
        abstract: "Consume records from a topic and print them to standard output."
    )

    @Option(name: .customLong("bootstrap-server"), help: "REQUIRED: The server(s) to connect to (HOST:PORT[,HOST:PORT…]).")
    var bootstrapServer: BootstrapServers

    @Option(help: "REQUIRED: The topic to consume from.") var topic: String

    @Flag(name: .customLong("from-beginning"), help: "Start with the earliest message present in the log rather than the latest.")
    var fromBeginning = false

    @Option(help: "The partition to consume from (default: all partitions).") var partition: Int32?

    @Option(help: "The offset to start from: a non-negative number, 'earliest' or 'latest' (needs --partition).")
    var offset: String?

    @Option(name: .customLong("max-messages"), help: "The maximum number of messages to consume before exiting (default: no limit).")
    var maxMessages: Int?

    @Option(name: .customLong("timeout-ms"), help: "Exit if no message is available for consumption for this long.")
    var timeoutMs: Int?

    @Option(help: "Formatter properties: print.key, print.offset, print.partition, print.timestamp, print.value, key.separator, line.separator.")
    var property: [KeyValue] = []

    func validate() throws {
        if let offset {
            guard partition != nil else { throw ValidationError("The partition is required when offset is specified.") }
            guard offset == "earliest" || offset == "latest" || (Int64(offset).map { $0 >= 0 } ?? false) else {
                throw ValidationError("The provided offset value '\(offset)' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.")
            }
            if fromBeginning { throw ValidationError("Options --from-beginning and --offset cannot be specified together.") }
        }
        if let maxMessages, maxMessages < 1 { throw ValidationError("--max-messages must be positive") }
        if let timeoutMs, timeoutMs < 0 { throw ValidationError("--timeout-ms must not be negative") }
    }

    func run() async throws {
        var consumed = 0
        do {
            try await withClusterClient(bootstrapServer, clientId: "console-consumer") { client in
                consumed = try await consume(client)
            }
        } catch let error as CLIError {
            printError("ERROR \(error)")
            throw ExitCode.failure
        }
        printError("Processed a total of \(consumed) messages")
    }

    /// Where one partition is read from.
    private struct Position {
        var partition: Int32
        var leader: BrokerId
        var offset: Int64
    }

    private func consume(_ client: ClusterClient) async throws -> Int {
        let fetchVersion = try await client.requireVersion(of: Fetch.self, for: "Fetching")
        var positions = try await startPositions(client)
        let formatter = MessageFormatter(properties: property)
        var consumed = 0
        var lastRecord = ContinuousClock.now
        let timeout = timeoutMs.map { Duration.milliseconds($0) }
        while true {
            var progressed = false
            var needsMetadata = false
            for leader in Set(positions.map(\.leader)) {
                let indices = positions.indices.filter { positions[$0].leader == leader }
                guard leader != .none else { needsMetadata = true; continue }
                let request = Fetch.Request(
                    maxWaitMs: Int32(min(500, timeoutMs ?? 500)), minBytes: 1, maxBytes: 52_428_800,
                    topics: [Fetch.FetchTopic(topic: topic, partitions: indices.map {
                        Fetch.FetchPartition(partition: positions[$0].partition, fetchOffset: positions[$0].offset, partitionMaxBytes: 1_048_576)
                    })])
                let response: Fetch.Response
                do {
                    response = try await client.connection(to: leader).send(Fetch.self, request, version: fetchVersion)
                } catch {
                    await client.dropConnection(to: leader)
                    needsMetadata = true
                    continue
                }
                for data in response.responses.filter({ $0.topic == topic }).flatMap(\.partitions) {
                    guard let index = indices.first(where: { positions[$0].partition == data.partitionIndex }) else { continue }
                    switch data.errorCode {
                    case .none:
                        break
                    case .offsetOutOfRange:
                        positions[index].offset = try await listOffset(
                            client, partition: data.partitionIndex, leader: leader,
                            timestamp: fromBeginning ? ListOffsets.earliestTimestamp : ListOffsets.latestTimestamp)
                        continue
                    case let code where code.isRetriable:
                        needsMetadata = true
                        continue
                    default:
                        throw CLIError("Fetching \(topic)-\(data.partitionIndex) failed: \(data.errorCode.displayName)")
                    }
                    guard let records = data.records else { continue }
                    for batch in MemoryRecords(records).batches where !batch.isControlBatch {
                        var iterator = try batch.records()
                        while let record = try iterator.next() {
                            guard record.offset >= positions[index].offset else { continue }
                            print(formatter.format(record, partition: data.partitionIndex), terminator: "")
                            positions[index].offset = record.offset + 1
                            consumed += 1
                            progressed = true
                            if let maxMessages, consumed >= maxMessages { return consumed }
                        }
                        positions[index].offset = max(positions[index].offset, batch.nextOffset)
                    }
                }
            }
            fflush(nil)  // all output streams: stdout may be a pipe
            if progressed { lastRecord = .now }
            if let timeout, ContinuousClock.now - lastRecord >= timeout { return consumed }
            if needsMetadata {
                try await Task.sleep(for: .milliseconds(200))
                let leaders = try await leadersOf(client)
                for index in positions.indices {
                    positions[index].leader = leaders[positions[index].partition] ?? .none
                }
            }
        }
    }

    private func leadersOf(_ client: ClusterClient) async throws -> [Int32: BrokerId] {
        let metadata = try await client.metadata(topics: [topic])
        guard let described = metadata.topics.first(where: { $0.name == topic }) else {
            throw CLIError("Topic \(topic) not present in metadata")
        }
        if described.errorCode == .unknownTopicOrPartition {
            throw CLIError("Topic \(topic) does not exist")
        }
        return Dictionary(described.partitions.map { ($0.partitionIndex, $0.leaderId) }, uniquingKeysWith: { $1 })
    }

    private func startPositions(_ client: ClusterClient) async throws -> [Position] {
        var leaders = try await leadersOf(client)
        for _ in 0..<20 where leaders.isEmpty || leaders.values.contains(.none) {
            try await Task.sleep(for: .milliseconds(250))
            leaders = try await leadersOf(client)
        }
        let partitions: [Int32]
        if let partition {
            guard leaders[partition] != nil else {
                throw CLIError("Partition \(partition) does not exist in topic \(topic)")
            }
            partitions = [partition]
        } else {
            partitions = leaders.keys.sorted()
        }
        var positions: [Position] = []
        for partition in partitions {
            let leader = leaders[partition] ?? .none
            let start: Int64
            switch offset {
            case let .some(text) where Int64(text) != nil: start = Int64(text)!
            case "earliest": start = try await listOffset(client, partition: partition, leader: leader, timestamp: ListOffsets.earliestTimestamp)
            default:
                start = try await listOffset(
                    client, partition: partition, leader: leader,
                    timestamp: fromBeginning ? ListOffsets.earliestTimestamp : ListOffsets.latestTimestamp)
            }
            positions.append(Position(partition: partition, leader: leader, offset: start))
        }
        return positions
    }

    private func listOffset(_ client: ClusterClient, partition: Int32, leader: BrokerId, timestamp: Int64) async throws -> Int64 {
        let version = try await client.requireVersion(of: ListOffsets.self, for: "Listing offsets")
        guard version >= 1 else { throw CLIError("The broker only speaks ListOffsets v0, which this tool does not use") }
        guard leader != .none else { throw CLIError("Partition \(topic)-\(partition) has no leader") }
        let request = ListOffsets.Request(topics: [ListOffsets.Topic(
            name: topic, partitions: [ListOffsets.Partition(partitionIndex: partition, timestamp: timestamp)])])
        let response = try await client.connection(to: leader).send(ListOffsets.self, request, version: version)
        guard let result = response.topics.first(where: { $0.name == topic })?.partitions.first(where: { $0.partitionIndex == partition }) else {
            throw CLIError("No offset returned for \(topic)-\(partition)")
        }
        guard !result.errorCode.isError else {
            throw CLIError("Listing offsets of \(topic)-\(partition) failed: \(result.errorCode.displayName)")
        }
        return result.offset
    }
}

/// Kafka's `DefaultMessageFormatter`: optional timestamp, partition, offset and key, each
/// followed by `key.separator`, then the value and `line.separator`. Null keys and values print
/// as `null`.
struct MessageFormatter: Sendable {
    var printTimestamp = false
    var printPartition = false
    var printOffset = false
    var printKey = false
    var printValue = true
    var keySeparator = "\t"
    var lineSeparator = "\n"

    init(properties: [KeyValue]) {
        printTimestamp = properties.flag("print.timestamp")
        printPartition = properties.flag("print.partition")
        printOffset = properties.flag("print.offset")
        printKey = properties.flag("print.key")
        printValue = properties.value(of: "print.value").map { $0.lowercased() == "true" } ?? true
        keySeparator = properties.value(of: "key.separator") ?? "\t"
        lineSeparator = properties.value(of: "line.separator") ?? "\n"
    }

    func format(_ record: DefaultRecord, partition: Int32) -> String {
        var text = ""
        if printTimestamp { text += "CreateTime:\(record.timestamp)" + keySeparator }
        if printPartition { text += "Partition:\(partition)" + keySeparator }
        if printOffset { text += "Offset:\(record.offset)" + keySeparator }
        if printKey { text += Self.text(record.key) + keySeparator }
        if printValue { text += Self.text(record.value) }
        return text + lineSeparator
    }

    static func text(_ buffer: ByteBuffer?) -> String {
        guard let buffer else { return "null" }
        return String(decoding: buffer.readableBytesView, as: UTF8.self)
    }
}
