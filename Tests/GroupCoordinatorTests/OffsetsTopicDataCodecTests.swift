import GroupCoordinator
import KafkaProtocol
import NIOCore
import Testing

/// The generated `__consumer_offsets` structs at every version their codec knows: a value with
/// every field of the version set (`example(version:)`, generated from the schema) encodes and
/// decodes back to itself, and its encoding cut short at any byte fails with an error.
@Suite struct OffsetsTopicDataCodecTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var version: Int16
        var check: @Sendable (Int16) throws -> Void
        var description: String { "\(name) v\(version)" }
    }

    static func cases<Data: OffsetsTopicData>(_ type: Data.Type, example: @escaping @Sendable (Int16) -> Data) -> [Case] {
        Data.versions.map { version in
            Case(name: "\(Data.self)", version: version) { version in try roundTrip(example(version), version: version) }
        }
    }

    static let cases: [Case] =
        cases(OffsetCommitKey.self) { OffsetCommitKey.example(version: $0) }
        + cases(OffsetCommitValue.self) { OffsetCommitValue.example(version: $0) }
        + cases(GroupMetadataKey.self) { GroupMetadataKey.example(version: $0) }
        + cases(GroupMetadataValue.self) { GroupMetadataValue.example(version: $0) }

    @Test(arguments: cases)
    func exampleRoundTripsAndRejectsTruncation(_ testCase: Case) throws {
        try testCase.check(testCase.version)
    }

    static func roundTrip<Data: OffsetsTopicData>(_ value: Data, version: Int16) throws {
        var encoded = ByteBuffer()
        value.write(into: &encoded, version: version)
        var input = encoded
        #expect(try Data(from: &input, version: version) == value)
        #expect(input.readableBytes == 0)
        for length in 0..<encoded.readableBytes {
            var prefix = encoded.getSlice(at: encoded.readerIndex, length: length)!
            #expect(throws: KafkaProtocolError.self, "decoding \(length) of \(encoded.readableBytes) bytes") {
                _ = try Data(from: &prefix, version: version)
            }
        }
    }

    @Test func versionsAreKafkas() {
        #expect(OffsetCommitKey.versions == 0...1)
        #expect(OffsetCommitValue.versions == 0...3)
        #expect(GroupMetadataKey.versions == 2...2)
        #expect(GroupMetadataValue.versions == 0...3)
    }

    @Test func anUnknownVersionIsAnErrorNamingTheRecord() {
        var buffer = ByteBuffer(bytes: [UInt8](repeating: 0, count: 64))
        #expect(throws: KafkaProtocolError.malformed("OffsetCommitValue has no version 4; this codec knows 0–3")) {
            _ = try OffsetCommitValue(from: &buffer, version: 4)
        }
        #expect(throws: KafkaProtocolError.malformed("GroupMetadataKey has no version 1; this codec knows 2–2")) {
            _ = try GroupMetadataKey(from: &buffer, version: 1)
        }
    }

    /// The layouts by hand: v0 is offset, metadata, commit time; v1 adds the expiry after the
    /// commit time; v3 puts the leader epoch between offset and metadata.
    @Test func offsetCommitValueLayouts() {
        let value = OffsetCommitValue(offset: 7, leaderEpoch: 5, metadata: "m", commitTimestamp: 9, expireTimestamp: 11)
        func bytes(_ version: Int16) -> [UInt8] {
            var buffer = ByteBuffer()
            value.write(into: &buffer, version: version)
            return Array(buffer.readableBytesView)
        }
        let offset: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 7], metadata: [UInt8] = [0, 1, 0x6d]
        let commit: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 9], expire: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 11]
        #expect(bytes(0) == offset + metadata + commit)
        #expect(bytes(1) == offset + metadata + commit + expire)
        #expect(bytes(2) == offset + metadata + commit)
        #expect(bytes(3) == offset + [0, 0, 0, 5] + metadata + commit)
    }

    /// Each version adds its field where Kafka's layout has it: the rebalance timeout (v1) before
    /// the session timeout, the state timestamp (v2) before the members, the instance id (v3)
    /// after the member id.
    @Test func groupMetadataValueLayouts() {
        let member = GroupMetadataValue.Member(
            memberId: "m", groupInstanceId: "i", clientId: "c", clientHost: "/h", rebalanceTimeout: 3, sessionTimeout: 4,
            subscription: ByteBuffer(bytes: [1]), assignment: ByteBuffer(bytes: [2]))
        let value = GroupMetadataValue(protocolType: "p", generation: 1, protocol: nil, leader: "m", currentStateTimestamp: 8, members: [member])
        func bytes(_ version: Int16) -> [UInt8] {
            var buffer = ByteBuffer()
            value.write(into: &buffer, version: version)
            return Array(buffer.readableBytesView)
        }
        let head: [UInt8] = [0, 1, 0x70, 0, 0, 0, 1, 0xff, 0xff, 0, 1, 0x6d]
        let timestamp: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 8], count: [UInt8] = [0, 0, 0, 1]
        let id: [UInt8] = [0, 1, 0x6d], instance: [UInt8] = [0, 1, 0x69], client: [UInt8] = [0, 1, 0x63, 0, 2, 0x2f, 0x68]
        let rebalance: [UInt8] = [0, 0, 0, 3], session: [UInt8] = [0, 0, 0, 4], tail: [UInt8] = [0, 0, 0, 1, 1, 0, 0, 0, 1, 2]
        #expect(bytes(0) == head + count + id + client + session + tail)
        #expect(bytes(1) == head + count + id + client + rebalance + session + tail)
        #expect(bytes(2) == head + timestamp + count + id + client + rebalance + session + tail)
        #expect(bytes(3) == head + timestamp + count + id + instance + client + rebalance + session + tail)
    }
}
