import Foundation
import KafkaCommon
import Testing

@testable import KafkaStorage

/// An empty `cleanup.policy`: Kafka 2.3's LIST type reads a blank value as the empty list, and
/// its `ValidList` checks each element (there is none), so the value is accepted. Such a log is
/// neither compacted (`LogConfig.compact` false: the cleaner never picks it, keyless records are
/// accepted) nor deleted by retention (`LogConfig.delete` false): only the segments below the log
/// start offset go.
extension LogManagerTests {
    @Test func anEmptyCleanupPolicyIsAcceptedAsNeitherCompactNorDelete() throws {
        for value in ["", " "] {
            let config = try LogConfig().applying(topicOverrides: ["cleanup.policy": value])
            #expect(config.cleanupPolicy.isEmpty && !config.isCompact && !config.isDelete, "'\(value)'")
        }
        let broker = try LogConfig(brokerProperties: ["log.cleanup.policy": ""])
        #expect(broker.cleanupPolicy.isEmpty)
    }

    @Test func anEmptyCleanupPolicyKeepsOldSegmentsButThoseBelowTheLogStartOffset() throws {
        let manager = try manager()
        try manager.startup()
        let log = try twoSegmentLog(manager, TopicPartition("none", 0), Self.config("", retentionMs: 1, retentionBytes: 1))
        time.sleep(10)
        #expect(try log.deleteOldSegments() == 0, "no retention by time or size")
        #expect(manager.cleanupLogs() == 0)
        #expect(log.segmentBaseOffsets == [0, 2])
        try log.maybeIncrementLogStartOffset(2)
        #expect(try log.deleteOldSegments() == 1)
        #expect(log.segmentBaseOffsets == [2])
    }
}
