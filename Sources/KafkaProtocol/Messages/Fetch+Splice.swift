import NIOCore

extension Fetch.Response {
    /// Writes the response with each partition's records left for the caller to send from
    /// elsewhere (a segment file, with sendfile): every partition's `records` field is written as
    /// its int32 size `recordSizes[topic][partition]` and nothing more, and the writer index where
    /// its bytes belong is returned, in order. Sending the written bytes with each partition's
    /// records inserted at its position gives exactly the bytes `write(into:version:)` would
    /// produce with those records in the response (Fetch v0–11 are not flexible).
    public func writeSplicingRecords(into buffer: inout ByteBuffer, version: Int16, recordSizes: [[Int]]) -> [Int] {
        var positions: [Int] = []
        if version >= 1 { buffer.writeInt32(throttleTimeMs) }
        if version >= 7 {
            buffer.writeErrorCode(errorCode)
            buffer.writeInt32(sessionId)
        }
        buffer.writeInt32(Int32(responses.count))
        for (topicIndex, topic) in responses.enumerated() {
            buffer.writeKafkaString(topic.topic)
            buffer.writeInt32(Int32(topic.partitions.count))
            for (partitionIndex, partition) in topic.partitions.enumerated() {
                partition.writeFieldsBeforeRecords(into: &buffer, version: version)
                buffer.writeInt32(Int32(recordSizes[topicIndex][partitionIndex]))
                positions.append(buffer.writerIndex)
            }
        }
        return positions
    }
}
