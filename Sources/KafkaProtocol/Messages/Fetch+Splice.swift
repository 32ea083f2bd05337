import NIOCore

extension Fetch.Response {
    /// Writes the response with each partition's records left for the caller to send from
    /// elsewhere (a segment file, with sendfile): every partition's `records` field is written as
    /// its int32 size `recordSizes[topic][partition]` and nothing more, and the writer index where
    /// its bytes belong is returned, in order. Sending the written bytes with each partition's
    /// records inserted at its position gives exactly the bytes `write(into:version:)` would
    /// produce with those records in the response (Fetch v0–11 are not flexible, so a records
    /// field is always an int32 size and the bytes).
    ///
    /// The layout is the generated codec's: this only plugs into its `records` hook, which calls
    /// back once per partition in write order (topics, then their partitions). `recordSizes` must
    /// have the shape of `responses`; the partitions' own `records` values are not looked at.
    public func writeSplicingRecords(into buffer: inout ByteBuffer, version: Int16, recordSizes: [[Int]]) -> [Int] {
        var positions: [Int] = []
        positions.reserveCapacity(recordSizes.reduce(0) { $0 + $1.count })
        var topic = 0
        var partition = 0
        write(into: &buffer, version: version) { buffer, _ in
            while partition == recordSizes[topic].count {
                topic += 1
                partition = 0
            }
            buffer.writeInt32(Int32(recordSizes[topic][partition]))
            positions.append(buffer.writerIndex)
            partition += 1
        }
        return positions
    }
}
