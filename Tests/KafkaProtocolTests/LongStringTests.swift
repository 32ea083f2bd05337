import NIOCore
import Testing

@testable import KafkaProtocol

/// A `STRING` longer than the wire allows is cut at a character boundary, never a trap: a broker
/// may quote a client's 32000-byte name inside an error message.
@Suite struct LongStringTests {
    @Test func aStringOverTheLimitIsCutAtTheLastWholeCharacter() throws {
        let value = String(repeating: "a", count: 32_766) + "é" + "tail"
        var buffer = ByteBuffer()
        buffer.writeKafkaString(value)
        #expect(buffer.getInteger(at: 0, as: Int16.self) == 32_766, "the two-byte é does not fit in the one byte left")
        let read = try buffer.readKafkaString("test")
        #expect(read == String(repeating: "a", count: 32_766))
        #expect(buffer.readableBytes == 0)
    }

    @Test func aStringAtTheLimitIsWrittenWhole() throws {
        let value = String(repeating: "b", count: Int(Int16.max))
        var buffer = ByteBuffer()
        buffer.writeKafkaString(value)
        #expect(try buffer.readKafkaString("test") == value)
    }
}
