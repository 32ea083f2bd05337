import Foundation
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Testing

/// What a group's members see across rebalances, with confluent-kafka (librdkafka 2.16) against
/// three real brokers: where a new group starts (`auto.offset.reset`), that no record is lost or
/// read twice when members commit synchronously after each record and one leaves, and that a
/// `cooperative-sticky` group rebalances incrementally.
extension RealClusterTests {
    @Suite("Consumer group rebalances with real clients")
    struct GroupRebalanceTests {
        typealias Support = GroupConsumerTests

        struct Records: Decodable {
            let records: [[Support.Json]]
        }

        /// `auto.offset.reset` on a new group: `latest` starts at the log end (what was produced
        /// before it subscribed is never read, what comes after is), `earliest` at the start.
        @Test(arguments: ["latest", "earliest"])
        func aNewGroupStartsWhereAutoOffsetResetSays(reset: String) async throws {
            try await withKafkaCluster(zooKeepers: 1, overrides: Support.overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, "signups", partitions: 3, replicas: [1, 2, 3])
                let bootstrap = cluster.brokers.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
                let before = (1...12).map { "before-\($0)" }
                try Support.produce(bootstrap, "signups", before)
                let outcome = try PythonClient.run("group_consumer.py", ["offset-reset", bootstrap, "signups", "signups-\(reset)", reset, "9"])
                try #require(outcome.status == 0, "offset-reset consumer failed: \(outcome.errorTail)")
                let values = try JSONDecoder().decode(Records.self, from: outcome.output).records.compactMap { $0[2].string }
                let after = (0..<9).map { "after-\($0)" }
                #expect(values.filter { $0.hasPrefix("after-") }.sorted() == after.sorted(), "every record produced after subscribing, once")
                if reset == "latest" {
                    #expect(values.filter { $0.hasPrefix("before-") }.isEmpty, "nothing from before the subscription: \(values)")
                } else {
                    #expect(values.filter { $0.hasPrefix("before-") }.sorted() == before.sorted(), "everything from the start, once")
                }
            }
        }

        /// Three members on six partitions commit synchronously after each record; one leaves
        /// after its 20th record and the others take its partitions over from its commits: every
        /// record is consumed, and none twice.
        @Test func threeMembersConsumeEveryRecordOnceAcrossALeave() async throws {
            try await withKafkaCluster(zooKeepers: 1, overrides: Support.overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, "ledger", partitions: 6, replicas: [1, 2, 3])
                let bootstrap = cluster.brokers.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
                let produced = (1...600).map { "entry-\($0)" }
                try Support.produce(bootstrap, "ledger", produced)
                let outcome = try PythonClient.run(
                    "group_consumer.py", ["members-consume", bootstrap, "ledger", "ledger-app", "3", "6", "\(produced.count)"])
                try #require(outcome.status == 0, "group members failed: \(outcome.errorTail)")
                struct Result: Decodable { let records: [[Support.Json]]; let commit_errors: [String] }
                let result = try JSONDecoder().decode(Result.self, from: outcome.output)
                let values = result.records.compactMap { $0[3].string }
                #expect(result.commit_errors.isEmpty, "\(result.commit_errors)")
                #expect(Set(values) == Set(produced), "every record consumed")
                var seen: [String: Int] = [:]
                for value in values { seen[value, default: 0] += 1 }
                #expect(seen.filter { $0.value > 1 }.isEmpty, "read twice: \(seen.filter { $0.value > 1 }.keys.sorted())")
                #expect(values.count == produced.count)
                func int(_ json: Support.Json) -> Int64? { if case .int(let value) = json { value } else { nil } }
                let byMember = Dictionary(grouping: result.records) { int($0[0]) == 0 ? 0 : 1 }
                #expect((byMember[0]?.count ?? 0) == 20, "member 0 left after its 20th record")
                let partitionsOfLeaver = Set(byMember[0]?.compactMap { int($0[1]) } ?? [])
                let partitionsOfOthers = Set(byMember[1]?.compactMap { int($0[1]) } ?? [])
                #expect(partitionsOfLeaver.isSubset(of: partitionsOfOthers), "its partitions were taken over")
            }
        }

        /// `partition.assignment.strategy=cooperative-sticky` (librdkafka ≥ 1.6; the suite pins
        /// 2.16): when a third member joins, the first two are asked to give up only the
        /// partitions that move to it (on_revoke is called with those alone) and keep the others
        /// without a revocation; the newcomer is assigned exactly what they gave up.
        @Test func aCooperativeStickyGroupRebalancesIncrementally() async throws {
            try await withKafkaCluster(zooKeepers: 1, overrides: Support.overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, "parcels", partitions: 6, replicas: [1, 2, 3])
                let bootstrap = cluster.brokers.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
                let outcome = try PythonClient.run("group_consumer.py", ["cooperative", bootstrap, "parcels", "parcels-app", "6"])
                try #require(outcome.status == 0, "cooperative members failed: \(outcome.errorTail)")
                struct Result: Decodable {
                    let before: [[Int]]
                    let after: [[Int]]
                    let revoked_after_join: [[Int]]
                    let assigned_after_join: [[Int]]
                }
                let result = try JSONDecoder().decode(Result.self, from: outcome.output)
                #expect(result.before.count == 2 && result.before.flatMap { $0 }.sorted() == Array(0..<6))
                #expect(result.after.count == 3 && result.after.flatMap { $0 }.sorted() == Array(0..<6))
                for member in 0..<2 {
                    let kept = Set(result.before[member]).intersection(result.after[member])
                    #expect(Set(result.after[member]).isSubset(of: result.before[member]), "member \(member) only gave partitions up")
                    #expect(kept.isDisjoint(with: result.revoked_after_join[member]),
                            "member \(member) kept \(kept.sorted()) without revoking them: \(result.revoked_after_join[member])")
                    #expect(Set(result.revoked_after_join[member]) == Set(result.before[member]).subtracting(result.after[member]),
                            "member \(member) revoked exactly what moved")
                    #expect(result.assigned_after_join[member].isEmpty, "nothing re-assigned to member \(member)")
                }
                #expect(!result.after[2].isEmpty)
                #expect(result.assigned_after_join[2] == result.after[2], "the newcomer got what the others gave up")
                #expect(Set(result.after[2]) == Set(result.revoked_after_join.flatMap { $0 }))
            }
        }
    }
}
