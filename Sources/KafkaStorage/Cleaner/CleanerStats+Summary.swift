import Foundation

extension CleanerStats {
    /// The run's summary in the words and layout of Kafka 2.3's cleaner thread (`recordStats`):
    /// a multi-line text that starts with a line break and indents each line with a tab, as in
    /// Kafka's `log-cleaner.log`. Sizes are MB of 2^20 bytes with one decimal; counts are grouped
    /// by thousands. Kafka 2.3 prints the first dirty offset at both ends of the "dirty section",
    /// so callers pass it as both `from` and `to` to read the same.
    public func summary(threadId: Int, logName: String, from: Int64, to: Int64) -> String {
        let elapsed = Double(endNanos &- startNanos) / 1e9
        let indexElapsed = Double(mapCompleteNanos &- startNanos) / 1e9
        let cleanElapsed = elapsed - indexElapsed
        func mb(_ bytes: Double) -> Double { bytes / (1024 * 1024) }
        func rate(_ value: Double, _ seconds: Double) -> Double { seconds > 0 ? value / seconds : .infinity }
        func percent(_ part: Double, _ whole: Double) -> Double { whole > 0 ? 100 * part / whole : .nan }
        return "\n"
            + "\tLog cleaner thread \(threadId) cleaned log \(logName) (dirty section = [\(from), \(to)])\n"
            + "\t\(Self.decimal(mb(Double(bytesRead)))) MB of log processed in \(Self.decimal(elapsed)) seconds (\(Self.decimal(rate(mb(Double(bytesRead)), elapsed))) MB/sec).\n"
            + "\tIndexed \(Self.decimal(mb(Double(mapBytesRead)))) MB in \(Self.decimal(indexElapsed, grouped: false)) seconds (\(Self.decimal(rate(mb(Double(mapBytesRead)), indexElapsed))) Mb/sec, \(Self.decimal(percent(indexElapsed, elapsed), grouped: false))% of total time)\n"
            + "\tBuffer utilization: \(Self.decimal(100 * bufferUtilization, grouped: false))%\n"
            + "\tCleaned \(Self.decimal(mb(Double(bytesRead)))) MB in \(Self.decimal(cleanElapsed, grouped: false)) seconds (\(Self.decimal(rate(mb(Double(bytesRead)), cleanElapsed))) Mb/sec, \(Self.decimal(percent(cleanElapsed, elapsed), grouped: false))% of total time)\n"
            + "\tStart size: \(Self.decimal(mb(Double(bytesRead)))) MB (\(Self.grouped(messagesRead)) messages)\n"
            + "\tEnd size: \(Self.decimal(mb(Double(bytesWritten)))) MB (\(Self.grouped(messagesWritten)) messages)\n"
            + "\t\(Self.decimal(percent(Double(bytesRead - bytesWritten), Double(bytesRead)), grouped: false))% size reduction (\(Self.decimal(percent(Double(messagesRead - messagesWritten), Double(messagesRead)), grouped: false))% fewer messages)\n"
    }

    /// One decimal, rounded half-up as Java's formatter does, with thousands separators when
    /// `grouped` (Java's `%,.1f`).
    static func decimal(_ value: Double, grouped: Bool = true) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-Infinity" : "Infinity") }
        let tenths = (abs(value) * 10).rounded(.toNearestOrAwayFromZero)
        let whole = Int64(tenths / 10)
        let fraction = Int64(tenths) % 10
        let sign = value < 0 && tenths > 0 ? "-" : ""
        return sign + (grouped ? groupedDigits(whole) : String(whole)) + "." + String(fraction)
    }

    /// An integer with thousands separators (Java's `%,d`).
    static func grouped(_ value: Int) -> String {
        (value < 0 ? "-" : "") + groupedDigits(Int64(abs(value)))
    }

    private static func groupedDigits(_ value: Int64) -> String {
        let digits = Array(String(value))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return result
    }
}
