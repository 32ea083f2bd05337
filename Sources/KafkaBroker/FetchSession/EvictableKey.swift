/// How valuable a session is to keep (Kafka's `EvictableKey`): consumers' sessions before
/// followers', then fewer partitions before more, then by id.
struct EvictableKey: Comparable, Sendable {
    var isPrivileged: Bool
    var size: Int
    var id: Int32

    static func < (lhs: EvictableKey, rhs: EvictableKey) -> Bool {
        if lhs.isPrivileged != rhs.isPrivileged { return !lhs.isPrivileged }
        if lhs.size != rhs.size { return lhs.size < rhs.size }
        return lhs.id < rhs.id
    }
}
