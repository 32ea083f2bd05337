import NIOCore

/// One record inside a RecordBatch v2, decoded from its bytes. Kafka's `DefaultRecord`.
///
/// Format (after decompression of the batch's records section; `varint`/`varlong` are zigzag):
///
/// ```
/// length          varint   bytes that follow, up to the end of the headers
/// attributes      int8     unused, 0
/// timestampDelta  varlong  timestamp − batch.baseTimestamp
/// offsetDelta     varint   offset − batch.baseOffset
/// keyLength       varint   −1 for a null key
/// key             bytes
/// valueLength     varint   −1 for a null value
/// value           bytes
/// headerCount     varint
/// headers         headerCount × (keyLength varint ≥ 0, key UTF-8, valueLength varint (−1 null), value)
/// ```
///
/// Key, value and headers are slices of the (decompressed) records buffer: decoding copies no
/// payload bytes. A decoded record has been checked to consume exactly `length` bytes, with every
/// length inside its bounds, so `headers` cannot fail.
public struct DefaultRecord: Sendable {
    /// Absolute offset: batch baseOffset + offsetDelta.
    public let offset: Int64
    /// Absolute timestamp: baseTimestamp + timestampDelta, or the batch's maxTimestamp when the
    /// batch is LogAppendTime (as Kafka reports it).
    public let timestamp: Int64
    public let offsetDelta: Int32
    public let timestampDelta: Int64
    public let attributes: Int8
    public let key: ByteBuffer?
    public let value: ByteBuffer?
    public let headerCount: Int
    /// The encoded headers (after the count), for re-encoding without decoding them.
    public let encodedHeaders: ByteBuffer
    /// Size of the record on the wire, its length varint included.
    public let sizeInBytes: Int

    public var hasKey: Bool { key != nil }

    /// The headers, decoded (keys as UTF-8 strings, values as slices).
    public var headers: [RecordHeader] {
        var buffer = encodedHeaders
        var result: [RecordHeader] = []
        result.reserveCapacity(headerCount)
        for _ in 0..<headerCount {
            guard let keyLength = try? buffer.readVarint(), keyLength >= 0,
                  let key = buffer.readString(length: Int(keyLength)),
                  let valueLength = try? buffer.readVarint()
            else { break }
            let value = valueLength < 0 ? nil : buffer.readSlice(length: Int(valueLength))
            result.append(RecordHeader(key: key, value: value))
        }
        return result
    }

    /// Decodes the record at the reader index of `buffer` and moves past it.
    static func read(
        from buffer: inout ByteBuffer,
        baseOffset: Int64,
        baseTimestamp: Int64,
        logAppendTime: Int64?
    ) throws(RecordBatchError) -> DefaultRecord {
        let start = buffer.readerIndex
        let length: Int32
        do { length = try buffer.readVarint() } catch { throw .from(error, in: "record length") }
        guard length >= 0, Int(length) <= buffer.readableBytes else {
            throw .corruptMessage("record length \(length) exceeds the \(buffer.readableBytes) bytes left in the batch")
        }
        guard var body = buffer.readSlice(length: Int(length)) else { throw .corruptMessage("record body") }
        do {
            guard let attributes = body.readInteger(as: Int8.self) else { throw RecordBatchError.corruptMessage("record attributes") }
            let timestampDelta = try body.readVarlong()
            let offsetDelta = try body.readVarint()
            let key = try readBytes(&body, field: "key")
            let value = try readBytes(&body, field: "value")
            let headerCount = try body.readVarint()
            guard headerCount >= 0 else { throw RecordBatchError.corruptMessage("negative header count \(headerCount)") }
            // The record must end with its headers, so the bytes left are exactly the headers
            // (checked below); slice them now, while they are still readable.
            let encodedHeaders = body.getSlice(at: body.readerIndex, length: body.readableBytes) ?? ByteBuffer()
            for _ in 0..<headerCount {
                let keyLength = try body.readVarint()
                guard keyLength >= 0 else { throw RecordBatchError.corruptMessage("negative header key length \(keyLength)") }
                guard body.readableBytes >= Int(keyLength) else { throw RecordBatchError.corruptMessage("header key overruns the record") }
                body.moveReaderIndex(forwardBy: Int(keyLength))
                _ = try readBytes(&body, field: "header value")
            }
            guard body.readableBytes == 0 else {
                throw RecordBatchError.corruptMessage("record declares \(length) bytes but its fields end \(body.readableBytes) bytes earlier")
            }
            return DefaultRecord(
                offset: baseOffset &+ Int64(offsetDelta),
                timestamp: logAppendTime ?? (baseTimestamp &+ timestampDelta),
                offsetDelta: offsetDelta,
                timestampDelta: timestampDelta,
                attributes: attributes,
                key: key,
                value: value,
                headerCount: Int(headerCount),
                encodedHeaders: encodedHeaders,
                sizeInBytes: buffer.readerIndex - start)
        } catch let error as RecordBatchError {
            throw error
        } catch let error as KafkaProtocolError {
            throw .from(error, in: "record")
        } catch {
            throw .corruptMessage("record: \(error)")
        }
    }

    /// Reads a varint-length-prefixed byte string (−1 = null) as a slice.
    private static func readBytes(_ body: inout ByteBuffer, field: String) throws -> ByteBuffer? {
        let length = try body.readVarint()
        if length == -1 { return nil }
        guard length >= 0 else { throw RecordBatchError.corruptMessage("\(field) length \(length)") }
        guard let slice = body.readSlice(length: Int(length)) else {
            throw RecordBatchError.corruptMessage("\(field) of \(length) bytes overruns the record")
        }
        return slice
    }
}

/// A record header: a non-null UTF-8 key and a nullable byte value. Kafka's `RecordHeader`.
public struct RecordHeader: Sendable, Hashable {
    public var key: String
    public var value: ByteBuffer?

    public init(key: String, value: ByteBuffer?) {
        self.key = key
        self.value = value
    }

    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value.map { ByteBuffer(bytes: $0) }
    }
}

/// Decodes the records of one batch one at a time. After `count` records the buffer must be
/// exhausted, and it must not run out before: either is CORRUPT_MESSAGE, as in Kafka.
public struct DefaultRecordIterator: Sendable {
    var buffer: ByteBuffer
    /// Records still to decode.
    public private(set) var remaining: Int
    let baseOffset: Int64
    let baseTimestamp: Int64
    let logAppendTime: Int64?

    init(buffer: ByteBuffer, count: Int, baseOffset: Int64, baseTimestamp: Int64, logAppendTime: Int64?) {
        self.buffer = buffer
        self.remaining = count
        self.baseOffset = baseOffset
        self.baseTimestamp = baseTimestamp
        self.logAppendTime = logAppendTime
    }

    /// The (uncompressed) records bytes still to decode.
    public var unreadBytes: Int { buffer.readableBytes }

    /// The next record, or nil after the last one.
    public mutating func next() throws(RecordBatchError) -> DefaultRecord? {
        guard remaining > 0 else {
            guard buffer.readableBytes == 0 else {
                throw .corruptMessage("\(buffer.readableBytes) bytes remain after the batch's declared records")
            }
            return nil
        }
        guard buffer.readableBytes > 0 else {
            throw .corruptMessage("records end with \(remaining) of the declared records missing")
        }
        remaining -= 1
        return try DefaultRecord.read(
            from: &buffer, baseOffset: baseOffset, baseTimestamp: baseTimestamp, logAppendTime: logAppendTime)
    }
}
