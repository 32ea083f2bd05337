import KafkaProtocol
import NIOCore
import Testing

/// The primitive types: exact bytes for each, round trips, and errors (never traps) on
/// truncated or negative-length input.
@Suite struct PrimitivesTests {
    /// Bytes from hex, e.g. `bytes("00 01 ff")`.
    static func bytes(_ hex: String) -> ByteBuffer {
        let digits = hex.filter { !$0.isWhitespace }
        var buffer = ByteBuffer()
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            buffer.writeInteger(UInt8(digits[index..<next], radix: 16)!)
            index = next
        }
        return buffer
    }

    static func written(_ write: (inout ByteBuffer) -> Void) -> ByteBuffer {
        var buffer = ByteBuffer()
        write(&buffer)
        return buffer
    }

    // MARK: Fixed width

    @Test func integersAreBigEndian() throws {
        let buffer = Self.written { b in
            b.writeInt8(-2)
            b.writeInt16(0x0102)
            b.writeInt32(-1)
            b.writeInt64(0x0102_0304_0506_0708)
        }
        #expect(buffer == Self.bytes("fe 0102 ffffffff 0102030405060708"))
        var reader = buffer
        #expect(try reader.readInt8() == -2)
        #expect(try reader.readInt16() == 0x0102)
        #expect(try reader.readInt32() == -1)
        #expect(try reader.readInt64() == 0x0102_0304_0506_0708)
        #expect(reader.readableBytes == 0)
    }

    @Test func truncatedIntegersThrow() {
        var buffer = Self.bytes("00 01 02")
        #expect(throws: KafkaProtocolError.truncated("offset")) { try buffer.readInt32("offset") }
        var empty = ByteBuffer()
        #expect(throws: KafkaProtocolError.self) { try empty.readInt8() }
        #expect(throws: KafkaProtocolError.self) { try empty.readInt64() }
        #expect(throws: KafkaProtocolError.self) { try empty.readBoolean() }
    }

    @Test func booleanIsOneByteAndAnyNonZeroIsTrue() throws {
        #expect(Self.written { $0.writeBoolean(true) } == Self.bytes("01"))
        #expect(Self.written { $0.writeBoolean(false) } == Self.bytes("00"))
        var buffer = Self.bytes("02 00")
        #expect(try buffer.readBoolean() == true)
        #expect(try buffer.readBoolean() == false)
    }

    // MARK: Strings

    @Test func stringHasInt16Length() throws {
        let buffer = Self.written { $0.writeKafkaString("rdkafka") }
        #expect(buffer == Self.bytes("0007 72646b61666b61"))
        var reader = buffer
        #expect(try reader.readKafkaString() == "rdkafka")
    }

    @Test func utf8LengthCountsBytesNotCharacters() throws {
        let buffer = Self.written { $0.writeKafkaString("é") }
        #expect(buffer == Self.bytes("0002 c3a9"))
    }

    @Test func nullableStringUsesMinusOne() throws {
        #expect(Self.written { $0.writeNullableString(nil) } == Self.bytes("ffff"))
        #expect(Self.written { $0.writeNullableString("") } == Self.bytes("0000"))
        var buffer = Self.bytes("ffff 0000 0001 41")
        #expect(try buffer.readNullableString() == nil)
        #expect(try buffer.readNullableString() == "")
        #expect(try buffer.readNullableString() == "A")
    }

    @Test func negativeStringLengthsAreMalformed() {
        var null = Self.bytes("ffff")
        #expect(throws: KafkaProtocolError.self) { try null.readKafkaString("topic") }
        var minusTwo = Self.bytes("fffe")
        #expect(throws: KafkaProtocolError.self) { try minusTwo.readNullableString() }
    }

    @Test func stringLongerThanBufferIsTruncated() {
        var buffer = Self.bytes("0005 4142")
        #expect(throws: KafkaProtocolError.truncated("client_id")) { try buffer.readKafkaString("client_id") }
    }

    // MARK: Bytes

    @Test func bytesHaveInt32LengthAndAreSlices() throws {
        let payload = Self.bytes("010203")
        let buffer = Self.written { $0.writeKafkaBytes(payload) }
        #expect(buffer == Self.bytes("00000003 010203"))
        var reader = buffer
        let slice = try reader.readKafkaBytes()
        #expect(slice == payload)
        // A slice shares the storage of the buffer it came from: no copy of record sets.
        slice.withUnsafeReadableBytes { sliceBytes in
            buffer.withUnsafeReadableBytes { all in
                #expect(sliceBytes.baseAddress == all.baseAddress! + 4)
            }
        }
    }

    @Test func nullableBytes() throws {
        #expect(Self.written { $0.writeNullableBytes(nil) } == Self.bytes("ffffffff"))
        var buffer = Self.bytes("ffffffff 00000000")
        #expect(try buffer.readNullableBytes() == nil)
        #expect(try buffer.readNullableBytes() == ByteBuffer())
    }

    @Test func badBytesLengths() {
        var negative = Self.bytes("ffffffff")
        #expect(throws: KafkaProtocolError.self) { try negative.readKafkaBytes() }
        var minusTwo = Self.bytes("fffffffe")
        #expect(throws: KafkaProtocolError.self) { try minusTwo.readNullableBytes() }
        var short = Self.bytes("00000010 00")
        #expect(throws: KafkaProtocolError.self) { try short.readNullableBytes("records") }
        var huge = Self.bytes("7fffffff")
        #expect(throws: KafkaProtocolError.self) { try huge.readKafkaBytes() }
    }

    // MARK: Compact forms

    @Test func compactStringStoresLengthPlusOne() throws {
        let buffer = Self.written { $0.writeCompactString("librdkafka") }
        #expect(buffer == Self.bytes("0b 6c696272646b61666b61"))
        var reader = buffer
        #expect(try reader.readCompactString() == "librdkafka")
        #expect(Self.written { $0.writeCompactString("") } == Self.bytes("01"))
    }

    @Test func compactNullableStringUsesZeroForNull() throws {
        #expect(Self.written { $0.writeCompactNullableString(nil) } == Self.bytes("00"))
        var buffer = Self.bytes("00 01 02 41")
        #expect(try buffer.readCompactNullableString() == nil)
        #expect(try buffer.readCompactNullableString() == "")
        #expect(try buffer.readCompactNullableString() == "A")
        var null = Self.bytes("00")
        #expect(throws: KafkaProtocolError.self) { try null.readCompactString() }
    }

    @Test func compactLengthsUseMultiByteVarints() throws {
        let long = String(repeating: "x", count: 200)
        let buffer = Self.written { $0.writeCompactString(long) }
        // 201 = 0xc9 → varint c9 01
        #expect(buffer.getBytes(at: 0, length: 2) == [0xc9, 0x01])
        var reader = buffer
        #expect(try reader.readCompactString() == long)
    }

    @Test func compactBytes() throws {
        let payload = Self.bytes("abcd")
        #expect(Self.written { $0.writeCompactBytes(payload) } == Self.bytes("03 abcd"))
        #expect(Self.written { $0.writeCompactNullableBytes(nil) } == Self.bytes("00"))
        var buffer = Self.bytes("03 abcd 00")
        #expect(try buffer.readCompactBytes() == payload)
        #expect(try buffer.readCompactNullableBytes() == nil)
        var truncated = Self.bytes("05 ab")
        #expect(throws: KafkaProtocolError.self) { try truncated.readCompactBytes() }
    }

    @Test func flexibleSwitchPicksTheForm() throws {
        #expect(Self.written { $0.writeKafkaString("a", flexible: false) } == Self.bytes("0001 61"))
        #expect(Self.written { $0.writeKafkaString("a", flexible: true) } == Self.bytes("02 61"))
        #expect(Self.written { $0.writeNullableString(nil, flexible: true) } == Self.bytes("00"))
        #expect(Self.written { $0.writeNullableBytes(nil, flexible: false) } == Self.bytes("ffffffff"))
        var buffer = Self.bytes("02 61")
        #expect(try buffer.readKafkaString(flexible: true) == "a")
    }

    @Test func overlongVarintLengthIsMalformed() {
        var buffer = Self.bytes("ff ff ff ff ff 01")
        #expect(throws: KafkaProtocolError.self) { try buffer.readCompactString() }
    }

    // MARK: Arrays

    @Test func arraysHaveInt32Count() throws {
        let buffer = Self.written { $0.writeInt32Array([1, 2]) }
        #expect(buffer == Self.bytes("00000002 00000001 00000002"))
        var reader = buffer
        #expect(try reader.readInt32Array() == [1, 2])
    }

    @Test func nullableArrays() throws {
        #expect(Self.written { $0.writeNullableStringArray(nil) } == Self.bytes("ffffffff"))
        #expect(Self.written { $0.writeNullableStringArray([]) } == Self.bytes("00000000"))
        var buffer = Self.bytes("ffffffff 00000000 00000001 0001 61")
        #expect(try buffer.readNullableStringArray() == nil)
        #expect(try buffer.readNullableStringArray() == [])
        #expect(try buffer.readNullableStringArray() == ["a"])
    }

    @Test func badArrayCounts() {
        var negative = Self.bytes("ffffffff")
        #expect(throws: KafkaProtocolError.self) { try negative.readInt32Array() }
        var minusTwo = Self.bytes("fffffffe")
        #expect(throws: KafkaProtocolError.self) { try minusTwo.readNullableStringArray() }
        // Two billion elements announced, four bytes present: refused before allocating.
        var hostile = Self.bytes("7fffffff 00000001")
        #expect(throws: KafkaProtocolError.self) { try hostile.readInt32Array() }
        var shortElement = Self.bytes("00000002 00000001 0000")
        #expect(throws: KafkaProtocolError.self) { try shortElement.readInt32Array() }
    }

    @Test func compactArrays() throws {
        let buffer = Self.written { b in
            b.writeCompactArray([Int16(7)]) { $0.writeInt16($1) }
            b.writeCompactNullableArray(nil as [Int16]?) { $0.writeInt16($1) }
        }
        #expect(buffer == Self.bytes("02 0007 00"))
        var reader = buffer
        let values = try reader.readCompactArray { (b: inout ByteBuffer) throws(KafkaProtocolError) in try b.readInt16() }
        #expect(values == [7])
        let null = try reader.readCompactNullableArray { (b: inout ByteBuffer) throws(KafkaProtocolError) in try b.readInt16() }
        #expect(null == nil)
        var nullNotAllowed = Self.bytes("00")
        #expect(throws: KafkaProtocolError.self) {
            try nullNotAllowed.readCompactArray { (b: inout ByteBuffer) throws(KafkaProtocolError) in try b.readInt16() }
        }
    }

    // MARK: UUID

    @Test func uuidIsSixteenBytes() throws {
        let id = Uuid(mostSignificantBits: 0x0123_4567_89ab_cdef, leastSignificantBits: -1)
        let buffer = Self.written { $0.writeUuid(id) }
        #expect(buffer == Self.bytes("0123456789abcdef ffffffffffffffff"))
        var reader = buffer
        #expect(try reader.readUuid() == id)
        #expect(id.description == "0123456789abcdefffffffffffffffff")
        var short = Self.bytes("0123")
        #expect(throws: KafkaProtocolError.self) { try short.readUuid() }
    }
}
