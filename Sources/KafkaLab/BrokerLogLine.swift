import Foundation
import Glibc

/// One line of a broker's log in Kafka's log4j layout, as `KafkaLogHandler` writes it:
/// `[2026-12-03 13:17:01,123] INFO [Controller id=1 epoch=3] message (state.change.logger)`.
/// The timestamp is local time with milliseconds; the logger's name ends the line in parentheses.
public struct BrokerLogLine: Sendable, Equatable {
    /// Milliseconds since the epoch.
    public var time: Int64
    public var level: String
    public var message: String
    /// The logger's name (`state.change.logger`, `kafka.controller`, …).
    public var label: String

    public init(time: Int64, level: String, message: String, label: String) {
        self.time = time
        self.level = level
        self.message = message
        self.label = label
    }

    /// Parses one line; nil for a line in another layout (a continuation, a stack trace).
    public static func parse(_ line: Substring) -> BrokerLogLine? {
        // "[" + 23 characters of timestamp + "] "
        guard line.hasPrefix("["), line.count > 26 else { return nil }
        let stampStart = line.index(after: line.startIndex)
        guard let stampEnd = line.index(stampStart, offsetBy: 23, limitedBy: line.endIndex),
              stampEnd < line.endIndex, line[stampEnd] == "]",
              let time = time(of: line[stampStart..<stampEnd])
        else { return nil }
        var rest = line[line.index(after: stampEnd)...].drop { $0 == " " }
        guard let space = rest.firstIndex(of: " ") else { return nil }
        let level = String(rest[..<space])
        rest = rest[rest.index(after: space)...]
        var message = rest
        var label = ""
        if rest.hasSuffix(")"), let open = rest.lastIndex(of: "("), open > rest.startIndex {
            label = String(rest[rest.index(after: open)..<rest.index(before: rest.endIndex)])
            message = rest[..<open]
            while message.last == " " { message = message.dropLast() }
        }
        return BrokerLogLine(time: time, level: level, message: String(message), label: label)
    }

    /// `2026-12-03 13:17:01,123` (local time) as milliseconds since the epoch.
    static func time(of stamp: Substring) -> Int64? {
        let digits = Array(stamp.utf8)
        guard digits.count == 23 else { return nil }
        func number(_ range: Range<Int>) -> Int32? {
            var value: Int32 = 0
            for byte in digits[range] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int32(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              let millis = number(20..<23)
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        parts.tm_isdst = -1
        let seconds = mktime(&parts)
        guard seconds != -1 else { return nil }
        return Int64(seconds) * 1000 + Int64(millis)
    }
}
