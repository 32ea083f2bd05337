import Foundation
import KafkaTestKit
import Testing

@testable import kafka

/// `kafka dump-log --print-data-log` on the `fx-compact-0` segments Apache Kafka 2.3 wrote before
/// and after its cleaner ran (`shared/fixtures/kafka-2.3.0/disk/compaction/`, see its README)
/// prints, byte for byte, what Kafka 2.3's `DumpLogSegments --print-data-log` printed for each
/// `.log`, `.index` and `.timeindex` file, standard error included: cleaned segments with their
/// offset gaps, empty cleaned segments, tombstones (no key or payload printed), and the time
/// index complaints of 2.3's tool.
@Suite struct DumpLogCompactionFixtureTests {
    static let partition = "fx-compact-0"
    static let stderrMarker = "---- DumpLogSegments wrote this to stderr for this file ----\n"

    /// `$KAFKA_FIXTURES_DIR/disk/compaction`, else the shared fixtures beside the repository,
    /// else the copy of `after-pass1` and `after-wave2` in `Fixtures/compaction`.
    static func fixturesDirectory(file: String = #filePath) throws -> URL {
        let (relative, copy) = ("disk/compaction", "Tests/KafkaCLITests/Fixtures/compaction")
        return try #require(
            KafkaFixtures.directory(relative, localCopy: copy, holding: "after-wave2/\(partition)/00000000000000000000.log.dump.txt",
                                    testFile: file),
            "no compaction dumps among \(KafkaFixtures.candidates(relative, localCopy: copy, testFile: file).map(\.path))")
    }

    /// What our tool prints for `path`: standard output, and standard error's lines.
    static func dump(_ path: String) throws -> (output: String, errors: String) {
        var errors = DumpLogSegmentsErrors()
        let output: String
        switch URL(fileURLWithPath: path).pathExtension {
        case "log": output = try DumpLogCommand.dumpLog(path: path, printDataLog: true)
        case "index": output = try DumpLogCommand.dumpOffsetIndex(path: path, errors: &errors)
        case "timeindex": output = try DumpLogCommand.dumpTimeIndex(path: path, errors: &errors)
        default: throw CLIError("not a segment file: \(path)")
        }
        return (output, errors.lines.map { $0 + "\n" }.joined())
    }

    /// Kafka's dump of one file, without its `Dumping <name>` line, split into what went to
    /// standard output and to standard error.
    static func kafkaDump(_ url: URL) throws -> (output: String, errors: String) {
        let text = try String(contentsOf: url, encoding: .utf8)
        let body = String(text[text.index(after: try #require(text.firstIndex(of: "\n")))...])
        guard let marker = body.range(of: stderrMarker) else { return (body, "") }
        return (String(body[..<marker.lowerBound]), String(body[marker.upperBound...]))
    }

    /// Every dumped `.log`/`.index`/`.timeindex` of a stage. Kafka dumped a `.deleted` file from
    /// a copy without the suffix; so do we, with its `.deleted` siblings (the index checks read
    /// the segment's other files).
    func compare(stage: String) throws -> Int {
        let folder = try Self.fixturesDirectory().appendingPathComponent("\(stage)/\(Self.partition)")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("dump-log-fixture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var compared = 0
        for dumpName in names where dumpName.hasSuffix(".dump.txt") {
            var name = String(dumpName.dropLast(".dump.txt".count))
            var directory = folder
            if name.hasSuffix(".deleted") {
                name = String(name.dropLast(".deleted".count))
                directory = scratch.appendingPathComponent(name)
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                let prefix = String(name.prefix(20))
                for sibling in names where sibling.hasPrefix(prefix) && sibling.hasSuffix(".deleted") {
                    try FileManager.default.copyItem(
                        at: folder.appendingPathComponent(sibling), to: directory.appendingPathComponent(String(sibling.dropLast(".deleted".count))))
                }
            }
            guard ["log", "index", "timeindex"].contains(URL(fileURLWithPath: name).pathExtension) else { continue }
            let expected = try Self.kafkaDump(folder.appendingPathComponent(dumpName))
            let actual = try Self.dump(directory.appendingPathComponent(name).path)
            #expect(actual.output == expected.output, "\(stage)/\(dumpName)")
            #expect(actual.errors == expected.errors, "\(stage)/\(dumpName): standard error")
            compared += 1
        }
        return compared
    }

    @Test func cleanedSegmentsDumpAsKafkaDumpedThem() throws {
        // after-pass1: 13 segments (9 empty) with indexes; after-wave2: 2 segments plus the kept
        // .deleted ones.
        #expect(try compare(stage: "after-pass1") == 13 * 3)
        #expect(try compare(stage: "after-wave2") >= 2 * 3 + 4)
    }

    @Test func uncleanedSegmentsDumpAsKafkaDumpedThem() throws {
        let folder = try Self.fixturesDirectory().appendingPathComponent("before/\(Self.partition)")
        guard FileManager.default.fileExists(atPath: folder.path) else { return }  // only with the shared fixtures
        #expect(try compare(stage: "before") == 15 * 3)
    }

    @Test func deepIterationPrintsRecordsWithoutKeysOrPayloads() throws {
        let log = try Self.fixturesDirectory().appendingPathComponent("after-pass1/\(Self.partition)/00000000000000004405.log").path
        let lines = try DumpLogCommand.dumpLog(path: log, printDataLog: false, deepIteration: true).split(separator: "\n")
        #expect(lines.count == 2 + 5)
        #expect(lines[2] == "| offset: 4750 CreateTime: 1796246640170 keysize: 7 valuesize: 29 sequence: -1 headerKeys: []")
        let shallow = try DumpLogCommand.dumpLog(path: log, printDataLog: false).split(separator: "\n")
        #expect(shallow.count == 2 && shallow[1].hasPrefix("baseOffset: 4720 lastOffset: 4754 count: 5 "))
        let command = try DumpLogCommand.parse(["--files", log, "--deep-iteration"])
        #expect(command.deepIteration && !command.printDataLog)
    }
}
