// swift-tools-version:6.0
//
// A Kafka broker in Swift, faithful to Apache Kafka's ZooKeeper-coordinated design.
// Dependencies point one way, downward: CZooKeeper → ZooKeeper → KafkaZk → Controller → KafkaBroker
// → kafka-server. KafkaTestKit is used by tests only.
import PackageDescription

let package = Package(
    name: "swift-kafka-broker",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kafka-server", targets: ["kafka-server"]),
        .executable(name: "kafka", targets: ["kafka"]),
        .library(name: "KafkaBroker", targets: ["KafkaBroker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // System library over Debian's libzookeeper-mt-dev (the multi-threaded C client).
        .systemLibrary(
            name: "CZooKeeper",
            providers: [.apt(["libzookeeper-mt-dev"])]
        ),
        // Strong ids (BrokerId, ControllerEpoch, TopicPartition, …) and injected time, shared by all.
        .target(name: "KafkaCommon"),
        // The C libraries of Kafka's compression codecs (gzip, snappy, lz4, zstd).
        .systemLibrary(
            name: "CKafkaCompression",
            providers: [.apt(["zlib1g-dev", "libsnappy-dev", "liblz4-dev", "libzstd-dev"])]
        ),
        // CRC-32C in C: the CPU's CRC32 instruction where it has one, a table otherwise.
        .target(name: "CCRC32C"),
        // Record batches (v2, and v0/v1 message sets), varints, CRC32C, compression codecs.
        .target(
            name: "KafkaRecords",
            dependencies: ["KafkaCommon", "CCRC32C", "CKafkaCompression", .product(name: "NIOCore", package: "swift-nio")]
        ),
        // The log: segments, offset and time indexes, checkpoint files, LogManager.
        .target(
            name: "KafkaStorage",
            dependencies: [
                "KafkaCommon", "KafkaRecords", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The delayed-operation engine: hierarchical timing wheel (SystemTimer) and the
        // DelayedOperationPurgatory.
        .target(
            name: "KafkaPurgatory",
            dependencies: ["KafkaCommon", .product(name: "Logging", package: "swift-log")]
        ),
        // Seed 000 §IV's delay queue as an example program on KafkaPurgatory's timing wheel, with a
        // binary-heap delay queue to benchmark it against (Scripts/bench-delay-queue.sh).
        .target(
            name: "DelayQueueExample", dependencies: ["KafkaPurgatory", "KafkaCommon"],
            path: "Examples/DelayQueue/DelayQueueExample"
        ),
        .executableTarget(name: "delay-queue", dependencies: ["DelayQueueExample"], path: "Examples/DelayQueue/delay-queue"),
        // The Kafka wire protocol: primitives, headers, and one codec per API, generated from the
        // message schemas in Sources/KafkaProtocol/Schemas into Sources/KafkaProtocol/Generated.
        .target(
            name: "KafkaProtocol",
            dependencies: ["KafkaCommon", "KafkaRecords", .product(name: "NIOCore", package: "swift-nio")],
            exclude: ["Schemas"]
        ),
        // The schema parser and Swift emitter behind kafka-protocol-gen (no dependencies, so the
        // generator builds in seconds).
        .target(name: "KafkaProtocolGen"),
        .executableTarget(name: "kafka-protocol-gen", dependencies: ["KafkaProtocolGen"]),
        // The group coordinator (Kafka's kafka.coordinator.group): consumer groups, their state
        // machine, and the committed offsets kept in __consumer_offsets.
        .target(
            name: "GroupCoordinator",
            dependencies: [
                "KafkaCommon", "KafkaProtocol", "KafkaRecords", "KafkaPurgatory",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Schemas"]
        ),
        // A connection to a broker that speaks the wire protocol (controller requests, fetchers, CLI).
        .target(
            name: "KafkaClient",
            dependencies: [
                "KafkaProtocol", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Kafka-agnostic async ZooKeeper client over the C client's asynchronous API.
        .target(
            name: "ZooKeeper",
            dependencies: ["CZooKeeper", .product(name: "Logging", package: "swift-log")]
        ),
        // Kafka's znode schema (paths + JSON) and KafkaZkClient operations.
        .target(
            name: "KafkaZk",
            dependencies: ["KafkaCommon", "ZooKeeper", .product(name: "Logging", package: "swift-log")]
        ),
        // The transaction coordinator (issue 13): producer ids (ProducerIdManager), the transaction
        // state machine, the __transaction_state records and their cache (TransactionStateManager).
        .target(
            name: "TransactionCoordinator",
            dependencies: [
                "KafkaCommon", "KafkaZk", "ZooKeeper", "KafkaProtocol", "KafkaRecords",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Schemas"]
        ),
        // KafkaController: election, ControllerEventManager, ControllerContext.
        .target(
            name: "Controller",
            dependencies: [
                "KafkaCommon", "KafkaZk", "ZooKeeper", "KafkaProtocol", "KafkaClient",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The live view of the cluster's internals (issue 14): snapshots as values, their diff, the
        // `kafka cluster --watch` text, the admin listener's page, and the collector reading
        // ZooKeeper and every broker's /internals.json.
        .target(
            name: "KafkaLiveView",
            dependencies: [
                "KafkaCommon", "KafkaZk", "ZooKeeper", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // KafkaServer lifecycle, KafkaConfig, broker metadata checkpoint; the admin listener (Hummingbird).
        .target(
            name: "KafkaBroker",
            dependencies: [
                "KafkaCommon", "Controller", "KafkaZk", "ZooKeeper", "KafkaProtocol", "KafkaStorage", "KafkaPurgatory", "KafkaClient",
                "GroupCoordinator", "TransactionCoordinator", "KafkaLiveView",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Atomics", package: "swift-atomics"),
            ]
        ),
        .executableTarget(
            name: "kafka-server",
            dependencies: ["KafkaBroker", .product(name: "Logging", package: "swift-log")]
        ),
        // The admin CLI (`kafka topics`, `console-producer`, `console-consumer`, `dump-log`): a
        // wire-protocol client like any other, plus a reader of the on-disk log files.
        .executableTarget(
            name: "kafka",
            dependencies: [
                "KafkaCommon", "KafkaProtocol", "KafkaClient", "KafkaRecords", "KafkaStorage", "GroupCoordinator", "KafkaLab",
                "TransactionCoordinator", "KafkaLiveView",
                "KafkaZk", "ZooKeeper", .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The failover lab's reading side: ZooKeeper's transaction log and the brokers' logs,
        // merged into a millisecond timeline (`kafka lab-timeline`, Scripts/lab).
        .target(name: "KafkaLab"),
        // Test-only helpers: real ZooKeeper processes, broker processes, waiting on conditions.
        .target(
            name: "KafkaTestKit",
            dependencies: ["ZooKeeper"]
        ),
        .testTarget(
            name: "KafkaStorageTests",
            dependencies: ["KafkaStorage", "KafkaCommon", "KafkaTestKit", .product(name: "Logging", package: "swift-log")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "KafkaLabTests",
            dependencies: ["KafkaLab", "KafkaTestKit", "ZooKeeper", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "KafkaCLITests",
            dependencies: [
                "kafka", "KafkaProtocol", "KafkaRecords", "KafkaCommon", "KafkaTestKit", "TransactionCoordinator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "KafkaPurgatoryTests", dependencies: ["KafkaPurgatory", "KafkaCommon"]),
        .testTarget(name: "DelayQueueExampleTests", dependencies: ["DelayQueueExample", "KafkaPurgatory", "KafkaCommon"]),
        .testTarget(
            name: "KafkaRecordsTests",
            dependencies: ["KafkaRecords", "KafkaCommon", .product(name: "NIOCore", package: "swift-nio")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "KafkaProtocolTests",
            dependencies: ["KafkaProtocol", "KafkaCommon", .product(name: "NIOCore", package: "swift-nio")],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "KafkaProtocolGenTests", dependencies: ["KafkaProtocolGen"]),
        .testTarget(
            name: "GroupCoordinatorTests",
            dependencies: ["GroupCoordinator", "KafkaCommon", "KafkaProtocol", "KafkaRecords", .product(name: "NIOCore", package: "swift-nio")],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "ZooKeeperTests", dependencies: ["ZooKeeper", "KafkaTestKit"]),
        .testTarget(name: "KafkaZkTests", dependencies: ["KafkaCommon", "KafkaZk", "ZooKeeper", "KafkaTestKit"]),
        .testTarget(
            name: "TransactionCoordinatorTests",
            dependencies: [
                "TransactionCoordinator", "KafkaCommon", "KafkaZk", "ZooKeeper", "KafkaTestKit", "KafkaProtocol", "KafkaRecords",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "KafkaBrokerTests",
            dependencies: [
                "KafkaBroker", "KafkaCommon", "KafkaZk", "KafkaTestKit", "GroupCoordinator",
                "TransactionCoordinator", "KafkaLiveView",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(name: "KafkaLiveViewTests", dependencies: ["KafkaLiveView"]),
        .testTarget(name: "ControllerTests", dependencies: ["Controller", "KafkaCommon", "KafkaZk", "KafkaTestKit", "KafkaProtocol"]),
        .testTarget(
            name: "ClusterTests",
            dependencies: [
                "KafkaCommon", "KafkaZk", "ZooKeeper", "KafkaTestKit", "KafkaProtocol", "KafkaRecords", "kafka-server", "kafka",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["Clients"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
