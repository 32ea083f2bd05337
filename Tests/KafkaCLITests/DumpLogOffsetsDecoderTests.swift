import Foundation
import NIOCore
import Testing

@testable import kafka

/// `kafka dump-log --offsets-decoder` on the `__consumer_offsets` segments Apache Kafka 2.3 wrote
/// prints, byte for byte, what Kafka 2.3's `DumpLogSegments --print-data-log --offsets-decoder`
/// printed for them (the fixtures live in `Tests/GroupCoordinatorTests/Fixtures/`).
@Suite struct DumpLogOffsetsDecoderTests {
    static func fixture(_ partition: Int32, _ suffix: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("GroupCoordinatorTests/Fixtures/consumer-offsets/__consumer_offsets-\(partition)/00000000000000000000\(suffix)")
            .path
    }

    @Test(arguments: [0, 8, 20, 37] as [Int32])
    func dumpMatchesKafkas(_ partition: Int32) throws {
        let kafka = try Data(contentsOf: URL(fileURLWithPath: Self.fixture(partition, ".log.dump.txt")))
        // Kafka's first line names the file as it was given on its command line.
        let expected = String(decoding: kafka, as: UTF8.self).split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)[1]
        let text = try DumpLogCommand.dumpLog(path: Self.fixture(partition, ".log"), printDataLog: true, offsetsDecoder: true)
        #expect(text == String(expected))
    }

    @Test func theFlagImpliesPrintDataLog() throws {
        let command = try DumpLogCommand.parse(["--files", "x.log", "--offsets-decoder"])
        #expect(command.offsetsDecoder && !command.printDataLog)
    }

    @Test func controlRecordsPrintTheirMarker() {
        let commitKey = ByteBuffer(bytes: [0, 0, 0, 1]), abortKey = ByteBuffer(bytes: [0, 0, 0, 0])
        let value = ByteBuffer(bytes: [0, 0, 0, 0, 0, 7])
        #expect(DumpLogCommand.controlRecordText(key: commitKey, value: value) == " endTxnMarker: COMMIT coordinatorEpoch: 7")
        #expect(DumpLogCommand.controlRecordText(key: abortKey, value: value) == " endTxnMarker: ABORT coordinatorEpoch: 7")
        #expect(DumpLogCommand.controlRecordText(key: ByteBuffer(bytes: [0, 0, 0, 9]), value: value) == " controlType: UNKNOWN(9)")
    }

    @Test func undecodableRecordsPrintTheirErrorAndTheDumpGoesOn() throws {
        #expect(throws: (any Error).self) {
            _ = try OffsetsMessageParser.parse(key: ByteBuffer(bytes: [0, 9, 0, 0]), value: ByteBuffer(bytes: [0, 0]))
        }
        let tombstone = try OffsetsMessageParser.parse(key: ByteBuffer(bytes: [0, 9]), value: nil)
        #expect(tombstone.key == nil && tombstone.payload == nil, "a tombstone prints nothing, as in Kafka")
    }

    @Test func assignmentsPrintAsKafkaDoes() {
        // version 0, one topic "t" with partitions 0 and 2, user data 00 0A.
        var assignment = ByteBuffer(bytes: [0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2])
        var withUserData = assignment
        withUserData.writeBytes([0, 0, 0, 2, 0, 0x0a])
        assignment.writeBytes([0xff, 0xff, 0xff, 0xff])
        #expect(OffsetsMessageParser.assignmentText(assignment, protocolType: "consumer") == "[t-0, t-2]")
        #expect(OffsetsMessageParser.assignmentText(withUserData, protocolType: "consumer") == "[t-0, t-2]:A")
        #expect(OffsetsMessageParser.assignmentText(ByteBuffer(bytes: [0x00, 0x1f]), protocolType: "connect") == "1F")
        #expect(OffsetsMessageParser.json("a\"b\\c\n\u{1}") == "\"a\\\"b\\\\c\\n\\u0001\"")
        #expect(OffsetsMessageParser.json(nil) == "null")
    }
}
