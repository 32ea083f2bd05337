import Foundation
import KafkaRecords

/// The producer state snapshot of a partition, `<offset>.snapshot` in the log directory (Kafka
/// 2.3's snapshot file of `ProducerStateManager`): the state of every producer known at the log
/// offset in the file name, so that a restart replays the log only from there.
///
/// On-disk format (version 1, big-endian):
///
///     version             int16   always 1
///     crc                 uint32  CRC-32C of every byte after this field (from byte 6 to the end)
///     producer_entries    int32 count, then per entry (46 bytes):
///       producer_id               int64
///       epoch                     int16
///       last_sequence             int32   sequence of the last record of the producer's last batch
///       last_offset               int64   offset of that record
///       offset_delta              int32   last offset minus the batch's base offset
///       timestamp                 int64   max timestamp of that batch
///       coordinator_epoch         int32   epoch of the coordinator that wrote its last marker, -1 none
///       current_txn_first_offset  int64   first offset of its open transaction, -1 none
///
/// Entries keep the order of the file (Kafka writes them in its hash map's order).
///
/// Invariant: `encoded` of a decoded file is the file, byte for byte.
///
/// A snapshot that does not decode (unknown version, CRC mismatch, too short) is
/// `StorageError.corrupt` naming the file. Kafka 2.3 then logs "Failed to load producer snapshot
/// from '<file>': <reason>", deletes the file and rebuilds the state from the log, starting at the
/// next older snapshot (or the log start): a snapshot is a cache of the log, never the only copy.
public struct ProducerStateSnapshot: Sendable, Equatable {
    /// The only snapshot version Kafka 2.3 writes and reads.
    public static let currentVersion: Int16 = 1
    /// The file suffix, after the 20-digit offset.
    public static let suffix = ".snapshot"
    static let crcOffset = 2
    static let entriesOffset = 6
    static let entrySize = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8

    /// One producer's state, as Kafka's snapshot entry holds it.
    public struct Entry: Sendable, Equatable {
        public var producerId: Int64
        public var producerEpoch: Int16
        public var lastSequence: Int32
        public var lastOffset: Int64
        public var offsetDelta: Int32
        public var timestamp: Int64
        public var coordinatorEpoch: Int32
        /// nil when the producer has no open transaction (-1 on disk).
        public var currentTxnFirstOffset: Int64?

        public init(
            producerId: Int64, producerEpoch: Int16, lastSequence: Int32, lastOffset: Int64, offsetDelta: Int32,
            timestamp: Int64, coordinatorEpoch: Int32, currentTxnFirstOffset: Int64?
        ) {
            self.producerId = producerId
            self.producerEpoch = producerEpoch
            self.lastSequence = lastSequence
            self.lastOffset = lastOffset
            self.offsetDelta = offsetDelta
            self.timestamp = timestamp
            self.coordinatorEpoch = coordinatorEpoch
            self.currentTxnFirstOffset = currentTxnFirstOffset
        }

        /// The sequence of the first record of the last batch (Kafka derives it the same way).
        public var firstSequence: Int32 { lastSequence &- offsetDelta }
        /// The offset of the first record of the last batch.
        public var firstOffset: Int64 { lastOffset - Int64(offsetDelta) }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    // MARK: - File names

    /// `<dir>/<20-digit offset>.snapshot`.
    public static func path(directory: String, offset: Int64) -> String {
        directory + "/" + String(format: "%020lld", offset) + suffix
    }

    /// The offset in a snapshot file's name, or nil when the name is not `<digits>.snapshot`.
    public static func offset(fileName: String) -> Int64? {
        guard fileName.hasSuffix(suffix) else { return nil }
        let digits = fileName.dropLast(suffix.count)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int64(digits)
    }

    // MARK: - Encoding

    /// The file's bytes: version, CRC, entries.
    public var encoded: [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(4 + entries.count * Self.entrySize)
        Self.append(Int32(entries.count), to: &body)
        for entry in entries {
            Self.append(entry.producerId, to: &body)
            Self.append(entry.producerEpoch, to: &body)
            Self.append(entry.lastSequence, to: &body)
            Self.append(entry.lastOffset, to: &body)
            Self.append(entry.offsetDelta, to: &body)
            Self.append(entry.timestamp, to: &body)
            Self.append(entry.coordinatorEpoch, to: &body)
            Self.append(entry.currentTxnFirstOffset ?? -1, to: &body)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.entriesOffset + body.count)
        Self.append(Self.currentVersion, to: &bytes)
        Self.append(body.withUnsafeBytes { CRC32C.checksum($0) }, to: &bytes)
        bytes += body
        return bytes
    }

    /// Decodes a snapshot file's bytes; `path` names the file in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(StorageError) -> ProducerStateSnapshot {
        func corrupt(_ message: String) -> StorageError { .corrupt(path: path, message: message) }
        guard bytes.count >= entriesOffset + 4 else {
            throw corrupt("producer snapshot is \(bytes.count) bytes, shorter than its header (10 bytes)")
        }
        var reader = Reader(bytes: bytes)
        let version: Int16 = reader.read()
        guard version == currentVersion else { throw corrupt("Snapshot contained an unknown file version \(version)") }
        let stored: UInt32 = reader.read()
        let computed = bytes[entriesOffset...].withUnsafeBytes { CRC32C.checksum($0) }
        guard stored == computed else {
            throw corrupt("Snapshot is corrupt (CRC is no longer valid). Stored crc: \(stored). Computed crc: \(computed)")
        }
        let count: Int32 = reader.read()
        guard count >= 0, bytes.count - reader.position == Int(count) * entrySize else {
            throw corrupt("Snapshot failed schema validation: \(count) entries need \(Int(count) * entrySize) bytes, the file has \(bytes.count - reader.position)")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(Int(count))
        for _ in 0..<count {
            let producerId: Int64 = reader.read()
            let epoch: Int16 = reader.read()
            let lastSequence: Int32 = reader.read()
            let lastOffset: Int64 = reader.read()
            let offsetDelta: Int32 = reader.read()
            let timestamp: Int64 = reader.read()
            let coordinatorEpoch: Int32 = reader.read()
            let txnFirstOffset: Int64 = reader.read()
            entries.append(Entry(
                producerId: producerId, producerEpoch: epoch, lastSequence: lastSequence, lastOffset: lastOffset,
                offsetDelta: offsetDelta, timestamp: timestamp, coordinatorEpoch: coordinatorEpoch,
                currentTxnFirstOffset: txnFirstOffset >= 0 ? txnFirstOffset : nil))
        }
        return ProducerStateSnapshot(entries: entries)
    }

    // MARK: - Files

    /// Reads and decodes the snapshot at `path`.
    public static func read(path: String) throws(StorageError) -> ProducerStateSnapshot {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .io(path: path, operation: "read", message: "\(error)")
        }
        return try decode(Array(data), path: path)
    }

    /// Writes the snapshot to `path` (through `<path>.tmp` and a rename, so that a crash leaves
    /// either no file or a whole one).
    public func write(path: String) throws(StorageError) {
        do {
            try Data(encoded).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .io(path: path, operation: "write", message: "\(error)")
        }
    }

    // MARK: - Big-endian fields

    static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    struct Reader {
        let bytes: [UInt8]
        var position = 0

        /// The next field; the caller has checked that the bytes are there.
        mutating func read<T: FixedWidthInteger>() -> T {
            var value: T = 0
            for _ in 0..<MemoryLayout<T>.size {
                value = (value << 8) | T(truncatingIfNeeded: bytes[position])
                position += 1
            }
            return value
        }
    }
}

extension ProducerStateSnapshot.Entry {
    /// The line Kafka 2.3's DumpLogSegments prints for the entry.
    public var dumpLine: String {
        let txn = currentTxnFirstOffset.map { "Some(\($0))" } ?? "None"
        return "producerId: \(producerId) producerEpoch: \(producerEpoch) coordinatorEpoch: \(coordinatorEpoch) "
            + "currentTxnFirstOffset: \(txn) firstSequence: \(firstSequence) lastSequence: \(lastSequence) "
            + "lastOffset: \(lastOffset) offsetDelta: \(offsetDelta) timestamp: \(timestamp)"
    }
}
