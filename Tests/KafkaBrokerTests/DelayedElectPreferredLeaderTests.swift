import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import Synchronization
import Testing

@testable import KafkaBroker

/// An ElectPreferredLeaders answer waits until this broker's metadata cache shows the elected
/// leaders, or times out with REQUEST_TIMED_OUT for the partitions still led by another broker;
/// the partitions the controller settled keep their results.
@Suite struct DelayedElectPreferredLeaderTests {
    let time = ManualTime()
    let cache = MetadataCache(brokerId: 1)
    let t0 = TopicPartition("t", 0)
    let t1 = TopicPartition("t", 1)
    let t2 = TopicPartition("t", 2)

    final class Answer: Sendable {
        private let results = Mutex<[DelayedElectPreferredLeader.Results]>([])
        func record(_ value: DelayedElectPreferredLeader.Results) { results.withLock { $0.append(value) } }
        var all: [[TopicPartition: ErrorCode]] { results.withLock { $0.map { $0.mapValues(\.0) } } }
    }

    /// The controller's UpdateMetadata: partitions of `t` with these leaders.
    func update(leaders: [Int32: BrokerId], epoch: Int32 = 1) {
        let request = UpdateMetadata.Request(controllerId: 1, controllerEpoch: ControllerEpoch(epoch), topicStates: [
            .init(topicName: "t", partitionStates: leaders.sorted { $0.key < $1.key }.map { partition, leader in
                UpdateMetadata.PartitionState(partitionIndex: partition, controllerEpoch: ControllerEpoch(epoch), leader: leader,
                                              leaderEpoch: 1, isr: [1, 2, 3], zkVersion: 1, replicas: [1, 2, 3])
            }),
        ], liveBrokers: [], version: 5)
        #expect(cache.update(request) == ErrorCode.none)
    }

    func operation(_ answer: Answer) -> DelayedElectPreferredLeader {
        DelayedElectPreferredLeader(delayMs: 1000, expectedLeaders: [t0: 1, t1: 2], settled: [t2: (.none, nil)], cache: cache) {
            answer.record($0)
        }
    }

    @Test func completesWhenTheMetadataShowsEveryExpectedLeader() {
        let timer = SystemTimer(executorName: "ElectPreferredLeader", time: time)
        let purgatory = DelayedOperationPurgatory<DelayedElectPreferredLeader>(
            purgatoryName: "ElectPreferredLeader", timeoutTimer: timer, reaperEnabled: false)
        defer { purgatory.shutdown() }
        update(leaders: [0: 2, 1: 3, 2: 3])
        let answer = Answer()
        #expect(!purgatory.tryCompleteElseWatch(operation(answer), watchKeys: [t0, t1]))
        update(leaders: [0: 1, 1: 3, 2: 3])
        purgatory.checkAndComplete(t0)
        #expect(answer.all.isEmpty, "t-1 still led by 3")
        update(leaders: [0: 1, 1: 2, 2: 3])
        purgatory.checkAndComplete(t1)
        #expect(answer.all == [[t0: .none, t1: .none, t2: .none]])
    }

    @Test func timesOutThePartitionsStillLedElsewhere() async {
        let timer = SystemTimer(executorName: "ElectPreferredLeader", time: time)
        let purgatory = DelayedOperationPurgatory<DelayedElectPreferredLeader>(
            purgatoryName: "ElectPreferredLeader", timeoutTimer: timer, reaperEnabled: false)
        defer { purgatory.shutdown() }
        update(leaders: [0: 1, 1: 3])
        let answer = Answer()
        #expect(!purgatory.tryCompleteElseWatch(operation(answer), watchKeys: [t0, t1]))
        time.sleep(1001)
        purgatory.advanceClock(timeoutMs: 0)
        await timer.drainExecutor()
        #expect(answer.all == [[t0: .none, t1: .requestTimedOut, t2: .none]])
    }
}
