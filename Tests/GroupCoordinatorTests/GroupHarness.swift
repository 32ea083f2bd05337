@testable import GroupCoordinator
import KafkaProtocol
import NIOCore

/// A test owner for one group: it plays the coordinator shell (Kafka's purgatories and the log)
/// over a manual clock. Requests get tokens; answers are collected by token; delayed operations
/// fire in deadline order when the clock is advanced; group writes complete at once unless
/// `holdStores` is set.
struct GroupHarness {
    var group: GroupMetadata?
    var config: GroupConfig
    var now: Int64 = 1_000_000
    var holdStores = false

    private(set) var joinAnswers: [GroupRequestToken: JoinGroupResult] = [:]
    private(set) var syncAnswers: [GroupRequestToken: SyncGroupResult] = [:]
    private(set) var heartbeatAnswers: [GroupRequestToken: ErrorCode] = [:]
    private(set) var leaveAnswers: [GroupRequestToken: ErrorCode] = [:]
    private(set) var heartbeatTimers: [DelayedHeartbeat] = []
    private(set) var joinTimers: [DelayedJoin] = []
    private(set) var heldStores: [StoreGroup] = []
    private(set) var stores: [StoreGroup] = []
    private var nextToken: UInt64 = 0
    private var nextUUID = 0

    static let groupId = "g"

    init(config: GroupConfig = GroupConfig(initialRebalanceDelayMs: 3000)) {
        self.config = config
    }

    var state: GroupState? { group?.state }

    mutating func token() -> GroupRequestToken {
        nextToken += 1
        return GroupRequestToken(nextToken)
    }

    // MARK: Requests

    @discardableResult
    mutating func join(
        memberId: String = "", instance: String? = nil, client: String = "client",
        protocols: [GroupProtocol] = [consumerRange()], protocolType: String = "consumer",
        sessionTimeoutMs: Int32 = 10_000, rebalanceTimeoutMs: Int32 = 30_000, version: Int16 = 5
    ) -> GroupRequestToken {
        let request = JoinGroupParameters(
            memberId: memberId, groupInstanceId: instance, clientId: client, clientHost: "/127.0.0.1",
            rebalanceTimeoutMs: rebalanceTimeoutMs, sessionTimeoutMs: sessionTimeoutMs,
            protocolType: protocolType, protocols: protocols, apiVersion: version)
        let token = token()
        nextUUID += 1
        let actions = GroupMetadata.handleJoinGroup(
            group: &group, groupId: Self.groupId, request: request, token: token,
            memberIdSuffix: "uuid\(nextUUID)", now: now, config: config)
        perform(actions)
        return token
    }

    @discardableResult
    mutating func sync(
        memberId: String, generation: Int32, instance: String? = nil, assignment: [String: ByteBuffer] = [:]
    ) -> GroupRequestToken {
        let token = token()
        let actions = group!.handleSyncGroup(
            memberId: memberId, groupInstanceId: instance, generationId: generation, assignment: assignment,
            token: token, now: now)
        perform(actions)
        return token
    }

    mutating func heartbeat(memberId: String, generation: Int32, instance: String? = nil) -> ErrorCode {
        let token = token()
        perform(group!.handleHeartbeat(memberId: memberId, groupInstanceId: instance, generationId: generation, token: token, now: now))
        return heartbeatAnswers[token]!
    }

    mutating func leave(memberId: String) -> ErrorCode {
        let token = token()
        perform(group!.handleLeaveGroup(memberId: memberId, token: token, now: now, config: config))
        return leaveAnswers[token]!
    }

    // MARK: The owner's side

    mutating func perform(_ actions: [GroupAction]) {
        for action in actions {
            switch action {
            case let .respondJoin(token, result):
                precondition(joinAnswers[token] == nil, "a JoinGroup answered twice")
                joinAnswers[token] = result
            case let .respondSync(token, result):
                precondition(syncAnswers[token] == nil, "a SyncGroup answered twice")
                syncAnswers[token] = result
            case let .respondHeartbeat(token, error): heartbeatAnswers[token] = error
            case let .respondLeave(token, error): leaveAnswers[token] = error
            case let .scheduleHeartbeat(timer): heartbeatTimers.append(timer)
            case let .scheduleJoin(timer): joinTimers.append(timer)
            case let .storeGroup(store):
                stores.append(store)
                if holdStores {
                    heldStores.append(store)
                } else {
                    perform(group!.onStoreGroupCompleted(store, error: .none, now: now, config: config))
                }
            }
        }
    }

    /// Completes the oldest held group write with `error`.
    mutating func completeHeldStore(error: ErrorCode = .none) {
        let store = heldStores.removeFirst()
        perform(group!.onStoreGroupCompleted(store, error: error, now: now, config: config))
    }

    /// Moves the clock forward by `ms`, firing every delayed operation that falls due, in deadline
    /// order (join before heartbeat at equal deadlines, older first), each at its own deadline.
    mutating func advance(by ms: Int64) {
        let end = now + ms
        while true {
            let nextJoin = joinTimers.indices.filter { joinTimers[$0].deadline <= end }.min { joinTimers[$0].deadline < joinTimers[$1].deadline }
            let nextBeat = heartbeatTimers.indices.filter { heartbeatTimers[$0].deadline <= end }.min { heartbeatTimers[$0].deadline < heartbeatTimers[$1].deadline }
            if let j = nextJoin, nextBeat.map({ joinTimers[j].deadline <= heartbeatTimers[$0].deadline }) ?? true {
                let timer = joinTimers.remove(at: j)
                now = max(now, timer.deadline)
                perform(group!.onDelayedJoinExpired(timer, now: now, config: config))
            } else if let h = nextBeat {
                let timer = heartbeatTimers.remove(at: h)
                now = max(now, timer.deadline)
                perform(group!.onHeartbeatExpired(timer, now: now, config: config))
            } else {
                break
            }
        }
        now = end
    }

    // MARK: Reading answers

    func joinAnswer(_ token: GroupRequestToken) -> JoinGroupResult? { joinAnswers[token] }
    func syncAnswer(_ token: GroupRequestToken) -> SyncGroupResult? { syncAnswers[token] }

    /// Joins a new member the v4 way (MEMBER_ID_REQUIRED, then again with the id); returns the
    /// member id and the token of the parked second JoinGroup.
    mutating func joinNewMember(client: String, protocols: [GroupProtocol] = [consumerRange()], sessionTimeoutMs: Int32 = 10_000) -> (memberId: String, token: GroupRequestToken) {
        let first = join(client: client, protocols: protocols, sessionTimeoutMs: sessionTimeoutMs, version: 4)
        let memberId = joinAnswers[first]!.memberId
        let second = join(memberId: memberId, client: client, protocols: protocols, sessionTimeoutMs: sessionTimeoutMs, version: 4)
        return (memberId, second)
    }
}

func bytes(_ string: String) -> ByteBuffer { ByteBuffer(string: string) }

func consumerRange(_ metadata: String = "sub") -> GroupProtocol { GroupProtocol(name: "range", metadata: bytes(metadata)) }

func protocols(_ names: String...) -> [GroupProtocol] { names.map { GroupProtocol(name: $0, metadata: bytes("m-\($0)")) } }
