import Foundation
import KafkaCommon
import KafkaStorage
import Testing

/// A deletion that fails (StopReplica with deletion, Kafka's `asyncDelete`) takes its log
/// directory offline, and no later deletion is confirmed while a directory is offline: the
/// broker answers KAFKA_STORAGE_ERROR until it starts again with the directory repaired.
extension LogManagerTests {
    @Test func aFailedDeletionTakesTheDirectoryOfflineAndLaterDeletionsFail() throws {
        let manager = try manager(dirs: [dir1])
        try manager.startup()
        let log = try manager.getOrCreateLog(orders0, config: LogConfig())
        try append(log, count: 2)
        _ = try manager.getOrCreateLog(orders1, config: LogConfig())
        // The directory disappears under the log: its rename cannot succeed.
        try FileManager.default.removeItem(atPath: log.dir)

        #expect(throws: (any Error).self) { try manager.asyncDelete(orders0) }
        #expect(Array(manager.offlineLogDirs.keys) == [dir1])
        #expect(manager.getLog(orders1) == nil, "the directory's other logs are closed with it")
        #expect(throws: (any Error).self, "a log that may be in the offline directory") {
            try manager.asyncDelete(TopicPartition("never", 0))
        }
    }
}
