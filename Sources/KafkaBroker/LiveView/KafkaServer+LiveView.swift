import Foundation
import KafkaCommon
import KafkaLiveView
import KafkaZk
import Logging

/// The live view's broker side: `/internals.json` from this broker's memory, and the hub that
/// feeds `/events` from ZooKeeper and every broker's internals.
extension KafkaServer {
    /// The routes the admin listener serves for the live view (`AdminListener+LiveView`).
    static func liveViewRoutes(brokerId: BrokerId, sources: MetricsSources, zkClient: KafkaZkClient?) -> LiveViewRoutes {
        let purgatories = Self.liveViewPurgatories(sources)
        let replicaManager = sources.replicaManager
        let internals: @Sendable () -> BrokerInternals = {
            Self.internals(brokerId: brokerId, replicaManager: replicaManager, purgatories: purgatories,
                           stateChangeLog: StateChangeLogTail.shared.last, timeMs: Int64(Date().timeIntervalSince1970 * 1000))
        }
        let hub = zkClient.map { zkClient in
            let collector = ClusterSnapshotCollector(zkClient: zkClient)
            var logger = Logger(label: "kafka.server.LiveViewHub")
            logger[metadataKey: "broker"] = "\(brokerId)"
            return LiveViewHub(logger: logger) { try await collector.snapshot() }
        }
        return LiveViewRoutes(internals: internals, hub: hub)
    }

    /// Every purgatory of the broker, as the metrics list them.
    static func liveViewPurgatories(_ sources: MetricsSources) -> [any PurgatoryGauges] {
        var purgatories = sources.purgatories
        if let replicaManager = sources.replicaManager {
            purgatories += [replicaManager.producePurgatory, replicaManager.fetchPurgatory] as [any PurgatoryGauges]
        }
        if let coordinator = sources.groupCoordinator {
            purgatories += [coordinator.heartbeatPurgatory, coordinator.joinPurgatory] as [any PurgatoryGauges]
        }
        return purgatories
    }

    /// This broker's internals: one pass over its partitions (each read under its own lock), the
    /// purgatories' counters and the state-change tail. No log or ZooKeeper read.
    static func internals(brokerId: BrokerId, replicaManager: ReplicaManager?, purgatories: [any PurgatoryGauges],
                          stateChangeLog: [BrokerInternals.LogLine], timeMs: Int64) -> BrokerInternals {
        let replicas = (replicaManager?.allPartitions ?? []).map { partition -> BrokerInternals.LocalReplica in
            let (role, highWatermark, followers) = partition.state.withLock { ($0.role, $0.highWatermark, $0.followers) }
            let logEndOffset = partition.offsets.logEndOffset
            return BrokerInternals.LocalReplica(
                topic: partition.topicPartition.topic, partition: partition.topicPartition.partition,
                leader: role.leader.rawValue, leaderEpoch: role.leaderEpoch.rawValue, highWatermark: highWatermark,
                logEndOffset: logEndOffset,
                followers: followers.keys.sorted().map {
                    BrokerInternals.FollowerProgress(broker: $0.rawValue, logEndOffset: followers[$0]!.logEndOffset)
                })
        }.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
        return BrokerInternals(
            brokerId: brokerId.rawValue, timeMs: timeMs, replicas: replicas,
            purgatories: purgatories.map { .init(name: $0.purgatoryName, delayed: $0.numDelayed, watched: $0.watched) },
            stateChangeLog: stateChangeLog)
    }
}

extension KafkaServer {
    /// The admin listener as registered in `/brokers/ids/<id>` (`admin_listener`), where the live
    /// view of any broker finds this one's internals: the configured address; none when it is off
    /// or its port is 0 (the port is chosen only when the listener binds, after registration).
    var registeredAdminListener: String? {
        guard let address = config.adminListener, address.port != 0 else { return nil }
        return address.description
    }
}
