import Foundation
import Glibc
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import Testing

/// Transactions through failures, on three brokers and a three-node ensemble with
/// `__transaction_state` replicated three times, driven by a confluent-kafka transactional
/// producer one step at a time (``SteppedPythonClient``):
/// - the coordinator's broker killed with kill -9 while a transaction is open, and again after
///   EndTxn wrote PrepareCommit but before the markers are written: the next coordinator loads the
///   transaction from `__transaction_state` and the producer commits or aborts it;
/// - the data partition's leader killed with kill -9 between EndTxn and its markers (held back,
///   or stopped with SIGSTOP as the commit is sent): the marker channel sends them to the new
///   leader, and the killed broker, restarted, replicates them;
/// - a second producer with the same `transactional.id` fences the first, whose open transaction
///   is aborted;
/// - a producer killed mid-transaction is aborted after its `transaction.timeout.ms`.
///
/// Every test ends with a read_committed consumer that sees each committed record exactly once,
/// in order, and nothing aborted, and with the last stable offset at the high watermark.
///
/// Markers are held back where a test needs them pending by raising the data topic's
/// `min.insync.replicas` above its replication factor (``TransactionFailure/holdMarkers``).
extension RealClusterTests {
    @Suite("Transactions through coordinator and leader failures, fencing and timeouts")
    struct TransactionFailureTests {
        typealias Support = TransactionFailure

        /// The values `prefix`-0..<count.
        static func values(_ prefix: String, _ count: Int) -> [String] { (0..<count).map { "\(prefix)-\($0)" } }

        @Test func coordinatorKilledWhileATransactionIsOpen() async throws {
            try await withKafkaCluster(overrides: Support.overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let producer = try Support.producer(cluster, transactionalId: "txn-coordinator-open")
                let roles = try await Support.start(producer, zk)
                #expect(try await producer.step("begin") == "ok begin")
                #expect(try await producer.step("produce open 5") == "ok produce", "\(producer.errorTail)")

                // The transaction is Ongoing in __transaction_state; its coordinator dies.
                await cluster.broker(Int(roles.coordinator.rawValue)).kill9()
                let successor = try await waitFor("another leader for \(Support.transactionState)", timeout: .seconds(60)) {
                    try await Replication.state(zk, Support.transactionState).map(\.leader)
                        .flatMap { $0 != roles.coordinator && $0.rawValue >= 0 ? $0 : nil }
                }
                #expect(try await producer.step("produce more 5") == "ok produce", "\(producer.errorTail)")
                var committed: [String] = []
                let commit = try await producer.step("commit")
                print("coordinatorKilledWhileATransactionIsOpen: the commit after the failover answered \"\(commit)\"")
                if commit == "ok commit" {
                    committed += Self.values("open", 5) + Self.values("more", 5)
                } else {
                    // librdkafka may find the transaction's state unknown after the failover and
                    // ask for an abort; it must not be a fatal error.
                    #expect(commit.contains("abortable=1") && commit.contains("fatal=0"), "\(commit)")
                    #expect(try await producer.step("abort") == "ok abort", "\(producer.errorTail)")
                }
                #expect(try await producer.step("begin") == "ok begin")
                #expect(try await producer.step("produce after 5") == "ok produce", "\(producer.errorTail)")
                #expect(try await producer.step("commit") == "ok commit", "\(producer.errorTail)")
                committed += Self.values("after", 5)
                await producer.stop()

                let successorLog = cluster.broker(Int(successor.rawValue)).log
                #expect(!lines(successorLog, containing: "Finished loading 1 transaction metadata from __transaction_state-0").isEmpty,
                        "the new coordinator loaded the open transaction")
                let stable = try await Support.waitForStableEnd(cluster, zk, atLeast: 17)
                #expect(stable == 17, "15 records and two markers")
                #expect(try Support.values(cluster, isolation: "read_committed", expecting: committed.count) == committed)
                let everything = Self.values("open", 5) + Self.values("more", 5) + Self.values("after", 5)
                #expect(try Support.values(cluster, isolation: "read_uncommitted", expecting: 15) == everything)
                keepBrokerLogs(cluster, test: "coordinatorKilledWhileATransactionIsOpen")
            }
        }

        @Test func coordinatorKilledAfterPrepareCommitAndTheNextOneWritesTheMarkers() async throws {
            try await withKafkaCluster(overrides: Support.overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let producer = try Support.producer(cluster, transactionalId: "txn-coordinator-prepared")
                let roles = try await Support.start(producer, zk)
                #expect(try await producer.step("begin") == "ok begin")
                #expect(try await producer.step("produce prepared 5") == "ok produce", "\(producer.errorTail)")

                let all = [roles.leader, roles.follower, roles.coordinator]
                try await Support.holdMarkers(cluster, zk, on: all)
                // EndTxn is answered once PrepareCommit is in __transaction_state; the COMMIT
                // marker cannot be written, so the transaction stays open in the data partition.
                #expect(try await producer.step("commit") == "ok commit", "\(producer.errorTail)")
                let leader = cluster.broker(Int(roles.leader.rawValue))
                #expect(try await Support.answeredEndOffset(leader, readCommitted: true) == 0, "the transaction is not complete")
                #expect(try await Support.answeredEndOffset(leader, readCommitted: false) == 5)

                await cluster.broker(Int(roles.coordinator.rawValue)).kill9()
                let successor = try await waitFor("another leader for \(Support.transactionState)", timeout: .seconds(60)) {
                    try await Replication.state(zk, Support.transactionState).map(\.leader)
                        .flatMap { $0 != roles.coordinator && $0.rawValue >= 0 ? $0 : nil }
                }
                let successorBroker = cluster.broker(Int(successor.rawValue))
                try await waitUntil("broker \(successor.rawValue) to load the prepared transaction", timeout: .seconds(60)) {
                    !lines(successorBroker.log, containing: "Finished loading 1 transaction metadata from __transaction_state-0").isEmpty
                }
                #expect(try await Support.answeredEndOffset(leader, readCommitted: true) == 0, "still held")
                try await Support.releaseMarkers(cluster, zk, on: [roles.leader, roles.follower])
                #expect(try await Support.waitForStableEnd(cluster, zk, atLeast: 6) == 6, "5 records and the COMMIT marker")
                // The new coordinator wrote the completion after the prepare its predecessor wrote.
                try await waitUntil("CompleteCommit in broker \(successor.rawValue)'s __transaction_state-0", timeout: .seconds(60)) {
                    try Support.transactionStates(successorBroker) == ["Empty", "Ongoing", "PrepareCommit", "CompleteCommit"]
                }

                // The next transaction starts only once the loaded one is CompleteCommit.
                #expect(try await producer.step("begin") == "ok begin")
                #expect(try await producer.step("produce next 5") == "ok produce", "\(producer.errorTail)")
                #expect(try await producer.step("commit") == "ok commit", "\(producer.errorTail)")
                await producer.stop()

                let committed = Self.values("prepared", 5) + Self.values("next", 5)
                #expect(try await Support.waitForStableEnd(cluster, zk, atLeast: 12) == 12)
                #expect(try Support.values(cluster, isolation: "read_committed", expecting: 10) == committed)
                keepBrokerLogs(cluster, test: "coordinatorKilledAfterPrepareCommit")
            }
        }

        @Test func leaderKilledBetweenEndTxnAndItsMarkers() async throws {
            try await withKafkaCluster(overrides: Support.overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let producer = try Support.producer(cluster, transactionalId: "txn-leader-killed")
                let roles = try await Support.start(producer, zk)
                #expect(try await producer.step("begin") == "ok begin")
                #expect(try await producer.step("produce first 5") == "ok produce", "\(producer.errorTail)")

                try await Support.holdMarkers(cluster, zk, on: [roles.leader, roles.follower, roles.coordinator])
                #expect(try await producer.step("commit") == "ok commit", "\(producer.errorTail)")
                let leader = cluster.broker(Int(roles.leader.rawValue))
                #expect(try await Support.answeredEndOffset(leader, readCommitted: true) == 0, "the COMMIT marker is held")

                await leader.kill9()
                let successor = try await waitFor("another leader for \(Support.data)", timeout: .seconds(60)) {
                    try await Replication.state(zk, Support.data).map(\.leader).flatMap { $0 != roles.leader && $0.rawValue >= 0 ? $0 : nil }
                }
                // The new leader rebuilt the open transaction from replication: its LSO stays at it.
                let successorBroker = cluster.broker(Int(successor.rawValue))
                #expect(try await Support.answeredEndOffset(successorBroker, readCommitted: true) == 0,
                        "the new leader holds the transaction open too")
                try await Support.releaseMarkers(cluster, zk, on: [roles.follower, roles.coordinator])
                #expect(try await Support.waitForStableEnd(cluster, zk, atLeast: 6) == 6, "5 records and the COMMIT marker on the new leader")

                #expect(try await producer.step("begin") == "ok begin")
                #expect(try await producer.step("produce second 5") == "ok produce", "\(producer.errorTail)")
                #expect(try await producer.step("commit") == "ok commit", "\(producer.errorTail)")
                await producer.stop()

                #expect(try await Support.waitForStableEnd(cluster, zk, atLeast: 12) == 12)
                let committed = Self.values("first", 5) + Self.values("second", 5)
                #expect(try Support.values(cluster, isolation: "read_committed", expecting: 10) == committed)
                keepBrokerLogs(cluster, test: "leaderKilledBetweenEndTxnAndItsMarkers")
            }
        }

        @Test func leaderStoppedAtCommitThenKilledAndRestarted() async throws {
            try await withKafkaCluster(overrides: Support.overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let producer = try Support.producer(cluster, transactionalId: "txn-leader-stopped")
                let roles = try await Support.start(producer, zk)
                #expect(try await producer.step("begin") == "ok begin")
                #expect(try await producer.step("produce first 5") == "ok produce", "\(producer.errorTail)")

                // The leader stops as the commit is sent: PrepareCommit waits until the stopped
                // broker leaves the ISR of __transaction_state, and the COMMIT marker cannot reach
                // it; then it dies. Whether the marker went to it first or straight to the next
                // leader, the next leader must end up with it.
                let leader = cluster.broker(Int(roles.leader.rawValue))
                leader.send(SIGSTOP)
                try producer.send("commit")
                let commit = try await producer.answer(to: "commit")
                #expect(commit == "ok commit", "\(producer.errorTail)")
                await leader.kill9()
                _ = try await waitFor("another leader for \(Support.data)", timeout: .seconds(60)) {
                    try await Replication.state(zk, Support.data).map(\.leader).flatMap { $0 != roles.leader && $0.rawValue >= 0 ? $0 : nil }
                }
                #expect(try await Support.waitForStableEnd(cluster, zk, atLeast: 6) == 6, "5 records and the COMMIT marker on the new leader")

                #expect(try await producer.step("begin") == "ok begin")
                #expect(try await producer.step("produce second 5") == "ok produce", "\(producer.errorTail)")
                #expect(try await producer.step("commit") == "ok commit", "\(producer.errorTail)")
                await producer.stop()
                #expect(try await Support.waitForStableEnd(cluster, zk, atLeast: 12) == 12)

                // The killed leader comes back as a follower and gets the markers by replication.
                let starts = leader.startedCount
                try leader.start()
                try await cluster.waitUntilStarted(leader, previousStarts: starts)
                try await waitUntil("broker \(roles.leader.rawValue) back in the ISR of \(Support.data)", timeout: .seconds(90)) {
                    try await Replication.state(zk, Support.data)?.isr.contains(roles.leader) ?? false
                }
                try await waitUntil("the three replicas of \(Support.data) to hold the same log", timeout: .seconds(60)) {
                    let segments = [roles.leader, roles.follower, roles.coordinator].map { Replication.segments(cluster.broker(Int($0.rawValue)), Support.data) }
                    return segments[0] == segments[1] && segments[1] == segments[2]
                }
                let committed = Self.values("first", 5) + Self.values("second", 5)
                #expect(try Support.values(cluster, isolation: "read_committed", expecting: 10) == committed)
                keepBrokerLogs(cluster, test: "leaderStoppedAtCommitThenKilledAndRestarted")
            }
        }

        @Test func aSecondProducerWithTheSameTransactionalIdFencesTheFirst() async throws {
            try await withKafkaCluster(overrides: Support.overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let first = try Support.producer(cluster, transactionalId: "txn-fenced")
                _ = try await Support.start(first, zk)
                #expect(try await first.step("begin") == "ok begin")
                #expect(try await first.step("produce zombie 5") == "ok produce", "\(first.errorTail)")

                // InitProducerId of the same transactional id fences the first producer and
                // aborts its open transaction.
                let second = try Support.producer(cluster, transactionalId: "txn-fenced")
                #expect(try await second.step("init") == "ok init", "\(second.errorTail)")
                #expect(try await second.step("begin") == "ok begin")
                #expect(try await second.step("produce live 3") == "ok produce", "\(second.errorTail)")
                #expect(try await second.step("commit") == "ok commit", "\(second.errorTail)")

                // The first producer's next write is refused with its stale epoch, and librdkafka
                // makes that a fatal fencing error.
                let late = try await first.step("produce late 1")
                #expect(late.hasPrefix("error produce"), "\(late)")
                let commit = try await first.step("commit")
                #expect(commit.hasPrefix("error commit") && commit.contains("fatal=1"), "\(commit)")
                #expect(["_FENCED", "PRODUCER_FENCED", "INVALID_PRODUCER_EPOCH"].contains { commit.contains(" \($0) ") }, "\(commit)")
                await first.stop()
                await second.stop()

                #expect(try await Support.waitForStableEnd(cluster, zk, atLeast: 10) == 10, "5 aborted, their marker, 3 committed, their marker")
                #expect(try Support.values(cluster, isolation: "read_committed", expecting: 3) == Self.values("live", 3))
                #expect(try Support.values(cluster, isolation: "read_uncommitted", expecting: 8)
                    == Self.values("zombie", 5) + Self.values("live", 3))
                keepBrokerLogs(cluster, test: "aSecondProducerFencesTheFirst")
            }
        }

        @Test func aProducerKilledMidTransactionIsAbortedAfterItsTimeout() async throws {
            try await withKafkaCluster(overrides: Support.overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let transactionalId = "txn-silent"
                let silent = try Support.producer(cluster, transactionalId: transactionalId, timeoutMs: 5_000)
                let roles = try await Support.start(silent, zk)
                #expect(try await silent.step("begin") == "ok begin")
                #expect(try await silent.step("produce silent 5") == "ok produce", "\(silent.errorTail)")
                silent.kill9()

                // Plain records written after the open transaction: read_committed reaches them
                // only once the coordinator aborted it.
                let bootstrap = Support.bootstrap(cluster)
                let plain = try ProduceConsumeTests.kcat(["-b", bootstrap, "-P", "-t", Support.topic, "-p", "0", "-X", "acks=all"],
                                                         input: "after-0\nafter-1\nafter-2\n")
                #expect(plain.status == 0)
                #expect(try await Support.waitForStableEnd(cluster, zk, atLeast: 9) == 9, "5 aborted records, the ABORT marker, 3 plain records")
                #expect(try Support.values(cluster, isolation: "read_committed", expecting: 3) == Self.values("after", 3))

                let coordinator = cluster.broker(Int(roles.coordinator.rawValue))
                #expect(!lines(coordinator.log, containing: "Completed rollback ongoing transaction of transactionalId: \(transactionalId) due to timeout").isEmpty)
                // The abort fenced the producer: epoch 0 was bumped to 1 for the ABORT marker, so
                // the next InitProducerId gets 2.
                let client = try WireClient(port: coordinator.port, timeoutSeconds: 30)
                let initialized = try await waitFor("InitProducerId for \(transactionalId)", timeout: .seconds(60)) {
                    let response = try RealClusterTests.LogAdminTests.call(
                        client, InitProducerId.self, .init(transactionalId: transactionalId, transactionTimeoutMs: 5_000), version: 1)
                    return response.errorCode == .none ? response : nil
                }
                #expect(initialized.producerEpoch == 2)
                keepBrokerLogs(cluster, test: "aProducerKilledMidTransactionIsAborted")
            }
        }
    }
}
