import Foundation
import KafkaTestKit
import Testing

/// Fetch sessions (KIP-227) with an unmodified client: kafka-python opens a session with a full
/// fetch and then sends incremental fetches while records arrive on some partitions only.
extension RealClusterTests {
    @Suite("Fetch sessions with a real client")
    struct FetchSessionTests {
        struct Report: Decodable {
            let expected: Int
            let received: Int
            let session_id: Int32
            let epoch: Int32
            let session_problems: [String]
        }

        @Test func kafkaPythonConsumesThroughAnIncrementalFetchSession() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1]) { cluster in
                let run = try PythonClient.run("fetch_session_consumer.py", ["127.0.0.1:\(cluster.broker(1).port)", "sessions", "4", "6"])
                try #require(run.status == 0, "\(run.errorTail)")
                let report = try JSONDecoder().decode(Report.self, from: run.output)
                #expect(report.expected > 0)
                #expect(report.received == report.expected)
                #expect(report.session_id != 0, "the broker created a session")
                #expect(report.epoch >= 3, "the consumer went on with incremental fetches in it (epoch 1 is the first)")
                #expect(report.session_problems.isEmpty)
            }
        }
    }
}
