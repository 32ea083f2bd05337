import ArgumentParser
import Foundation
import KafkaRecords
import NIOCore
import Testing

@testable import kafka

@Suite("Command-line parsing, with Kafka's option names")
struct ArgumentParsingTests {
    @Test func bootstrapServersAcceptKafkasListForm() throws {
        let servers = try #require(BootstrapServers(argument: "127.0.0.1:9092,broker-2:9093,[::1]:9094"))
        #expect(servers.addresses.map(\.description) == ["127.0.0.1:9092", "broker-2:9093", "::1:9094"])
        #expect(BootstrapServers(argument: "localhost") == nil)
        #expect(BootstrapServers(argument: "host:0") == nil)
        #expect(BootstrapServers(argument: ":9092") == nil)
    }

    @Test func topicsCreateTakesPartitionsReplicationFactorAndConfigs() throws {
        let command = try #require(try Kafka.parseAsRoot([
            "topics", "--bootstrap-server", "127.0.0.1:9092", "--create", "--topic", "orders",
            "--partitions", "3", "--replication-factor", "2", "--config", "cleanup.policy=compact",
            "--config", "retention.ms=1000",
        ]) as? TopicsCommand)
        #expect(try command.action == .create)
        #expect(command.topic == "orders")
        #expect(command.partitions == 3)
        #expect(command.replicationFactor == 2)
        #expect(command.config == [KeyValue(key: "cleanup.policy", value: "compact"), KeyValue(key: "retention.ms", value: "1000")])
    }

    @Test func topicsNeedsExactlyOneAction() {
        #expect(throws: (any Error).self) { try TopicsCommand.parse(["--bootstrap-server", "h:1"]) }
        #expect(throws: (any Error).self) { try TopicsCommand.parse(["--bootstrap-server", "h:1", "--list", "--describe"]) }
        let message = TopicsCommand.message(for: ValidationError("x"))
        #expect(message == "x")
        do {
            _ = try TopicsCommand.parse(["--bootstrap-server", "h:1"])
        } catch {
            #expect(TopicsCommand.message(for: error).contains("exactly one action: --list, --describe, --create, --alter or --delete"))
        }
    }

    @Test func topicsCreateRequiresPartitionsAndReplicationFactor() {
        do {
            _ = try TopicsCommand.parse(["--bootstrap-server", "h:1", "--create", "--topic", "t", "--replication-factor", "1"])
            Issue.record("parsed without --partitions")
        } catch {
            #expect(TopicsCommand.message(for: error).contains("Missing required argument \"[partitions]\""))
        }
        #expect(throws: (any Error).self) { try TopicsCommand.parse(["--create", "--topic", "t", "--partitions", "1", "--replication-factor", "1"]) }
    }

    @Test func producerPropertiesSplitKeys() throws {
        let command = try ConsoleProducerCommand.parse([
            "--bootstrap-server", "h:1", "--topic", "t", "--property", "parse.key=true", "--property", "key.separator=:",
            "--compression-codec", "gzip", "--request-required-acks", "all",
        ])
        #expect(try command.compression == .gzip)
        #expect(try command.acks == -1)
        let record = try command.record(fromLine: "k1:v:1")
        #expect(record.key == Array("k1".utf8))
        #expect(record.value == Array("v:1".utf8))
        #expect(throws: CLIError.self) { try command.record(fromLine: "no separator") }
        #expect(throws: (any Error).self) { try ConsoleProducerCommand.parse(["--bootstrap-server", "h:1", "--topic", "t", "--compression-codec", "brotli"]) }
        let unkeyed = try ConsoleProducerCommand.parse(["--bootstrap-server", "h:1", "--topic", "t"])
        #expect(try unkeyed.record(fromLine: "a:b").key == nil)
        #expect(try unkeyed.acks == 1)
    }

    @Test func consumerOptionsAndFormatter() throws {
        let command = try ConsoleConsumerCommand.parse([
            "--bootstrap-server", "h:1", "--topic", "t", "--from-beginning", "--partition", "2", "--max-messages", "10",
            "--timeout-ms", "5000", "--property", "print.key=true", "--property", "print.offset=true",
        ])
        #expect(command.fromBeginning && command.partition == 2 && command.maxMessages == 10 && command.timeoutMs == 5000)
        var builder = MemoryRecordsBuilder(baseOffset: 7)
        builder.append(timestamp: 1000, key: ByteBuffer(string: "k"), value: ByteBuffer(string: "v"))
        builder.append(timestamp: 1001, key: nil, value: ByteBuffer(string: "w"))
        let records = try #require(builder.buildRecords().firstBatch).decodeRecords()
        let formatter = MessageFormatter(properties: command.property)
        #expect(records.map { formatter.format($0, partition: 2) } == ["Offset:7\tk\tv\n", "Offset:8\tnull\tw\n"])
        #expect(throws: (any Error).self) {
            try ConsoleConsumerCommand.parse(["--bootstrap-server", "h:1", "--topic", "t", "--offset", "3"])
        }
    }

    @Test func dumpLogPrintsBatchesRecordsAndIndexEntries() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dump-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var builder = MemoryRecordsBuilder(baseOffset: 0, compression: .gzip)
        builder.append(timestamp: 1_600_000_000_000, key: ByteBuffer(string: "k1"), value: ByteBuffer(string: "hello"))
        builder.append(timestamp: 1_600_000_000_001, key: nil, value: ByteBuffer(string: "world"))
        var log = try builder.build()
        var second = MemoryRecordsBuilder(baseOffset: 2)
        second.append(timestamp: 1_600_000_000_002, key: nil, value: ByteBuffer(string: "again"))
        let firstSize = log.readableBytes
        var secondBatch = try second.build()
        log.writeBuffer(&secondBatch)
        let logFile = directory.appendingPathComponent("00000000000000000000.log")
        try Data(log.readableBytesView).write(to: logFile)

        let text = try DumpLogCommand.dumpLog(path: logFile.path, printDataLog: true)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "Starting offset: 0")
        let batches = lines.filter { $0.hasPrefix("baseOffset:") }
        #expect(batches.count == 2)
        #expect(batches[0].hasPrefix("baseOffset: 0 lastOffset: 1 count: 2 baseSequence: -1 lastSequence: -1 producerId: -1"))
        #expect(batches[0].contains("position: 0 CreateTime: 1600000000001 size: \(firstSize) magic: 2 compresscodec: GZIP crc: "))
        #expect(batches[0].hasSuffix("isvalid: true"))
        #expect(batches[1].contains("position: \(firstSize) ") && batches[1].contains("compresscodec: NONE"))
        let records = lines.filter { $0.hasPrefix("| offset:") }
        #expect(records == [
            "| offset: 0 CreateTime: 1600000000000 keysize: 2 valuesize: 5 sequence: -1 headerKeys: [] key: k1 payload: hello",
            "| offset: 1 CreateTime: 1600000000001 keysize: -1 valuesize: 5 sequence: -1 headerKeys: [] payload: world",
            "| offset: 2 CreateTime: 1600000000002 keysize: -1 valuesize: 5 sequence: -1 headerKeys: [] payload: again",
        ])

        // A preallocated index: two entries, then zeroed space that is not printed.
        var index = ByteBuffer()
        index.writeInteger(Int32(0)); index.writeInteger(Int32(0))
        index.writeInteger(Int32(2)); index.writeInteger(Int32(firstSize))
        index.writeBytes([UInt8](repeating: 0, count: 64))
        let indexFile = directory.appendingPathComponent("00000000000000000100.index")
        try Data(index.readableBytesView).write(to: indexFile)
        #expect(try DumpLogCommand.dumpOffsetIndex(path: indexFile.path) == "offset: 100 position: 0\noffset: 102 position: \(firstSize)\n")
        #expect(try Data(contentsOf: indexFile).count == 80, "the dumped file is left as it was")

        var timeIndex = ByteBuffer()
        timeIndex.writeInteger(Int64(1_600_000_000_001)); timeIndex.writeInteger(Int32(1))
        let timeIndexFile = directory.appendingPathComponent("00000000000000000000.timeindex")
        try Data(timeIndex.readableBytesView).write(to: timeIndexFile)
        #expect(try DumpLogCommand.dumpTimeIndex(path: timeIndexFile.path) == "timestamp: 1600000000001 offset: 1\n")
    }
}
