/// How far a read may go (Kafka's `FetchIsolation`): a follower reads to the log end offset, a
/// `read_uncommitted` consumer to the high watermark, a `read_committed` one to the last stable
/// offset.
public enum FetchIsolation: Sendable, Equatable {
    case logEnd
    case highWatermark
    case txnCommitted

    /// Kafka's choice for a fetch: replicas always read uncommitted to the log end.
    init(isFromFollower: Bool, isolationLevel: IsolationLevel) {
        if isFromFollower {
            self = .logEnd
        } else {
            self = isolationLevel == .readCommitted ? .txnCommitted : .highWatermark
        }
    }
}
