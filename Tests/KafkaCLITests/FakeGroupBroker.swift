import KafkaCommon
import KafkaProtocol
import NIOCore
import NIOPosix
import Synchronization

/// A one-node stand-in for a broker with a group coordinator, on 127.0.0.1, so that
/// `kafka consumer-groups` runs its whole protocol path in a unit test: ApiVersions, Metadata
/// (the topics of `partitionCounts`), FindCoordinator (answering COORDINATOR_NOT_AVAILABLE the
/// first `coordinatorFailures` times, as a broker still creating `__consumer_offsets` does),
/// ListGroups, DescribeGroups, OffsetFetch, ListOffsets, OffsetCommit and DeleteGroups from the
/// canned responses in `State`. Requests it received are kept for the test to inspect.
///
/// Isolation: the state sits in a `Mutex`; the channel handler runs on NIO's event loop.
final class FakeGroupBroker: Sendable {
    struct State: Sendable {
        var coordinatorFailures = 0
        var listGroups = ListGroups.Response()
        var describeGroups = DescribeGroups.Response()
        var offsetFetch = OffsetFetch.Response()
        var deleteGroups = DeleteGroups.Response()
        var partitionCounts: [String: Int32] = [:]
        var logStartOffsets: [TopicPartition: Int64] = [:]
        var logEndOffsets: [TopicPartition: Int64] = [:]
        /// The offset ListOffsets answers for a time, per partition (-1 where absent).
        var offsetsForTime: [TopicPartition: Int64] = [:]
        /// Received: every request's API, the ListOffsets timestamps, the OffsetCommit bodies.
        var received: [ApiKey] = []
        var listOffsetTimestamps: [Int64] = []
        var commits: [OffsetCommit.Request] = []
    }

    let state: Mutex<State>
    private let channel: any Channel
    let port: Int

    private init(state: State, channel: any Channel) {
        self.state = Mutex(state)
        self.channel = channel
        self.port = channel.localAddress!.port!
    }

    static func start(_ state: State) async throws -> FakeGroupBroker {
        let box = Mutex<FakeGroupBroker?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(KafkaFrameDecoder()),
                        Handler(broker: { box.withLock { $0 } }),
                    ])
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let broker = FakeGroupBroker(state: state, channel: channel)
        box.withLock { $0 = broker }
        return broker
    }

    func stop() async {
        try? await channel.close()
    }

    var bootstrap: String { "127.0.0.1:\(port)" }

    private final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let broker: @Sendable () -> FakeGroupBroker?

        init(broker: @escaping @Sendable () -> FakeGroupBroker?) { self.broker = broker }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var frame = unwrapInboundIn(data)
            do {
                let header = try RequestHeader(from: &frame)
                guard let broker = broker() else { return }
                let response = try broker.respond(to: header, body: &frame)
                context.writeAndFlush(wrapOutboundOut(response), promise: nil)
            } catch {
                context.close(promise: nil)
            }
        }
    }

    /// The whole response frame for one request.
    private func respond(to header: RequestHeader, body: inout ByteBuffer) throws -> ByteBuffer {
        let version = header.apiVersion
        let id = header.correlationId
        var out = ByteBuffer()
        state.withLock { $0.received.append(header.apiKey) }
        switch header.apiKey {
        case .apiVersions:
            let apis: [(ApiKey, ClosedRange<Int16>)] = [
                (.metadata, 0...8), (.findCoordinator, 0...2), (.listGroups, 0...2), (.describeGroups, 0...3),
                (.offsetFetch, 0...5), (.listOffsets, 0...5), (.offsetCommit, 0...7), (.deleteGroups, 0...1), (.apiVersions, 0...2),
            ]
            let response = ApiVersions.Response(apiKeys: apis.map { .init(apiKey: $0.0, minVersion: $0.1.lowerBound, maxVersion: $0.1.upperBound) })
            ApiVersions.writeResponseFrame(response, correlationId: id, version: version, into: &out)
        case .metadata:
            let request = try Metadata.decodeRequest(from: &body, version: version)
            let counts = state.withLock { $0.partitionCounts }
            let names = request.topics?.map(\.name) ?? counts.keys.sorted()
            let topics = names.map { name in
                guard let count = counts[name] else { return Metadata.Topic(errorCode: ErrorCode(rawValue: 3), name: name) }
                return Metadata.Topic(name: name, partitions: (0..<count).map {
                    Metadata.Partition(partitionIndex: $0, leaderId: BrokerId(0), replicaNodes: [BrokerId(0)], isrNodes: [BrokerId(0)])
                })
            }
            let response = Metadata.Response(
                brokers: [.init(nodeId: BrokerId(0), host: "127.0.0.1", port: Int32(port))], clusterId: "fake",
                controllerId: BrokerId(0), topics: topics)
            Metadata.writeResponseFrame(response, correlationId: id, version: version, into: &out)
        case .findCoordinator:
            let failing = state.withLock { state in
                defer { state.coordinatorFailures -= 1 }
                return state.coordinatorFailures > 0
            }
            let response = failing
                ? FindCoordinator.Response(errorCode: .coordinatorNotAvailable, nodeId: BrokerId(-1))
                : FindCoordinator.Response(errorCode: .none, nodeId: BrokerId(0), host: "127.0.0.1", port: Int32(port))
            FindCoordinator.writeResponseFrame(response, correlationId: id, version: version, into: &out)
        case .listGroups:
            ListGroups.writeResponseFrame(state.withLock { $0.listGroups }, correlationId: id, version: version, into: &out)
        case .describeGroups:
            DescribeGroups.writeResponseFrame(state.withLock { $0.describeGroups }, correlationId: id, version: version, into: &out)
        case .offsetFetch:
            OffsetFetch.writeResponseFrame(state.withLock { $0.offsetFetch }, correlationId: id, version: version, into: &out)
        case .deleteGroups:
            DeleteGroups.writeResponseFrame(state.withLock { $0.deleteGroups }, correlationId: id, version: version, into: &out)
        case .offsetCommit:
            let request = try OffsetCommit.decodeRequest(from: &body, version: version)
            state.withLock { $0.commits.append(request) }
            let response = OffsetCommit.Response(topics: request.topics.map { topic in
                .init(name: topic.name, partitions: topic.partitions.map { .init(partitionIndex: $0.partitionIndex) })
            })
            OffsetCommit.writeResponseFrame(response, correlationId: id, version: version, into: &out)
        case .listOffsets:
            let request = try ListOffsets.decodeRequest(from: &body, version: version)
            let response = state.withLock { state in
                ListOffsets.Response(topics: request.topics.map { topic in
                    .init(name: topic.name, partitions: topic.partitions.map { partition in
                        let key = TopicPartition(topic.name, partition.partitionIndex)
                        state.listOffsetTimestamps.append(partition.timestamp)
                        let offset: Int64? = switch partition.timestamp {
                        case ListOffsets.latestTimestamp: state.logEndOffsets[key]
                        case ListOffsets.earliestTimestamp: state.logStartOffsets[key]
                        default: state.offsetsForTime[key] ?? -1
                        }
                        guard let offset else { return .init(partitionIndex: partition.partitionIndex, errorCode: ErrorCode(rawValue: 3)) }
                        return .init(partitionIndex: partition.partitionIndex, timestamp: -1, offset: offset, leaderEpoch: LeaderEpoch(0))
                    })
                })
            }
            ListOffsets.writeResponseFrame(response, correlationId: id, version: version, into: &out)
        default:
            throw CLIFixtureError("the fake broker does not answer \(header.apiKey)")
        }
        return out
    }
}

struct CLIFixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
