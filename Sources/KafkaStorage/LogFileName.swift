/// The names of a log's files (Kafka's `Log.filenamePrefixFromOffset` and friends).
///
/// A segment's files share the segment's base offset as a 20-digit, zero-padded decimal prefix
/// (the width of the largest int64), so that listing a directory sorts them by offset:
///
///     00000000000000368769.log        the record batches
///     00000000000000368769.index      the offset index
///     00000000000000368769.timeindex  the time index
///     00000000000000368769.txnindex   the aborted transactions (once there is one)
///
/// Suffixes appended during a file's life: `.deleted` (waiting for `file.delete.delay.ms`),
/// `.cleaned` and `.swap` (log cleaner work in progress). A partition's directory is
/// `<topic>-<partition>`.
public enum LogFileName {
    public static let logSuffix = ".log"
    public static let indexSuffix = ".index"
    public static let timeIndexSuffix = ".timeindex"
    public static let txnIndexSuffix = ".txnindex"
    public static let deletedSuffix = ".deleted"
    public static let cleanedSuffix = ".cleaned"
    public static let swapSuffix = ".swap"

    /// `offset` as 20 zero-padded decimal digits.
    public static func filenamePrefix(_ offset: Int64) -> String {
        // Invariant, not input: segments are created at offsets checked non-negative
        // (`Log.truncateFullyAndStartAt`, rolls at a log end offset) or parsed from file names.
        precondition(offset >= 0, "negative base offset \(offset)")
        let digits = String(offset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    public static func logFile(_ directory: String, _ offset: Int64, suffix: String = "") -> String {
        "\(directory)/\(filenamePrefix(offset))\(logSuffix)\(suffix)"
    }

    public static func indexFile(_ directory: String, _ offset: Int64, suffix: String = "") -> String {
        "\(directory)/\(filenamePrefix(offset))\(indexSuffix)\(suffix)"
    }

    public static func timeIndexFile(_ directory: String, _ offset: Int64, suffix: String = "") -> String {
        "\(directory)/\(filenamePrefix(offset))\(timeIndexSuffix)\(suffix)"
    }

    public static func txnIndexFile(_ directory: String, _ offset: Int64, suffix: String = "") -> String {
        "\(directory)/\(filenamePrefix(offset))\(txnIndexSuffix)\(suffix)"
    }

    /// The base offset a segment file's name starts with (`00000000000000000042.log` → 42), or
    /// nil when the name does not start with 20 digits and a dot.
    public static func offset(fromFileName name: String) -> Int64? {
        let fileName = name.split(separator: "/").last.map(String.init) ?? name
        let utf8 = Array(fileName.utf8)
        guard utf8.count > 20, utf8[20] == UInt8(ascii: "."),
              utf8[0..<20].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int64(String(decoding: utf8[0..<20], as: UTF8.self))
    }

    /// The topic and partition of a log directory named `<topic>-<partition>` (the topic may
    /// contain dashes: the partition is after the last one). Nil for any other name, including
    /// names with Kafka's `.deleted`-style or future suffixes and topics with illegal characters.
    public static func topicPartition(fromDirectoryName name: String) -> (topic: String, partition: Int32)? {
        let directoryName = name.split(separator: "/").last.map(String.init) ?? name
        guard let dash = directoryName.lastIndex(of: "-") else { return nil }
        let topic = String(directoryName[..<dash])
        let partitionText = directoryName[directoryName.index(after: dash)...]
        guard !topic.isEmpty, topic.count <= 249, topic != ".", topic != "..",
              topic.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }),
              !partitionText.isEmpty, partitionText.allSatisfy(\.isNumber),
              let partition = Int32(partitionText), partition >= 0
        else { return nil }
        return (topic, partition)
    }
}
