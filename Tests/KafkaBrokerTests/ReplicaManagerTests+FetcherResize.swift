import Foundation
import KafkaCommon
import KafkaProtocol
import Testing

@testable import KafkaBroker

/// `num.replica.fetchers` changed at run time (Kafka's `AbstractFetcherManager.resizeThreadPool`):
/// every partition is re-hashed over the new count and keeps its fetch offset and leader epoch.
extension ReplicaManagerTests {
    @Test func resizingTheFetcherPoolRehashesEveryPartitionAndKeepsItsFetchOffset() async throws {
        let partitions = (0..<8).map { TopicPartition("orders", Int32($0)) } + (0..<4).map { TopicPartition("payments", Int32($0)) }
        let request = KafkaProtocol.LeaderAndIsr.Request(
            controllerId: 3, controllerEpoch: 1,
            topicStates: Dictionary(grouping: partitions, by: \.topic).sorted { $0.key < $1.key }.map { topic, members in
                .init(topicName: topic, partitionStates: members.map {
                    .init(partitionIndex: $0.partition, controllerEpoch: 1, leader: 2, leaderEpoch: 4, isr: [1, 2], zkVersion: 0,
                          replicas: [1, 2])
                })
            },
            // Nothing listens there: the fetchers keep retrying and their fetch offsets stay put.
            liveLeaders: [.init(brokerId: 2, hostName: "127.0.0.1", port: 1)])
        #expect(manager.becomeLeaderOrFollower(request, configs: [:]).partitionErrors.allSatisfy { $0.errorCode == .none })
        let fetchers = manager.fetcherManager
        #expect(fetchers.numFetchers == 1 && fetchers.fetcherThreads.map(\.fetcherId) == [0])
        func placement() -> (fetcher: [TopicPartition: Int], state: [TopicPartition: InitialFetchState]) {
            var fetcher: [TopicPartition: Int] = [:]
            var state: [TopicPartition: InitialFetchState] = [:]
            for thread in fetchers.fetcherThreads {
                for (tp, initial) in thread.partitionsAndOffsets {
                    #expect(fetcher[tp] == nil, "\(tp) is in one fetcher only")
                    fetcher[tp] = thread.fetcherId
                    state[tp] = initial
                }
            }
            return (fetcher, state)
        }
        let before = placement().state
        #expect(before.count == 12 && before.values.allSatisfy { $0.leader.id == 2 && $0.leaderEpoch == 4 })

        fetchers.resizeThreadPool(3)
        #expect(fetchers.numFetchers == 3)
        let grown = placement()
        #expect(grown.state == before, "each partition keeps its fetch offset and leader epoch")
        // abs(31 × hash("orders") + p) mod 3, hash("orders") = -1008770331 (Java's String.hashCode).
        #expect((0..<8).map { grown.fetcher[TopicPartition("orders", Int32($0))] } == [2, 1, 0, 2, 1, 0, 2, 1])
        #expect((0..<4).map { grown.fetcher[TopicPartition("payments", Int32($0))] } == [2, 1, 0, 2])
        #expect(Set(fetchers.fetcherThreads.map(\.fetcherId)) == [0, 1, 2])
        for tp in partitions { #expect(grown.fetcher[tp] == ReplicaFetcherManager.fetcherId(for: tp, fetchers: 3)) }

        // Back to one: the fetchers above 0 stop, and every partition is in fetcher 0 again.
        fetchers.resizeThreadPool(1)
        let shrunk = placement()
        #expect(shrunk.state == before)
        #expect(Set(shrunk.fetcher.values) == [0] && fetchers.fetcherThreads.map(\.fetcherId) == [0])
        // A partition added later lands where the new count puts it.
        fetchers.resizeThreadPool(2)
        #expect(fetchers.fetcherId(for: TopicPartition("orders", 1)) == ReplicaFetcherManager.fetcherId(for: TopicPartition("orders", 1), fetchers: 2))
        await manager.shutdown { _ in }
    }
}
