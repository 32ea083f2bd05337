/// A range of API versions as schemas write it: `3+` (open), `0-4`, or `2` (one version).
///
/// Open ranges end at the highest version any codec handles; ``condition(within:)`` turns a
/// range into the Swift test the generated code runs, relative to the versions the codec handles.
public struct VersionRange: Equatable, Sendable, CustomStringConvertible {
    public var lowest: Int16
    /// The highest version in the range; nil for an open range (`N+`).
    public var highest: Int16?

    public init(_ lowest: Int16, _ highest: Int16? = nil) {
        self.lowest = lowest
        self.highest = highest
    }

    /// Every version.
    public static let all = VersionRange(0)

    /// Parses `N+`, `N-M` or `N`, with or without a leading `v`.
    public init?(parsing text: Substring) {
        var text = text
        if text.first == "v" { text = text.dropFirst() }
        if text.hasSuffix("+"), let low = Int16(text.dropLast()), low >= 0 {
            self.init(low)
        } else if let dash = text.firstIndex(of: "-"), let low = Int16(text[..<dash]),
            let high = Int16(text[text.index(after: dash)...]), low >= 0, high >= low
        {
            self.init(low, high)
        } else if let only = Int16(text), only >= 0 {
            self.init(only, only)
        } else {
            return nil
        }
    }

    public var description: String {
        guard let highest else { return "v\(lowest)+" }
        return highest == lowest ? "v\(lowest)" : "v\(lowest)-\(highest)"
    }

    public func contains(_ version: Int16) -> Bool {
        version >= lowest && (highest.map { version <= $0 } ?? true)
    }

    /// The versions of `codec` this range contains, nil if none.
    public func clamped(to codec: ClosedRange<Int16>) -> ClosedRange<Int16>? {
        let low = max(lowest, codec.lowerBound)
        let high = min(highest ?? codec.upperBound, codec.upperBound)
        return low <= high ? low...high : nil
    }

    /// The Swift condition on `version` that holds exactly for the versions of `codec` in this
    /// range: nil when it holds for all of them, `"false"` when for none.
    public func condition(within codec: ClosedRange<Int16>, variable: String = "version") -> String? {
        guard let range = clamped(to: codec) else { return "false" }
        let needsLow = range.lowerBound > codec.lowerBound
        let needsHigh = range.upperBound < codec.upperBound
        switch (needsLow, needsHigh) {
        case (false, false): return nil
        case (true, false): return "\(variable) >= \(range.lowerBound)"
        case (false, true): return "\(variable) <= \(range.upperBound)"
        case (true, true):
            return range.lowerBound == range.upperBound
                ? "\(variable) == \(range.lowerBound)"
                : "\(variable) >= \(range.lowerBound) && \(variable) <= \(range.upperBound)"
        }
    }
}
