import KafkaProtocol
import NIOCore
import Testing

/// Decodes `hex` as `type` at `version`, expects every byte consumed and the message to encode
/// back to the same bytes, and returns it (the hand-written layout tests' one check).
func checkLayout<Message: KafkaCodable>(
    _ type: Message.Type, version: Int16, _ hex: String, sourceLocation: SourceLocation = #_sourceLocation
) throws -> Message {
    var buffer = PrimitivesTests.bytes(hex)
    let message = try Message(from: &buffer, version: version)
    #expect(buffer.readableBytes == 0, sourceLocation: sourceLocation)
    var out = ByteBuffer()
    message.write(into: &out, version: version)
    #expect(out == PrimitivesTests.bytes(hex), sourceLocation: sourceLocation)
    return message
}
