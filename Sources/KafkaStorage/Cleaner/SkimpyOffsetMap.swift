import Glibc
import NIOCore

/// The log cleaner's map from record key to the offset of the key's latest record in the dirty
/// section (Kafka's `SkimpyOffsetMap`). "Skimpy" because it stores no keys: only a 16-byte MD5
/// of each key and an 8-byte offset, in one flat byte array sized from a memory budget.
///
/// Layout: `slots = memory / (16 + 8)` entries of `hash[16] offset[8]`, open addressing. The
/// probe sequence for a hash starts at the int32 read big-endian from hash bytes 0–3, then from
/// bytes 1–4, … up to bytes 12–15, and after that steps one slot at a time
/// (`int32(hash, min(attempt, 12)) + max(0, attempt − 12)`, made non-negative as Kafka's
/// `Utils.abs` does, modulo `slots`). An all-zero slot (hash and offset) is empty.
///
/// Invariants: `size` counts distinct key hashes, never above `slots`; `put` on a key already
/// present overwrites its offset (the cleaner scans offsets in increasing order, so the last
/// write is the latest) and does not change `size`; `latestOffset` is the offset of the last
/// `put` or `updateLatestOffset` (−1 after `clear`). Two keys with the same MD5 share an entry;
/// Kafka accepts that risk and so does this map.
///
/// The cleaner fills it only to `log.cleaner.io.buffer.load.factor` of `slots` (see
/// `maxDesiredSize(loadFactor:)`): open addressing slows down as it fills.
public struct SkimpyOffsetMap: Sendable {
    public static let hashSize = MD5.digestSize
    public static let bytesPerEntry = hashSize + 8

    private var bytes: [UInt8]
    /// The number of entries the memory holds.
    public let slots: Int
    /// The number of distinct keys stored.
    public private(set) var size = 0
    /// The offset of the last record put (or `updateLatestOffset`), −1 when empty.
    public private(set) var latestOffset: Int64 = -1
    /// Lookups (puts and gets) and the slots they probed since `clear`, for the cleaner's stats.
    public private(set) var lookups = 0
    public private(set) var probes = 0

    /// A map over `memory` bytes (Kafka divides `log.cleaner.dedupe.buffer.size` by the number
    /// of cleaner threads). At least one slot.
    public init(memory: Int) {
        slots = max(1, memory / Self.bytesPerEntry)
        bytes = [UInt8](repeating: 0, count: slots * Self.bytesPerEntry)
    }

    /// The fraction of slots in use.
    public var utilization: Double { Double(size) / Double(slots) }

    /// How many keys the cleaner lets in before it calls the map full: `slots × loadFactor`
    /// truncated (Kafka's `maxDesiredMapSize`).
    public func maxDesiredSize(loadFactor: Double) -> Int { Int(Double(slots) * loadFactor) }

    /// Empties the map (every byte zeroed).
    public mutating func clear() {
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { memset(base, 0, raw.count) }
        }
        size = 0
        latestOffset = -1
        lookups = 0
        probes = 0
    }

    /// Records `offset` as the latest offset of `key`, overwriting the offset a key already had.
    /// Throws when every slot is taken, even for a key already present (as Kafka's `require`
    /// does; the cleaner stops at its load factor long before).
    public mutating func put(key: ByteBuffer, offset: Int64) throws(OffsetMapError) {
        guard size < slots else { throw .full(slots: slots) }
        let hash = Self.hash(key)
        lookups += 1
        var attempt = 0
        var position = positionOf(hash, attempt: attempt)
        while !isEmpty(position) {
            if matches(hash, at: position) {
                writeOffset(offset, at: position + Self.hashSize)
                latestOffset = offset
                return
            }
            attempt += 1
            guard attempt < slots + Self.hashSize else { break }
            position = positionOf(hash, attempt: attempt)
        }
        guard isEmpty(position) else { throw .full(slots: slots) }
        for index in 0..<Self.hashSize { bytes[position + index] = hash[index] }
        writeOffset(offset, at: position + Self.hashSize)
        latestOffset = offset
        size += 1
    }

    /// The latest offset recorded for `key`, or −1 when the key is not in the map.
    public mutating func get(key: ByteBuffer) -> Int64 {
        let hash = Self.hash(key)
        lookups += 1
        var attempt = 0
        var position = positionOf(hash, attempt: attempt)
        while !isEmpty(position) {
            if matches(hash, at: position) { return readOffset(at: position + Self.hashSize) }
            attempt += 1
            guard attempt < slots + Self.hashSize else { return -1 }
            position = positionOf(hash, attempt: attempt)
        }
        return -1
    }

    /// Moves `latestOffset` (the cleaner does so for every batch it read, records with keys or
    /// not, so that the cleaned range ends after the batch).
    public mutating func updateLatestOffset(_ offset: Int64) { latestOffset = offset }

    // MARK: Hashing and probing

    static func hash(_ key: ByteBuffer) -> [UInt8] {
        key.withUnsafeReadableBytes { MD5.digest($0) }
    }

    /// The byte position of the slot probed at `attempt` for `hash`.
    mutating func positionOf(_ hash: [UInt8], attempt: Int) -> Int {
        probes += 1
        return Self.slot(hash, attempt: attempt, slots: slots) * Self.bytesPerEntry
    }

    /// Kafka's probe: the int32 at hash byte `min(attempt, 12)` plus the attempts beyond 12,
    /// with Int32.min mapped to 0 and other negatives negated, modulo `slots`.
    static func slot(_ hash: [UInt8], attempt: Int, slots: Int) -> Int {
        let start = min(attempt, hashSize - 4)
        let word = Int32(bitPattern: UInt32(hash[start]) << 24 | UInt32(hash[start + 1]) << 16
            | UInt32(hash[start + 2]) << 8 | UInt32(hash[start + 3]))
        let probe = word &+ Int32(truncatingIfNeeded: max(0, attempt - hashSize + 4))
        let positive = probe == Int32.min ? 0 : abs(probe)
        return Int(positive) % slots
    }

    private func isEmpty(_ position: Int) -> Bool {
        for index in position..<(position + Self.bytesPerEntry) where bytes[index] != 0 { return false }
        return true
    }

    private func matches(_ hash: [UInt8], at position: Int) -> Bool {
        for index in 0..<Self.hashSize where bytes[position + index] != hash[index] { return false }
        return true
    }

    private mutating func writeOffset(_ offset: Int64, at position: Int) {
        let value = UInt64(bitPattern: offset)
        for index in 0..<8 { bytes[position + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(7 - index))) }
    }

    private func readOffset(at position: Int) -> Int64 {
        var value: UInt64 = 0
        for index in 0..<8 { value = value << 8 | UInt64(bytes[position + index]) }
        return Int64(bitPattern: value)
    }
}

public enum OffsetMapError: Error, Equatable, Sendable {
    /// A new key did not fit: every slot holds another key.
    case full(slots: Int)
}
