import Foundation
import KafkaCommon
import KafkaStorage
import KafkaTestKit
import Logging
import Testing

/// Offsets a follower gets from its leader (an epoch end offset, a log start offset) are input: a
/// negative one is refused with an error, not a trap (issue 8, item 10).
@Suite struct LogNegativeOffsetTests {
    let time = MockTime()

    func openLog() throws -> Log {
        let root = try makeTemporaryDirectory(prefix: "log-negative")
        return try Log(dir: root.appendingPathComponent("orders-0").path, config: LogConfig(), recoveryPoint: 0, hadCleanShutdown: true,
                       scheduler: MockScheduler(time: time), time: time, logger: Logger(label: "test"))
    }

    @Test func truncatingToANegativeOffsetThrows() throws {
        let log = try openLog()
        #expect(throws: StorageError.self) { try log.truncateTo(-1) }
        #expect(log.logEndOffset == 0)
    }

    @Test func restartingAtANegativeOffsetThrowsAndKeepsTheLog() throws {
        let log = try openLog()
        #expect(throws: StorageError.self) { try log.truncateFullyAndStartAt(-1) }
        #expect(log.segmentBaseOffsets == [0])
    }
}
