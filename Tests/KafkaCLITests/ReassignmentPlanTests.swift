import ArgumentParser
import KafkaCommon
import Testing

@testable import kafka

@Suite struct ReassignmentPlanTests {
    let t0 = TopicPartition("t", 0)
    let t1 = TopicPartition("t", 1)

    @Test func topicsToMoveAndBrokerList() throws {
        #expect(try ReassignmentPlan.topicsToMove(#"{"topics":[{"topic":"b"},{"topic":"a"}],"version":1}"#) == ["b", "a"])
        #expect(throws: CLIError.self) { try ReassignmentPlan.topicsToMove(#"{"topics":[{"topic":"a"},{"topic":"a"}]}"#) }
        #expect(throws: CLIError.self) { try ReassignmentPlan.topicsToMove(#"{"version":1}"#) }
        #expect(try ReassignmentPlan.brokerList("2, 3,4") == [2, 3, 4])
        do {
            _ = try ReassignmentPlan.brokerList("1,2,1")
            Issue.record("duplicates accepted")
        } catch let error as CLIError {
            #expect(error.description == "Broker list contains duplicate entries: 1")
        }
    }

    @Test func jsonIsKafkasWithAnyLogDirs() {
        #expect(ReassignmentPlan.json([t1: [3, 4], t0: [2, 3]])
            == #"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3],"log_dirs":["any","any"]},{"topic":"t","partition":1,"replicas":[3,4],"log_dirs":["any","any"]}]}"#)
    }

    @Test func executeChecksWhatKafkasToolChecks() throws {
        let existing: [TopicPartition: [BrokerId]] = [t0: [1, 2, 3], t1: [2, 3, 1]]
        let brokers: Set<BrokerId> = [1, 2, 3, 4]
        func failure(_ text: String) -> String? {
            do {
                _ = try ReassignmentPlan.validated(text, existing: existing, brokers: brokers)
                return nil
            } catch {
                return "\(error)"
            }
        }
        let good = #"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3,4]}]}"#
        #expect(try ReassignmentPlan.validated(good, existing: existing, brokers: brokers) == [t0: [2, 3, 4]])
        #expect(failure(#"{"version":1,"partitions":[]}"#) == "Partition reassignment data file is empty")
        #expect(failure(#"{"partitions":[{"topic":"t","partition":0,"replicas":[2]},{"topic":"t","partition":0,"replicas":[3]}]}"#)
            == "Partition reassignment contains duplicate topic partitions: t-0")
        #expect(failure(#"{"partitions":[{"topic":"t","partition":0,"replicas":[2,2]}]}"#)
            == "Partition replica lists may not contain duplicate entries: t-0 contains multiple entries for 2")
        #expect(failure(#"{"partitions":[{"topic":"t","partition":5,"replicas":[2]}]}"#)
            == "The proposed assignment contains non-existent partitions: t-5")
        #expect(failure(#"{"partitions":[{"topic":"t","partition":0,"replicas":[2,9,8]}]}"#)
            == "The proposed assignment contains non-existent brokerIDs: 8,9")
    }

    @Test func generateKeepsPartitionCountAndReplicationFactor() throws {
        let current: [TopicPartition: [BrokerId]] = [t0: [1, 2], t1: [2, 3], TopicPartition("u", 0): [1, 2, 3]]
        let proposed = try ReassignmentPlan.proposed(current: current, brokers: [4, 2, 3], fixedStartIndex: 0)
        // Topic creation's rack-unaware placement on brokers [2,3,4].
        #expect(proposed == [t0: [2, 3], t1: [3, 4], TopicPartition("u", 0): [2, 3, 4]])
        #expect(throws: (any Error).self) { try ReassignmentPlan.proposed(current: current, brokers: [4, 2]) }
    }

    @Test func verifyStatuses() {
        #expect(ReassignmentPlan.status(requested: [2, 3, 4], current: [2, 3, 4, 1], inProgress: true) == .inProgress)
        #expect(ReassignmentPlan.status(requested: [2, 3, 4], current: [2, 3, 4], inProgress: false) == .completed)
        #expect(ReassignmentPlan.status(requested: [2, 3, 4], current: [1, 2, 3], inProgress: false) == .failed)
        #expect(ReassignmentPlan.Status.completed.line(t0) == "Reassignment of partition t-0 completed successfully")
        #expect(ReassignmentPlan.Status.inProgress.line(t0) == "Reassignment of partition t-0 is still in progress")
    }

    @Test func exactlyOneAction() {
        #expect(throws: (any Error).self) { try ReassignPartitionsCommand.parse(["--zookeeper", "z:2181", "--verify"]) }
        #expect(throws: (any Error).self) {
            try ReassignPartitionsCommand.parse(["--zookeeper", "z:2181", "--execute", "--verify", "--reassignment-json-file", "f"])
        }
        #expect(throws: (any Error).self) { try ReassignPartitionsCommand.parse(["--zookeeper", "z:2181", "--generate", "--broker-list", "1"]) }
        #expect((try? ReassignPartitionsCommand.parse(["--zookeeper", "z:2181", "--verify", "--reassignment-json-file", "f"])) != nil)
    }
}
