import KafkaProtocol
import NIOCore
import Testing

@Suite struct FetchSpliceTests {
    /// Sending the spliced response with the records inserted at the returned positions gives
    /// the bytes of the plain encoding, at every version.
    @Test(arguments: Array(Int16(0)...11))
    func splicedBytesEqualThePlainEncoding(_ version: Int16) {
        // A topic with no partitions in the middle: its sizes list is empty and must be skipped.
        let records: [[ByteBuffer]] = [
            [ByteBuffer(bytes: Array(repeating: 7, count: 40)), ByteBuffer()],
            [],
            [ByteBuffer(bytes: [1, 2, 3])],
        ]
        let response = Fetch.Response(throttleTimeMs: 3, sessionId: 0, responses: [
            .init(topic: "a", partitions: [
                .init(partitionIndex: 0, highWatermark: 10, lastStableOffset: 10, logStartOffset: 0,
                      abortedTransactions: version >= 4 ? [] : nil, records: records[0][0]),
                .init(partitionIndex: 1, errorCode: .offsetOutOfRange, highWatermark: 5, records: records[0][1]),
            ]),
            .init(topic: "none", partitions: []),
            .init(topic: "b", partitions: [.init(partitionIndex: 2, highWatermark: 1, records: records[2][0])]),
        ])
        var plain = ByteBuffer()
        response.write(into: &plain, version: version)
        var spliced = ByteBuffer()
        let positions = response.writeSplicingRecords(into: &spliced, version: version,
                                                      recordSizes: records.map { $0.map(\.readableBytes) })
        var assembled: [UInt8] = []
        var start = 0
        for (position, bytes) in zip(positions, records.flatMap { $0 }) {
            assembled += spliced.getBytes(at: start, length: position - start)!
            assembled += Array(bytes.readableBytesView)
            start = position
        }
        assembled += spliced.getBytes(at: start, length: spliced.writerIndex - start)!
        #expect(assembled == Array(plain.readableBytesView))
    }
}
