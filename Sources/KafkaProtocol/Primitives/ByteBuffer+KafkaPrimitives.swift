import NIOCore

/// The fixed-width and length-prefixed primitive types of the Kafka protocol, over NIO's
/// `ByteBuffer`.
///
/// Wire formats (all integers big-endian, as Kafka's `Type` constants name them):
///
/// | Kafka type | wire | Swift |
/// |---|---|---|
/// | `INT8` / `INT16` / `INT32` / `INT64` | 1 / 2 / 4 / 8 bytes, two's complement | `Int8` … `Int64` |
/// | `BOOLEAN` | one byte; `0` is false, anything else true (written as `1`) | `Bool` |
/// | `STRING` | int16 length `n ≥ 0`, then `n` bytes of UTF-8 | `String` |
/// | `NULLABLE_STRING` | as `STRING`, or length `-1` for null | `String?` |
/// | `BYTES` | int32 length `n ≥ 0`, then `n` bytes | `ByteBuffer` |
/// | `NULLABLE_BYTES` / `RECORDS` | as `BYTES`, or length `-1` for null | `ByteBuffer?` |
/// | `COMPACT_STRING` | unsigned varint `n + 1`, then `n` bytes of UTF-8 | `String` |
/// | `COMPACT_NULLABLE_STRING` | as `COMPACT_STRING`, or `0` for null | `String?` |
/// | `COMPACT_BYTES` | unsigned varint `n + 1`, then `n` bytes | `ByteBuffer` |
/// | `COMPACT_NULLABLE_BYTES` / compact `RECORDS` | as `COMPACT_BYTES`, or `0` for null | `ByteBuffer?` |
/// | `UUID` | 16 bytes | ``Uuid`` |
///
/// Readers throw ``KafkaProtocolError/truncated(_:)`` when the buffer ends inside a field and
/// ``KafkaProtocolError/malformed(_:)`` for a negative length where none is allowed; they never
/// trap on input. The `field` argument names the field in the error. Bytes fields are returned as
/// slices of the input buffer (`readSlice`), so record sets are never copied.
///
/// Names carry a `Kafka` prefix only where NIO already has the plain name with another meaning
/// (`readString(length:)`, `writeString(_:)`, `readBytes(length:)`, `writeBytes(_:)`).
extension ByteBuffer {
    // MARK: Fixed-width integers

    @inlinable
    public mutating func readInt8(_ field: String = "int8") throws(KafkaProtocolError) -> Int8 {
        guard let value = readInteger(as: Int8.self) else { throw .truncated(field) }
        return value
    }

    @inlinable
    public mutating func readInt16(_ field: String = "int16") throws(KafkaProtocolError) -> Int16 {
        guard let value = readInteger(endianness: .big, as: Int16.self) else { throw .truncated(field) }
        return value
    }

    @inlinable
    public mutating func readInt32(_ field: String = "int32") throws(KafkaProtocolError) -> Int32 {
        guard let value = readInteger(endianness: .big, as: Int32.self) else { throw .truncated(field) }
        return value
    }

    @inlinable
    public mutating func readInt64(_ field: String = "int64") throws(KafkaProtocolError) -> Int64 {
        guard let value = readInteger(endianness: .big, as: Int64.self) else { throw .truncated(field) }
        return value
    }

    @inlinable
    public mutating func readUInt32(_ field: String = "uint32") throws(KafkaProtocolError) -> UInt32 {
        guard let value = readInteger(endianness: .big, as: UInt32.self) else { throw .truncated(field) }
        return value
    }

    @inlinable
    public mutating func readUInt16(_ field: String = "uint16") throws(KafkaProtocolError) -> UInt16 {
        guard let value = readInteger(endianness: .big, as: UInt16.self) else { throw .truncated(field) }
        return value
    }

    /// `FLOAT64`: an IEEE 754 double, big-endian.
    @inlinable
    public mutating func readFloat64(_ field: String = "float64") throws(KafkaProtocolError) -> Double {
        guard let bits = readInteger(endianness: .big, as: UInt64.self) else { throw .truncated(field) }
        return Double(bitPattern: bits)
    }

    @inlinable
    public mutating func writeInt8(_ value: Int8) { writeInteger(value) }

    @inlinable
    public mutating func writeUInt16(_ value: UInt16) { writeInteger(value, endianness: .big) }

    @inlinable
    public mutating func writeFloat64(_ value: Double) { writeInteger(value.bitPattern, endianness: .big) }

    @inlinable
    public mutating func writeInt16(_ value: Int16) { writeInteger(value, endianness: .big) }

    @inlinable
    public mutating func writeInt32(_ value: Int32) { writeInteger(value, endianness: .big) }

    @inlinable
    public mutating func writeInt64(_ value: Int64) { writeInteger(value, endianness: .big) }

    @inlinable
    public mutating func writeUInt32(_ value: UInt32) { writeInteger(value, endianness: .big) }

    // MARK: Boolean

    /// `BOOLEAN`: one byte, non-zero is true (Kafka reads it that way too).
    @inlinable
    public mutating func readBoolean(_ field: String = "boolean") throws(KafkaProtocolError) -> Bool {
        guard let byte = readInteger(as: UInt8.self) else { throw .truncated(field) }
        return byte != 0
    }

    @inlinable
    public mutating func writeBoolean(_ value: Bool) { writeInteger(value ? 1 as UInt8 : 0) }

    // MARK: Strings (int16 length)

    /// `STRING`: int16 length, then UTF-8. A negative length is malformed.
    public mutating func readKafkaString(_ field: String = "string") throws(KafkaProtocolError) -> String {
        let length = try readInt16(field)
        guard length >= 0 else { throw .malformed("\(field): string length \(length) is negative") }
        return try readUTF8(length: Int(length), field)
    }

    /// `NULLABLE_STRING`: int16 length, `-1` meaning null; below `-1` is malformed.
    public mutating func readNullableString(_ field: String = "nullable string") throws(KafkaProtocolError) -> String? {
        let length = try readInt16(field)
        if length == -1 { return nil }
        guard length >= 0 else { throw .malformed("\(field): string length \(length) is negative") }
        return try readUTF8(length: Int(length), field)
    }

    /// Writes a `STRING`, which holds at most `Int16.max` (32767) UTF-8 bytes. Every name Kafka
    /// accepts is far shorter, but a broker may echo what it was sent inside a longer text (an
    /// error message quoting a 32000-byte topic name) or relay a value stored elsewhere (a config
    /// value set in ZooKeeper): a longer string is cut at the last whole character that fits,
    /// rather than trapping on one request.
    public mutating func writeKafkaString(_ value: String) {
        let limit = Int(Int16.max)
        guard value.utf8.count > limit else {
            writeInt16(Int16(value.utf8.count))
            writeString(value)
            return
        }
        var end = value.utf8.index(value.utf8.startIndex, offsetBy: limit)
        // Back off to a character boundary (at most 3 continuation bytes).
        while end > value.utf8.startIndex, value.utf8[end] & 0xC0 == 0x80 { end = value.utf8.index(before: end) }
        let prefix = value.utf8[value.utf8.startIndex..<end]
        writeInt16(Int16(prefix.count))
        writeBytes(prefix)
    }

    /// Writes a `NULLABLE_STRING` (`-1` for nil).
    public mutating func writeNullableString(_ value: String?) {
        guard let value else { return writeInt16(-1) }
        writeKafkaString(value)
    }

    // MARK: Compact strings (unsigned varint length + 1)

    /// `COMPACT_STRING`: unsigned varint `length + 1`; `0` (null) is malformed here.
    public mutating func readCompactString(_ field: String = "compact string") throws(KafkaProtocolError) -> String {
        guard let length = try readCompactLength(field) else {
            throw .malformed("\(field): null where a non-nullable compact string is required")
        }
        return try readUTF8(length: length, field)
    }

    /// `COMPACT_NULLABLE_STRING`: unsigned varint `length + 1`, `0` meaning null.
    public mutating func readCompactNullableString(_ field: String = "compact nullable string") throws(KafkaProtocolError) -> String? {
        guard let length = try readCompactLength(field) else { return nil }
        return try readUTF8(length: length, field)
    }

    public mutating func writeCompactString(_ value: String) {
        writeCompactLength(value.utf8.count)
        writeString(value)
    }

    public mutating func writeCompactNullableString(_ value: String?) {
        guard let value else { return writeUnsignedVarint(0) }
        writeCompactString(value)
    }

    // MARK: Bytes (int32 length)

    /// `BYTES`: int32 length, then that many bytes, returned as a slice of this buffer.
    public mutating func readKafkaBytes(_ field: String = "bytes") throws(KafkaProtocolError) -> ByteBuffer {
        let length = try readInt32(field)
        guard length >= 0 else { throw .malformed("\(field): bytes length \(length) is negative") }
        return try readSliceOrThrow(length: Int(length), field)
    }

    /// `NULLABLE_BYTES` (and `RECORDS` in non-flexible versions): `-1` is null. The slice shares
    /// storage with this buffer: record sets pass through the codec without a copy.
    public mutating func readNullableBytes(_ field: String = "nullable bytes") throws(KafkaProtocolError) -> ByteBuffer? {
        let length = try readInt32(field)
        if length == -1 { return nil }
        guard length >= 0 else { throw .malformed("\(field): bytes length \(length) is negative") }
        return try readSliceOrThrow(length: Int(length), field)
    }

    /// Writes `BYTES`: the readable bytes of `value`, which is left unchanged.
    public mutating func writeKafkaBytes(_ value: ByteBuffer) {
        writeInt32(Int32(value.readableBytes))
        writeImmutableBuffer(value)
    }

    public mutating func writeNullableBytes(_ value: ByteBuffer?) {
        guard let value else { return writeInt32(-1) }
        writeKafkaBytes(value)
    }

    // MARK: Compact bytes

    public mutating func readCompactBytes(_ field: String = "compact bytes") throws(KafkaProtocolError) -> ByteBuffer {
        guard let length = try readCompactLength(field) else {
            throw .malformed("\(field): null where non-nullable compact bytes are required")
        }
        return try readSliceOrThrow(length: length, field)
    }

    public mutating func readCompactNullableBytes(_ field: String = "compact nullable bytes") throws(KafkaProtocolError) -> ByteBuffer? {
        guard let length = try readCompactLength(field) else { return nil }
        return try readSliceOrThrow(length: length, field)
    }

    public mutating func writeCompactBytes(_ value: ByteBuffer) {
        writeCompactLength(value.readableBytes)
        writeImmutableBuffer(value)
    }

    public mutating func writeCompactNullableBytes(_ value: ByteBuffer?) {
        guard let value else { return writeUnsignedVarint(0) }
        writeCompactBytes(value)
    }

    // MARK: Flexible-or-not dispatch

    /// A `STRING` in non-flexible versions, a `COMPACT_STRING` in flexible ones.
    public mutating func readKafkaString(_ field: String = "string", flexible: Bool) throws(KafkaProtocolError) -> String {
        try flexible ? readCompactString(field) : readKafkaString(field)
    }

    public mutating func readNullableString(_ field: String = "nullable string", flexible: Bool) throws(KafkaProtocolError) -> String? {
        try flexible ? readCompactNullableString(field) : readNullableString(field)
    }

    public mutating func writeKafkaString(_ value: String, flexible: Bool) {
        flexible ? writeCompactString(value) : writeKafkaString(value)
    }

    public mutating func writeNullableString(_ value: String?, flexible: Bool) {
        flexible ? writeCompactNullableString(value) : writeNullableString(value)
    }

    public mutating func readKafkaBytes(_ field: String = "bytes", flexible: Bool) throws(KafkaProtocolError) -> ByteBuffer {
        try flexible ? readCompactBytes(field) : readKafkaBytes(field)
    }

    public mutating func readNullableBytes(_ field: String = "nullable bytes", flexible: Bool) throws(KafkaProtocolError) -> ByteBuffer? {
        try flexible ? readCompactNullableBytes(field) : readNullableBytes(field)
    }

    public mutating func writeKafkaBytes(_ value: ByteBuffer, flexible: Bool) {
        flexible ? writeCompactBytes(value) : writeKafkaBytes(value)
    }

    public mutating func writeNullableBytes(_ value: ByteBuffer?, flexible: Bool) {
        flexible ? writeCompactNullableBytes(value) : writeNullableBytes(value)
    }

    // MARK: UUID

    public mutating func readUuid(_ field: String = "uuid") throws(KafkaProtocolError) -> Uuid {
        let high = try readInt64(field)
        let low = try readInt64(field)
        return Uuid(mostSignificantBits: high, leastSignificantBits: low)
    }

    public mutating func writeUuid(_ value: Uuid) {
        writeInt64(value.mostSignificantBits)
        writeInt64(value.leastSignificantBits)
    }

    // MARK: Shared pieces

    /// Reads the unsigned varint of a compact field: `nil` for null (`0`), else the length.
    @usableFromInline
    mutating func readCompactLength(_ field: String) throws(KafkaProtocolError) -> Int? {
        let raw = try readUnsignedVarint()
        if raw == 0 { return nil }
        return Int(raw - 1)
    }

    @usableFromInline
    mutating func writeCompactLength(_ length: Int) {
        writeUnsignedVarint(UInt32(length + 1))
    }

    @usableFromInline
    mutating func readSliceOrThrow(length: Int, _ field: String) throws(KafkaProtocolError) -> ByteBuffer {
        guard let slice = readSlice(length: length) else { throw .truncated(field) }
        return slice
    }

    @usableFromInline
    mutating func readUTF8(length: Int, _ field: String) throws(KafkaProtocolError) -> String {
        guard let value = readString(length: length) else { throw .truncated(field) }
        return value
    }
}

/// Kafka's `UUID` type (topic ids, directory ids): 128 bits, written as two big-endian int64s,
/// most significant first. ``zero`` is Kafka's "no id".
public struct Uuid: Sendable, Hashable, CustomStringConvertible {
    public var mostSignificantBits: Int64
    public var leastSignificantBits: Int64

    public init(mostSignificantBits: Int64, leastSignificantBits: Int64) {
        self.mostSignificantBits = mostSignificantBits
        self.leastSignificantBits = leastSignificantBits
    }

    public static let zero = Uuid(mostSignificantBits: 0, leastSignificantBits: 0)

    /// The 32 lowercase hex digits (Kafka prints these ids base64url-encoded; that belongs to
    /// whoever displays them, not to the codec).
    public var description: String {
        func hex(_ value: Int64) -> String {
            let digits = String(UInt64(bitPattern: value), radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return hex(mostSignificantBits) + hex(leastSignificantBits)
    }
}
