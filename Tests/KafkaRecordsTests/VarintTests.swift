import KafkaRecords
import NIOCore
import Testing

@Suite struct VarintTests {
    @Test(arguments: [Int32.min, -300, -65, -64, -1, 0, 1, 63, 64, 300, Int32.max])
    func zigzagVarintRoundTrip(_ value: Int32) throws {
        var buffer = ByteBuffer()
        buffer.writeVarint(value)
        #expect(buffer.readableBytes == VarintSize.zigzag(Int64(value)))
        #expect(try buffer.readVarint() == value)
        #expect(buffer.readableBytes == 0)
    }

    @Test(arguments: [Int64.min, -1, 0, 1, 1 << 40, Int64.max])
    func zigzagVarlongRoundTrip(_ value: Int64) throws {
        var buffer = ByteBuffer()
        buffer.writeVarlong(value)
        #expect(buffer.readableBytes == VarintSize.zigzag(value))
        #expect(try buffer.readVarlong() == value)
    }

    @Test func knownEncodings() throws {
        // Zigzag: 0 → 0, -1 → 1, 1 → 2, -2 → 3; 300 → 600 = 0xD8 0x04.
        var buffer = ByteBuffer()
        for value: Int32 in [0, -1, 1, -2, 300] { buffer.writeVarint(value) }
        #expect(Array(buffer.readableBytesView) == [0x00, 0x01, 0x02, 0x03, 0xD8, 0x04])
        var unsigned = ByteBuffer()
        unsigned.writeUnsignedVarint(UInt32.max)
        #expect(Array(unsigned.readableBytesView) == [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
    }

    @Test func truncatedAndOverlong() {
        var truncated = ByteBuffer(bytes: [0x80, 0x80])
        #expect(throws: KafkaProtocolError.truncated("unsigned varint")) { try truncated.readUnsignedVarint() }
        var overlong = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(throws: KafkaProtocolError.self) { try overlong.readUnsignedVarint() }
    }
}
