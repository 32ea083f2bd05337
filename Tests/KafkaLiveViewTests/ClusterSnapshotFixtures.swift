import KafkaLiveView

/// A known cluster state, with made-up values: three brokers, controller 1 at epoch 4, topic
/// `orders` with two partitions and topic `audit` with one, broker 3's internals missing.
enum ClusterSnapshotFixtures {
    /// 2026-12-04 00:10:00.250 UTC.
    static let takenAtMs: Int64 = 1_796_343_000_250

    static let zooKeeper = ClusterSnapshot.ZooKeeperView(
        controllerId: 1, controllerEpoch: 4,
        brokers: [
            1: (["PLAINTEXT://127.0.0.1:9092"], "http://127.0.0.1:9404"),
            2: (["PLAINTEXT://127.0.0.1:9093"], "http://127.0.0.1:9405"),
            3: (["PLAINTEXT://127.0.0.1:9094"], nil),
        ],
        partitions: [
            .init(topic: "orders", partition: 1, replicas: [2, 3, 1], leader: 2, leaderEpoch: 0, isr: [2, 3, 1], modifiedMs: 1_000),
            .init(topic: "audit", partition: 0, replicas: [1, 2], leader: 1, leaderEpoch: 3, isr: [1], modifiedMs: 2_000),
            .init(topic: "orders", partition: 0, replicas: [1, 2, 3], leader: 1, leaderEpoch: 2, isr: [1, 2], modifiedMs: 3_000),
        ])

    static let internals: [Int32: BrokerInternals] = [
        1: BrokerInternals(
            brokerId: 1, timeMs: takenAtMs,
            replicas: [
                .init(topic: "audit", partition: 0, leader: 1, leaderEpoch: 3, highWatermark: 7, logEndOffset: 9,
                      followers: [.init(broker: 2, logEndOffset: 7)]),
                .init(topic: "orders", partition: 0, leader: 1, leaderEpoch: 2, highWatermark: 120, logEndOffset: 125,
                      followers: [.init(broker: 2, logEndOffset: 120), .init(broker: 3, logEndOffset: 96)]),
                .init(topic: "orders", partition: 1, leader: 2, leaderEpoch: 0, highWatermark: 40, logEndOffset: 40, followers: []),
            ],
            purgatories: [.init(name: "Produce", delayed: 2, watched: 2), .init(name: "Fetch", delayed: 1, watched: 3)],
            stateChangeLog: [
                .init(timeMs: takenAtMs - 5_000, text: "INFO [Controller id=1 epoch=4] Changed partition orders-0 from OnlinePartition to OnlinePartition"),
            ]),
        2: BrokerInternals(
            brokerId: 2, timeMs: takenAtMs,
            replicas: [
                .init(topic: "audit", partition: 0, leader: 1, leaderEpoch: 3, highWatermark: 7, logEndOffset: 8, followers: []),
                .init(topic: "orders", partition: 0, leader: 1, leaderEpoch: 2, highWatermark: 120, logEndOffset: 121, followers: []),
                .init(topic: "orders", partition: 1, leader: 2, leaderEpoch: 0, highWatermark: 40, logEndOffset: 41,
                      followers: [.init(broker: 3, logEndOffset: 41), .init(broker: 1, logEndOffset: 40)]),
            ],
            purgatories: [.init(name: "Produce", delayed: 0, watched: 0), .init(name: "Fetch", delayed: 4, watched: 4)],
            stateChangeLog: [
                .init(timeMs: takenAtMs - 6_000, text: "INFO [Broker id=2 epoch=4] Became follower of orders-0"),
            ]),
    ]

    static var snapshot: ClusterSnapshot {
        ClusterSnapshot.assemble(zooKeeper: zooKeeper, internals: internals, takenAtMs: takenAtMs)
    }
}
