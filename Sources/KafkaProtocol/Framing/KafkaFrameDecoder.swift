import NIOCore

/// Splits a TCP byte stream into Kafka frames: each frame is an int32 size `n` followed by `n`
/// bytes (the header and body of one request or response). Kafka's `NetworkReceive`.
///
/// A size below zero, or above `maxFrameSize` (the broker's `socket.request.max.bytes`, default
/// 104857600), is an invalid receive: ``nextFrame(in:maxSize:)`` throws
/// ``KafkaProtocolError/malformed(_:)`` and the connection must be closed, as Kafka closes it.
/// The size is checked as soon as its 4 bytes are there, before the body is buffered, so a
/// hostile size never makes the broker wait for or allocate gigabytes.
///
/// Usable directly (``nextFrame(in:maxSize:)``) or as a NIO `ByteToMessageHandler` decoder whose
/// inbound output is the frame body (a slice, no copy).
public struct KafkaFrameDecoder: NIOSingleStepByteToMessageDecoder, Sendable {
    public typealias InboundOut = ByteBuffer

    /// Kafka's default `socket.request.max.bytes` (100 MiB).
    public static let defaultMaxFrameSize = 104_857_600

    public let maxFrameSize: Int

    public init(maxFrameSize: Int = KafkaFrameDecoder.defaultMaxFrameSize) {
        self.maxFrameSize = maxFrameSize
    }

    /// Takes the next whole frame's body off the front of `buffer`, or returns nil (consuming
    /// nothing) when the frame is not complete yet.
    public static func nextFrame(in buffer: inout ByteBuffer, maxSize: Int) throws(KafkaProtocolError) -> ByteBuffer? {
        guard let size = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: Int32.self) else {
            return nil
        }
        guard size >= 0 else { throw .malformed("invalid receive: frame size \(size) is negative") }
        guard Int(size) <= maxSize else {
            throw .malformed("invalid receive: frame size \(size) is larger than \(maxSize)")
        }
        guard buffer.readableBytes >= 4 + Int(size) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(size))
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        try Self.nextFrame(in: &buffer, maxSize: maxFrameSize)
    }

    /// At end of stream only whole frames count; a partial one is dropped with the connection.
    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try Self.nextFrame(in: &buffer, maxSize: maxFrameSize)
    }
}

extension ByteBuffer {
    /// Writes one size-prefixed frame: reserves the int32 size, lets `body` write the header and
    /// body, then fills in the size.
    public mutating func writeKafkaFrame(_ body: (inout ByteBuffer) -> Void) {
        let sizeIndex = writerIndex
        writeInt32(0)
        body(&self)
        setInteger(Int32(writerIndex - sizeIndex - 4), at: sizeIndex, endianness: .big)
    }
}
