import GroupCoordinator
import KafkaProtocol
import NIOCore

/// `dump-log --offsets-decoder`: prints `__consumer_offsets` records as Kafka 2.3's
/// `DumpLogSegments.OffsetsMessageParser` does.
///
/// - an offset commit: key `offset::<group>:<topic>:<partition>`, payload `<offset>`, or
///   `<offset>:<metadata>` when the metadata is not empty (no leader epoch, no timestamps);
/// - group metadata: key `{"metadata":"<group>"}`, payload the JSON object
///   `{"protocolType":…,"protocol":…,"generationId":…,"assignment":"{<member>=<partitions>,…}"}`,
///   where a consumer-protocol assignment prints as Java's list of TopicPartition
///   (`[t-0, t-1]`, then `:<HEX>` of its user data when it has some) and any other protocol's
///   assignment as hex;
/// - a tombstone: neither key nor payload.
///
/// Members print in the order of the record. Kafka prints them in the order of a Scala hash map
/// keyed by member id, which is the same for one member and may differ for several.
enum OffsetsMessageParser {
    /// The key and payload texts of a record, each nil when Kafka prints none.
    static func parse(key: ByteBuffer?, value: ByteBuffer?) throws -> (key: String?, payload: String?) {
        guard value != nil else { return (nil, nil) }
        switch try OffsetsTopicRecord(key: key, value: value) {
        case .offsetCommit(let key, let value?):
            let offset = value.data
            let payload = offset.metadata.isEmpty ? "\(offset.offset)" : "\(offset.offset):\(offset.metadata)"
            return ("offset::\(key.data.group):\(key.data.topic):\(key.data.partition)", payload)
        case .groupMetadata(let key, let value?):
            let group = value.data
            let assignment = group.members.map { member in
                "\(member.memberId)=\(assignmentText(member.assignment, protocolType: group.protocolType))"
            }
            let payload = "{\"protocolType\":\(json(group.protocolType)),\"protocol\":\(json(group.protocol)),"
                + "\"generationId\":\(group.generation),\"assignment\":\(json("{" + assignment.joined(separator: ",") + "}"))}"
            return ("{\"metadata\":\(json(key.data.group))}", payload)
        case .offsetCommit(_, nil), .groupMetadata(_, nil):
            return (nil, nil)
        }
    }

    /// A member's assignment: for the consumer protocol, its partitions and user data; else hex.
    static func assignmentText(_ assignment: ByteBuffer, protocolType: String) -> String {
        guard protocolType == "consumer" else { return hex(assignment) }
        var buffer = assignment
        do {
            _ = try buffer.readInt16("version")
            let topics = try buffer.readArray("assigned_partitions") { (b: inout ByteBuffer) throws(KafkaProtocolError) in
                let topic = try b.readKafkaString("topic")
                let partitions = try b.readArray("partitions") { (p: inout ByteBuffer) throws(KafkaProtocolError) in try p.readInt32("partition") }
                return partitions.map { "\(topic)-\($0)" }
            }
            let userData = try buffer.readNullableBytes("user_data") ?? ByteBuffer()
            let partitions = "[" + topics.joined().joined(separator: ", ") + "]"
            return userData.readableBytes == 0 ? partitions : "\(partitions):\(hex(userData))"
        } catch {
            return "<invalid consumer assignment: \(error)>"
        }
    }

    /// Kafka's `hex`: the bytes read as one unsigned big number, in upper-case hex without leading
    /// zeros; "" for no bytes, "0" for bytes that are all zero.
    static func hex(_ bytes: ByteBuffer) -> String {
        let raw = Array(bytes.readableBytesView)
        guard !raw.isEmpty else { return "" }
        let digits = raw.map { byte in
            let text = String(byte, radix: 16, uppercase: true)
            return text.count == 1 ? "0" + text : text
        }.joined()
        let trimmed = digits.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }

    /// A JSON string as Jackson writes it (`null` for nil): `"` and `\` escaped, the control
    /// characters as `\n`, `\t`, `\r`, `\b`, `\f` or `\u00XX`, everything else as is.
    static func json(_ text: String?) -> String {
        guard let text else { return "null" }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let code = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - code.count) + code
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
