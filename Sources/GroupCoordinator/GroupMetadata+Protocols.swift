/// Protocol agreement: which protocols a joining member must offer, and which protocol the group
/// uses for a generation.
extension GroupMetadata {
    /// How many members offer each protocol.
    var protocolSupportCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for member in members.values {
            for name in member.protocolNames { counts[name, default: 0] += 1 }
        }
        return counts
    }

    /// The protocols every member offers (Kafka's `candidateProtocols`).
    public var candidateProtocols: Set<String> {
        let count = members.count
        return Set(protocolSupportCounts.filter { $0.value == count }.keys)
    }

    /// Whether a member offering `protocols` of `protocolType` may join (else
    /// INCONSISTENT_GROUP_PROTOCOL): an empty group takes any non-empty protocol type and
    /// non-empty protocol list; otherwise the protocol type must be the group's and at least one
    /// of `protocols` must be offered by every current member, so that a common protocol remains.
    public func supportsProtocols(protocolType: String, protocols: Set<String>) -> Bool {
        if state == .empty {
            return !protocolType.isEmpty && !protocols.isEmpty
        }
        let counts = protocolSupportCounts
        return self.protocolType == protocolType && protocols.contains { counts[$0] == members.count }
    }

    /// The protocol for the next generation (Kafka's `selectProtocol`): each member votes for its
    /// most preferred protocol among those every member offers, and the protocol with most votes
    /// wins. Nil only for a group without members.
    ///
    /// Ties: Kafka counts the votes with Scala's `groupBy` and takes the first maximum in the
    /// resulting map's iteration order, which depends on the protocol names' hash codes and not on
    /// the order of preference. ``ScalaMapOrder`` reproduces that order, so a tie between, say,
    /// `range` and `roundrobin` is won by the same protocol here as on Apache Kafka 2.3.
    public func selectProtocol() -> String? {
        guard !members.isEmpty else { return nil }
        let candidates = candidateProtocols
        var votes: [String: Int] = [:]
        var firstVoteOrder: [String] = []
        for member in allMembers {
            guard let choice = member.vote(candidates: candidates) else { continue }
            if votes[choice] == nil { firstVoteOrder.append(choice) }
            votes[choice, default: 0] += 1
        }
        var best: (name: String, count: Int)?
        for name in ScalaMapOrder.groupByOrder(of: firstVoteOrder) {
            let count = votes[name] ?? 0
            if best == nil || count > best!.count { best = (name, count) }
        }
        return best?.name
    }
}
