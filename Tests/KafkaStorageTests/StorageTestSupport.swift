import Foundation
import KafkaCommon
import KafkaStorage
import Synchronization

/// A clock that moves only when a test says so (Kafka's `MockTime`).
final class MockTime: Time {
    private let now: Mutex<Int64>

    init(milliseconds: Int64 = 1_700_000_000_000) { now = Mutex(milliseconds) }

    var milliseconds: Int64 { now.withLock { $0 } }
    var nanoseconds: UInt64 { UInt64(now.withLock { $0 }) * 1_000_000 }

    func sleep(_ ms: Int64) { now.withLock { $0 += ms } }
}

/// One v2 batch of `count` records with values `value-<i>`, timestamps from `timestamp` (one
/// millisecond apart), based at `baseOffset`.
func makeBatch(baseOffset: Int64 = 0, count: Int = 1, timestamp: Int64 = 1_000, valueSize: Int = 10, leaderEpoch: Int32 = -1) throws -> MemoryRecords {
    var builder = MemoryRecordsBuilder(baseOffset: baseOffset, partitionLeaderEpoch: leaderEpoch)
    for index in 0..<count {
        let text = "value-\(index)-" + String(repeating: "x", count: max(0, valueSize - 8))
        builder.append(timestamp: timestamp + Int64(index), key: nil, value: ByteBuffer(string: text))
    }
    return try builder.buildRecords()
}

func fileBytes(_ path: String) throws -> [UInt8] { try Array(Data(contentsOf: URL(fileURLWithPath: path))) }

func fileSize(_ path: String) -> Int? { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil }

func fileExists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

/// Writes `bytes` over the file at `offset`.
func overwrite(_ path: String, at offset: Int, with bytes: [UInt8]) throws {
    let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
    try handle.seek(toOffset: UInt64(offset))
    try handle.write(contentsOf: Data(bytes))
    try handle.close()
}

/// Cuts the file to `size` bytes.
func truncateFile(_ path: String, to size: Int) throws {
    let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
    try handle.truncate(atOffset: UInt64(size))
    try handle.close()
}

/// A scheduler that runs tasks only when the test advances its clock past their due time.
final class MockScheduler: Scheduler {
    private struct Pending {
        let name: String
        let dueMs: Int64
        let task: @Sendable () -> Void
    }
    private let time: MockTime
    private let pending = Mutex<[Pending]>([])

    init(time: MockTime) { self.time = time }

    func schedule(name: String, delayMs: Int64, _ task: @escaping @Sendable () -> Void) {
        let due = time.milliseconds + delayMs
        pending.withLock { $0.append(Pending(name: name, dueMs: due, task: task)) }
    }

    var pendingCount: Int { pending.withLock { $0.count } }
    /// The names of the tasks not yet run, in scheduling order.
    var pendingNames: [String] { pending.withLock { $0.map(\.name) } }

    /// Runs every task due by now.
    func tick() {
        let now = time.milliseconds
        let due = pending.withLock { list in
            let due = list.filter { $0.dueMs <= now }
            list.removeAll { $0.dueMs <= now }
            return due
        }
        for item in due { item.task() }
    }
}

/// A producer's batch (base offset 0, as clients send) of `count` records.
func producerBatch(count: Int = 1, timestamp: Int64, valueSize: Int = 10) throws -> MemoryRecords {
    try makeBatch(baseOffset: 0, count: count, timestamp: timestamp, valueSize: valueSize)
}
