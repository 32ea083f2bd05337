import Foundation
import KafkaCommon
import KafkaRecords
import KafkaStorage
import KafkaTestKit
import KafkaZk
import Logging
import NIOCore
import Testing

@testable import KafkaBroker

/// Fetch responses sent through a real loopback socket (`SocketServer` → sendfile): a slice goes
/// out from the file it was read from, whatever happened to the segment's name since; a slice
/// truncated under it closes the connection instead of sending other bytes.
@Suite struct FileSliceSendTests {
    let root: URL
    let logger = Logger(label: "test")

    init() throws {
        root = try makeTemporaryDirectory(prefix: "slice-send")
    }

    /// A log of one-batch-per-record, two batches per segment, whose deleted files go at once.
    func openLog(retentionMs: Int64 = -1) throws -> Log {
        var config = LogConfig()
        config.retentionMs = retentionMs
        config.segmentBytes = try makeBatch(timestamp: 1_000).sizeInBytes * 2  // every batch here has this size
        config.fileDeleteDelayMs = 0
        return try Log(dir: root.appendingPathComponent("orders-0").path, config: config, hadCleanShutdown: true,
                       scheduler: DispatchScheduler(), time: SystemTime(), logger: logger)
    }

    func makeBatch(baseOffset: Int64 = 0, timestamp: Int64, leaderEpoch: Int32 = 0) throws -> MemoryRecords {
        var builder = MemoryRecordsBuilder(baseOffset: baseOffset, partitionLeaderEpoch: leaderEpoch)
        builder.append(timestamp: timestamp, key: nil, value: ByteBuffer(string: "value-\(timestamp)"))
        return try builder.buildRecords()
    }

    /// A server on a loopback port whose requests the test answers itself.
    func withServer(_ body: (RequestChannel, Int) async throws -> Void) async throws {
        let requests = RequestChannel(capacity: 4)
        let server = SocketServer(settings: .init(networkThreads: 1), requestChannel: requests, logger: logger)
        let bound = try await server.bind([EndPoint(listenerName: "PLAINTEXT", securityProtocol: .plaintext, host: "127.0.0.1", port: 0)])
        do {
            try await body(requests, Int(bound[0].endpoint.port))
        } catch {
            await server.shutdown(bound.map(\.channel))
            throw error
        }
        await server.shutdown(bound.map(\.channel))
    }

    /// Sends an ApiVersions v0 header with `correlationId`, takes the request off the channel and
    /// answers it with the correlation id followed by `slice`, sent as a file part.
    func answer(_ client: WireClient, _ requests: RequestChannel, correlationId: Int32, with slice: FileSlice) async throws {
        let id = UInt32(bitPattern: correlationId)
        try client.sendFrame([0, 18, 0, 0, UInt8(id >> 24), UInt8((id >> 16) & 0xFF), UInt8((id >> 8) & 0xFF), UInt8(id & 0xFF), 0xFF, 0xFF])
        let request = try #require(await requests.receive())
        #expect(request.header.correlationId == correlationId)
        var prefix = ByteBuffer()
        prefix.writeInteger(Int32(4 + slice.size))
        prefix.writeInteger(correlationId)
        request.complete(.sendParts([.bytes(prefix), .file(slice)]))
    }

    func frame(_ correlationId: Int32, _ bytes: ByteBuffer) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeInteger(correlationId)
        buffer.writeImmutableBuffer(bytes)
        return Array(buffer.readableBytesView)
    }

    @Test func aSliceOfARemovedAndReRolledSegmentSendsTheBytesItWasReadFrom() async throws {
        let log = try openLog()
        for _ in 0..<4 { try log.appendAsLeader(try makeBatch(timestamp: 1_000), leaderEpoch: 0) }
        #expect(log.segmentBaseOffsets == [0, 2])
        let pending = try log.read(startOffset: 0, maxLength: 1 << 20).records
        let expected = try pending.read()
        #expect(MemoryRecords(expected).batches.map(\.baseOffset) == [0, 1])

        // Retention-style removal of every segment, and a new 00000000000000000000.log with
        // other records of the same size under the old name.
        try log.truncateFullyAndStartAt(0)
        for offset in Int64(0)..<2 {
            try log.appendAsFollower(try makeBatch(baseOffset: offset, timestamp: 9_000, leaderEpoch: 1))
        }
        let current = try log.read(startOffset: 0, maxLength: 1 << 20).records
        #expect(current.path == pending.path && current.size == pending.size)
        let dir = root.appendingPathComponent("orders-0").path
        try await waitUntil("the .deleted files are removed", timeout: .seconds(10), every: .milliseconds(10)) {
            try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.hasSuffix(".deleted") }
        }

        try await withServer { requests, port in
            let client = try WireClient(port: port)
            try await answer(client, requests, correlationId: 7, with: pending)
            #expect(try client.readFrame() == frame(7, expected), "the bytes read before the segment went")
            try await answer(client, requests, correlationId: 8, with: current)
            let now = try client.readFrame()
            #expect(now == frame(8, try current.read()) && now != frame(8, expected), "the new segment's own bytes")
        }
    }

    @Test func aSlowConsumersSliceOfASegmentRetentionRemovedSendsItsBytes() async throws {
        let log = try openLog(retentionMs: 3_600_000)
        for _ in 0..<6 { try log.appendAsLeader(try makeBatch(timestamp: 1_000), leaderEpoch: 0) }
        #expect(log.segmentBaseOffsets == [0, 2, 4])
        let pending = try log.read(startOffset: 0, maxLength: 1 << 20).records
        let expected = try pending.read()

        #expect(try log.deleteOldSegments() == 2, "records from 1970 are past retention.ms")
        let dir = root.appendingPathComponent("orders-0").path
        try await waitUntil("the deleted segments' files are removed", timeout: .seconds(10), every: .milliseconds(10)) {
            try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.hasPrefix("00000000000000000000") }
        }

        try await withServer { requests, port in
            let client = try WireClient(port: port)
            try await answer(client, requests, correlationId: 7, with: pending)
            #expect(try client.readFrame() == frame(7, expected))
        }
    }

    @Test func aSliceTruncatedUnderItClosesTheConnection() async throws {
        let log = try openLog()
        for _ in 0..<2 { try log.appendAsLeader(try makeBatch(timestamp: 1_000), leaderEpoch: 0) }
        let pending = try log.read(startOffset: 0, maxLength: 1 << 20).records
        try log.truncateTo(1)
        try log.appendAsLeader(try makeBatch(timestamp: 9_000), leaderEpoch: 1)
        #expect(!pending.isIntact)

        try await withServer { requests, port in
            let client = try WireClient(port: port)
            try await answer(client, requests, correlationId: 7, with: pending)
            #expect(client.waitForClose(), "closed rather than sending bytes that were rewritten")
        }
    }
}
