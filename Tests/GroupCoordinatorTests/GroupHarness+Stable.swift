@testable import GroupCoordinator
import KafkaProtocol
import NIOCore

extension GroupHarness {
    /// A Stable group of dynamic members (JoinGroup v4) named after `clients`, in join order, the
    /// first leading; each member's assignment is `assigned-<client>`. Returns the member ids.
    static func stable(_ clients: [String], config: GroupConfig = GroupConfig()) -> (GroupHarness, [String]) {
        var h = GroupHarness(config: config)
        let joined = clients.map { h.joinNewMember(client: $0) }
        h.advance(by: 6000)
        let ids = joined.map(\.memberId)
        h.syncEveryone(ids, generation: h.group!.generationId, assignments: Dictionary(uniqueKeysWithValues: zip(ids, clients.map { bytes("assigned-\($0)") })))
        return (h, ids)
    }

    /// Followers sync first, then the leader (`ids.first` must lead) with `assignments`.
    mutating func syncEveryone(_ ids: [String], generation: Int32, assignments: [String: ByteBuffer]) {
        for id in ids.dropFirst() { sync(memberId: id, generation: generation) }
        sync(memberId: ids[0], generation: generation, assignment: assignments)
    }
}
