import Dispatch
import Foundation
import GroupCoordinator
import KafkaCommon
import KafkaProtocol
import Synchronization
import Testing

@testable import KafkaBroker

/// Each group is decided under its own lock (Kafka's group lock): while a decision on one group
/// is under way, another group's requests are decided and answered, and a second decision on the
/// same group waits for the first.
@Suite struct GroupLockingTests {
    typealias Harness = GroupMetadataManagerTests.Harness

    @Test func twoGroupsProgressConcurrentlyAndOneGroupsDecisionsAreSerialised() async throws {
        let h = try Harness()
        h.becomeLeader(leaderEpoch: 1)
        let coordinator = h.coordinator()
        defer { coordinator.shutdown() }
        coordinator.onElection(0)
        #expect(try await GroupMetadataManagerTests.fetchWhenLoaded(coordinator, "slow").0 == .none)

        // A decision on "slow" that holds the group until released.
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let firstDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            coordinator.decide("slow") { _, _, _ in
                entered.signal()
                release.wait()
                return []
            }
            firstDone.signal()
        }
        #expect(entered.wait(timeout: .now() + 10) == .success)

        // Another group is committed to, fetched, described and listed meanwhile.
        let tp = TopicPartition("orders", 0)
        let committed = await withCheckedContinuation { continuation in
            coordinator.handleCommitOffsets(
                groupId: "fast", memberId: "", groupInstanceId: nil, generationId: -1,
                offsets: [tp: OffsetCommitValue(offset: 9, commitTimestamp: 1)]
            ) { continuation.resume(returning: $0) }
        }
        #expect(committed == [tp: .none])
        #expect(coordinator.handleFetchOffsets(groupId: "fast", partitions: [tp]).1.first?.1?.offset == 9)
        #expect(coordinator.handleDescribeGroup("fast").1.state == "Empty")

        // A second decision on "slow" waits for the first.
        let secondDone = DispatchSemaphore(value: 0)
        let order = Mutex<[String]>([])
        DispatchQueue.global().async {
            coordinator.decide("slow") { _, _, _ in
                order.withLock { $0.append("second") }
                return []
            }
            secondDone.signal()
        }
        #expect(secondDone.wait(timeout: .now() + 0.5) == .timedOut, "blocked behind the first decision on the group")
        order.withLock { $0.append("released") }
        release.signal()
        #expect(firstDone.wait(timeout: .now() + 10) == .success)
        #expect(secondDone.wait(timeout: .now() + 10) == .success)
        #expect(order.withLock { $0 } == ["released", "second"])
    }
}
