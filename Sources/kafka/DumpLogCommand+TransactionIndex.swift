import Foundation
import KafkaStorage
import NIOCore

/// `kafka dump-log` on a transaction index (`<offset>.txnindex`): a line per aborted
/// transaction, in the file's order, as Kafka 2.3's DumpLogSegments prints it. The file is read
/// as bytes, never opened for writing; a partial entry at the end is not printed.
extension DumpLogCommand {
    static func dumpTransactionIndex(path: String) throws -> String {
        var buffer = ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: path)))
        var text = ""
        while buffer.readableBytes >= AbortedTransaction.entrySize {
            // Read field by field (not through `TransactionIndex`) to print the stored version.
            guard let version: Int16 = buffer.readInteger(), let producerId: Int64 = buffer.readInteger(),
                  let firstOffset: Int64 = buffer.readInteger(), let lastOffset: Int64 = buffer.readInteger(),
                  let lastStableOffset: Int64 = buffer.readInteger()
            else { break }
            text += "version: \(version) producerId: \(producerId) firstOffset: \(firstOffset) lastOffset: \(lastOffset)"
            text += " lastStableOffset: \(lastStableOffset)\n"
        }
        return text
    }
}
