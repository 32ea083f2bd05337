/// Java's hashing as Kafka relies on it, so that this broker places things where Apache Kafka
/// does: a group on its `__consumer_offsets` partition, a partition on its replica fetcher, a
/// member in Scala's map order.
public enum JavaHash {
    /// Java's `String.hashCode`: `s[0]·31^(n-1) + … + s[n-1]` over UTF-16 code units (not
    /// Unicode scalars), in wrapping int32 arithmetic.
    public static func stringHashCode(_ string: String) -> Int32 {
        string.utf16.reduce(Int32(0)) { $0 &* 31 &+ Int32($1) }
    }

    /// Kafka's `Utils.abs`: the absolute value, except that `Int32.min` (which has none in int32)
    /// maps to 0.
    public static func abs(_ value: Int32) -> Int32 {
        value == .min ? 0 : Swift.abs(value)
    }
}
