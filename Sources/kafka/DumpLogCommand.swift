import ArgumentParser
import Foundation
import KafkaRecords
import KafkaStorage

/// `kafka dump-log`: Kafka's `kafka-dump-log.sh` (`DumpLogSegments`) for `.log`, `.index`,
/// `.timeindex`, `.txnindex` and `.snapshot` files. `--deep-iteration` prints every record of every batch, `--print-data-log`
/// also their keys and payloads (and implies it), as Kafka 2.3 does; offsets print as stored, so
/// a cleaned segment shows its gaps. The indexes are checked against their segment, and what does
/// not match is printed to standard error once all files are dumped (`DumpLogSegmentsErrors`). `--offsets-decoder` prints `__consumer_offsets` records decoded
/// (``OffsetsMessageParser``), `--transaction-log-decoder` `__transaction_state` records
/// (``TransactionLogMessageParser``); a control record prints its transaction marker. Reads only: an index is opened through a private copy, because
/// `OffsetIndex`/`TimeIndex` map their file read-write and would resize an empty one.
struct DumpLogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump-log",
        abstract: "Print the contents of log segment and index files."
    )

    @Option(help: "REQUIRED: The comma separated list of data and index log files to be dumped.")
    var files: String

    @Flag(name: .customLong("print-data-log"), help: "Print the records (keys and payloads) of each batch (implies --deep-iteration).")
    var printDataLog = false

    @Flag(name: .customLong("deep-iteration"), help: "Print every record of each batch, without keys and payloads.")
    var deepIteration = false

    @Flag(name: .customLong("offsets-decoder"), help: "Decode the records as __consumer_offsets offset commits and group metadata (implies --print-data-log).")
    var offsetsDecoder = false

    @Flag(name: .customLong("transaction-log-decoder"), help: "Decode the records as __transaction_state transaction metadata (implies --print-data-log).")
    var transactionLogDecoder = false

    var paths: [String] { files.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("Missing required argument \"[files]\"") }
    }

    func run() async throws {
        var failed = false
        var errors = DumpLogSegmentsErrors()
        for path in paths {
            print("Dumping \(path)")
            do {
                let text: String
                switch URL(fileURLWithPath: path).pathExtension {
                case "log":
                    text = try Self.dumpLog(
                        path: path, printDataLog: printDataLog || offsetsDecoder || transactionLogDecoder, deepIteration: deepIteration,
                        offsetsDecoder: offsetsDecoder, transactionLogDecoder: transactionLogDecoder)
                case "index": text = try Self.dumpOffsetIndex(path: path, errors: &errors)
                case "timeindex": text = try Self.dumpTimeIndex(path: path, errors: &errors)
                case "snapshot": text = try Self.dumpProducerSnapshot(path: path)
                case "txnindex": text = try Self.dumpTransactionIndex(path: path)
                default:
                    printError("Ignoring unknown file \(path)")
                    continue
                }
                print(text, terminator: "")
            } catch {
                printError("Could not dump \(path): \(error)")
                failed = true
            }
        }
        for line in errors.lines { printError(line) }
        if failed { throw ExitCode.failure }
    }

    /// The segment's base offset: its file name (twenty digits).
    static func baseOffset(of path: String) throws -> Int64 {
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        guard let offset = Int64(name) else { throw CLIError("\(path) is not named <baseOffset>.<extension>") }
        return offset
    }

    /// The text Kafka 2.3 prints for the segment at `path`: a line per batch, and with
    /// `deepIteration` or `printDataLog` a line per record; with `printDataLog` the record lines
    /// end in the key and payload as text (neither for a record without a value: Kafka's
    /// default parser prints nothing of a tombstone). With `offsetsDecoder` the keys and payloads
    /// are decoded as `__consumer_offsets` records; a record that does not decode prints its
    /// error in place of them and the dump goes on.
    static func dumpLog(
        path: String, printDataLog: Bool, deepIteration: Bool = false, offsetsDecoder: Bool = false, transactionLogDecoder: Bool = false
    ) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var text = "Starting offset: \(try baseOffset(of: path))\n"
        var iterator = MemoryRecords(ByteBuffer(bytes: data)).batches
        while let batch = iterator.next() {
            let codec = batch.compressionType.map { $0.name.uppercased() } ?? "UNKNOWN(\(batch.compressionId))"
            text += "baseOffset: \(batch.baseOffset) lastOffset: \(batch.lastOffset) count: \(batch.recordCount)"
            text += " baseSequence: \(batch.baseSequence) lastSequence: \(batch.lastSequence) producerId: \(batch.producerId)"
            text += " producerEpoch: \(batch.producerEpoch) partitionLeaderEpoch: \(batch.partitionLeaderEpoch)"
            text += " isTransactional: \(batch.isTransactional) isControl: \(batch.isControlBatch)"
            text += " position: \(batch.position) \(batch.timestampType): \(batch.maxTimestamp) size: \(batch.sizeInBytes)"
            text += " magic: \(batch.magic) compresscodec: \(codec) crc: \(batch.storedChecksum) isvalid: \(batch.isChecksumValid)\n"
            guard printDataLog || deepIteration else { continue }
            var records = try batch.records()
            while let record = try records.next() {
                let sequence = batch.baseSequence < 0 ? -1 : batch.baseSequence &+ record.offsetDelta
                text += "| offset: \(record.offset) \(batch.timestampType): \(record.timestamp)"
                text += " keysize: \(record.key?.readableBytes ?? -1) valuesize: \(record.value?.readableBytes ?? -1)"
                text += " sequence: \(sequence) headerKeys: [\(record.headers.map(\.key).joined(separator: ","))]"
                if batch.isControlBatch {
                    text += controlRecordText(key: record.key, value: record.value)
                } else if !printDataLog {
                    // --deep-iteration alone: offsets, sizes and headers only.
                } else if offsetsDecoder {
                    do {
                        let (key, payload) = try OffsetsMessageParser.parse(key: record.key, value: record.value)
                        if let key { text += " key: \(key)" }
                        if let payload { text += " payload: \(payload)" }
                    } catch {
                        text += " offsetsDecoderError: \(error)"
                    }
                } else if transactionLogDecoder {
                    do {
                        let (key, payload) = try TransactionLogMessageParser.parse(key: record.key, value: record.value)
                        if let key { text += " key: \(key)" }
                        if let payload { text += " payload: \(payload)" }
                    } catch {
                        text += " transactionLogDecoderError: \(error)"
                    }
                } else if let value = record.value {
                    if let key = record.key { text += " key: \(MessageFormatter.text(key))" }
                    text += " payload: \(MessageFormatter.text(value))"
                }
                text += "\n"
            }
        }
        switch iterator.end {
        case .partialBatch(let position, _, let available):
            text += "Found \(available) invalid bytes at the end of \(URL(fileURLWithPath: path).lastPathComponent) (from position \(position))\n"
        case .corrupt(let position, let error):
            text += "Found a corrupt entry at position \(position) of \(path): \(error)\n"
        case .legacyFormat(let position, let magic):
            text += "Found a magic \(magic) message set at position \(position), which this tool does not print\n"
        case .complete, nil:
            break
        }
        return text
    }

    /// A control record as Kafka 2.3 prints it: ` endTxnMarker: COMMIT coordinatorEpoch: 0` for a
    /// transaction marker (key: int16 version, int16 type 0 = ABORT, 1 = COMMIT; value: int16
    /// version, int32 coordinator epoch), ` controlType: UNKNOWN(<type>)` for another type.
    static func controlRecordText(key: ByteBuffer?, value: ByteBuffer?) -> String {
        guard let type = try? ControlRecordType(key: key) else { return " controlType: UNKNOWN(-1)" }
        guard type == .abort || type == .commit else { return " controlType: UNKNOWN(\(type.rawValue))" }
        var value = value ?? ByteBuffer()
        guard value.readInteger(as: Int16.self) != nil, let epoch = value.readInteger(as: Int32.self) else {
            return " endTxnMarker: invalid value (\(value.readableBytes) bytes)"
        }
        return " endTxnMarker: \(type == .abort ? "ABORT" : "COMMIT") coordinatorEpoch: \(epoch)"
    }

    static func dumpOffsetIndex(path: String) throws -> String {
        var errors = DumpLogSegmentsErrors()
        return try dumpOffsetIndex(path: path, errors: &errors)
    }

    /// The entries of the offset index at `path`; each is checked against the segment's `.log`
    /// beside it, when there is one (the first batch at the entry's position must end at the
    /// entry's offset), and a mismatch is recorded in `errors`.
    static func dumpOffsetIndex(path: String, errors: inout DumpLogSegmentsErrors) throws -> String {
        let segment = try SegmentFiles(indexPath: path)
        return try withIndexCopy(of: path) { copy, size in
            let index = try OffsetIndex(path: copy, baseOffset: segment.baseOffset, maxIndexSize: size)
            return (0..<index.entries).map { entry in
                let (offset, position) = index.entry(entry)
                if let log = segment.log, let found = Self.firstBatch(in: log, from: Int(position))?.lastOffset, found != offset {
                    errors.recordIndexMismatch(segment.absolutePath, indexOffset: offset, logOffset: found)
                }
                return "offset: \(offset) position: \(position)\n"
            }.joined()
        }
    }

    static func dumpTimeIndex(path: String) throws -> String {
        var errors = DumpLogSegmentsErrors()
        return try dumpTimeIndex(path: path, errors: &errors)
    }

    /// The entries of the time index at `path`, each checked as Kafka 2.3 checks it when the
    /// segment's `.log` is beside it (`checkTimeIndexEntry`).
    static func dumpTimeIndex(path: String, errors: inout DumpLogSegmentsErrors) throws -> String {
        let segment = try SegmentFiles(indexPath: path)
        var previousTimestamp = TimeIndex.noTimestamp
        return try withIndexCopy(of: path) { copy, size in
            let index = try TimeIndex(path: copy, baseOffset: segment.baseOffset, maxIndexSize: size)
            return try (0..<index.entries).map { entry in
                let (timestamp, offset) = index.entry(entry)
                if let log = segment.log {
                    try checkTimeIndexEntry(timestamp: timestamp, offset: offset, previousTimestamp: previousTimestamp,
                                            log: log, offsetIndexPath: segment.offsetIndexPath, errors: &errors, path: segment.absolutePath)
                }
                previousTimestamp = timestamp
                return "timestamp: \(timestamp) offset: \(offset)\n"
            }.joined()
        }
    }

    /// Runs `body` on a temporary copy of the index at `path` (nothing for an empty file).
    static func withIndexCopy(of path: String, _ body: (String, Int) throws -> String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard !data.isEmpty else { return "" }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-dump-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent)
        try data.write(to: copy)
        return try body(copy.path, data.count)
    }
}
