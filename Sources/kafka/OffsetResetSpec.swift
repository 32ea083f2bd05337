import Foundation
import KafkaCommon

/// Where `--reset-offsets` moves a group's committed offsets (Kafka 2.3's reset scenarios that
/// this tool implements), and the pure rule that turns the offsets read from the cluster into the
/// new ones (Kafka's `prepareOffsetsToReset` and `checkOffsetsRange`).
enum OffsetResetSpec: Sendable, Equatable {
    /// `--to-earliest`: each partition's log start offset.
    case toEarliest
    /// `--to-latest`: each partition's log end offset.
    case toLatest
    /// `--to-offset N`, kept within each partition's [log start, log end].
    case toOffset(Int64)
    /// `--shift-by N` (may be negative): committed offset + N, kept within range; a partition with
    /// no committed offset cannot be shifted.
    case shiftBy(Int64)
    /// `--to-datetime`: the first offset whose timestamp is at or after this time (milliseconds
    /// since the epoch), or the log end offset if there is none.
    case toDatetime(Int64)

    /// The offsets read from the cluster that a plan is computed from. Each map lacks partitions
    /// whose value could not be read; `byTimestamp` holds only partitions with a matching record.
    struct Inputs: Sendable, Equatable {
        var committed: [TopicPartition: Int64] = [:]
        var logStartOffsets: [TopicPartition: Int64] = [:]
        var logEndOffsets: [TopicPartition: Int64] = [:]
        var byTimestamp: [TopicPartition: Int64] = [:]
    }

    /// Which reads the plan needs, so the service asks only for those.
    var needsCommitted: Bool { if case .shiftBy = self { true } else { false } }
    var needsRange: Bool {
        switch self {
        case .toOffset, .shiftBy, .toEarliest: true
        case .toLatest, .toDatetime: false
        }
    }
    var timestamp: Int64? { if case .toDatetime(let time) = self { time } else { nil } }

    /// The new offset of every partition in `partitions`. Throws Kafka's messages when an offset
    /// needed is missing.
    func plan(for partitions: [TopicPartition], from inputs: Inputs) throws -> [TopicPartition: Int64] {
        var plan: [TopicPartition: Int64] = [:]
        for partition in partitions {
            switch self {
            case .toEarliest:
                guard let start = inputs.logStartOffsets[partition] else {
                    throw CLIError("Error getting starting offset of topic partition: \(partition)")
                }
                plan[partition] = start
            case .toLatest:
                guard let end = inputs.logEndOffsets[partition] else {
                    throw CLIError("Error getting ending offset of topic partition: \(partition)")
                }
                plan[partition] = end
            case .toOffset(let offset):
                plan[partition] = try Self.clamp(offset, partition, inputs)
            case .shiftBy(let shift):
                guard let current = inputs.committed[partition] else {
                    throw CLIError("Cannot shift offset for partition \(partition) since there is no current committed offset")
                }
                plan[partition] = try Self.clamp(current + shift, partition, inputs)
            case .toDatetime:
                guard let offset = inputs.byTimestamp[partition] ?? inputs.logEndOffsets[partition] else {
                    throw CLIError("Error getting offset by timestamp of topic partition: \(partition)")
                }
                plan[partition] = offset
            }
        }
        return plan
    }

    /// Kafka's `checkOffsetsRange`: above the log end offset becomes the log end offset, below
    /// the log start offset becomes the log start offset.
    private static func clamp(_ offset: Int64, _ partition: TopicPartition, _ inputs: Inputs) throws -> Int64 {
        guard let end = inputs.logEndOffsets[partition] else {
            throw CLIError("Unexpected non-existing offset value for topic partition \(partition)")
        }
        if offset > end { return end }
        if let start = inputs.logStartOffsets[partition], offset < start { return start }
        return offset
    }

    /// Parses `--to-datetime`'s `YYYY-MM-DDTHH:mm:SS.sss`, optionally followed by a zone (`Z`,
    /// `+hh:mm`, `+hhmm`, `+hh`); without one the time is UTC, as in Kafka 2.3's tool.
    static func timestamp(parsing text: String) -> Int64? {
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})(Z|[+-]\d{2}(?::?\d{2})?)?$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        else { return nil }
        func group(_ index: Int) -> String? {
            guard let range = Range(match.range(at: index), in: text) else { return nil }
            return String(text[range])
        }
        var components = DateComponents()
        components.year = Int(group(1)!)
        components.month = Int(group(2)!)
        components.day = Int(group(3)!)
        components.hour = Int(group(4)!)
        components.minute = Int(group(5)!)
        components.second = Int(group(6)!)
        var offsetSeconds = 0
        if let zone = group(8), zone != "Z" {
            let sign = zone.hasPrefix("-") ? -1 : 1
            let digits = zone.dropFirst().filter(\.isNumber)
            let hours = Int(digits.prefix(2)) ?? 0
            let minutes = digits.count > 2 ? Int(digits.suffix(2)) ?? 0 : 0
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        guard let date = calendar.date(from: components),
              calendar.component(.day, from: date) == components.day
        else { return nil }
        let millis = Int64(group(7)!)!
        return (Int64(date.timeIntervalSince1970) - Int64(offsetSeconds)) * 1000 + millis
    }
}
