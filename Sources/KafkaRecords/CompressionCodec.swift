import CKafkaCompression
import NIOCore

/// Compression and decompression of the records section of a batch (everything after the 61-byte
/// RecordBatch v2 header, or the value of a legacy wrapper message), with the C libraries of
/// `CKafkaCompression`. Kafka's `CompressionType.wrapForInput/wrapForOutput`.
///
/// Formats written, chosen so that every client can read them:
/// - gzip: one gzip member (RFC 1952), default level;
/// - snappy: the xerial framing of the Java client (see `CompressionCodec+Snappy.swift`);
/// - lz4: one LZ4 frame, 64 KiB independent blocks, no checksums, correct header checksum (KIP-57)
///   — except in a magic 0 wrapper, which gets the pre-KIP-57 one (`compress(_:with:magic:)`);
/// - zstd: one zstd frame, level 3 (zstd's and Kafka's default).
///
/// Formats read: the above, plus concatenated gzip members, raw (unframed) snappy as librdkafka
/// sends it, LZ4 frames with the pre-KIP-57 header checksum, and concatenated zstd frames.
///
/// Decompression is bounded: output beyond `limit` bytes throws `.decompressedSizeExceeded` before
/// more memory is taken, so a small batch cannot expand into gigabytes. Damaged or hostile input
/// throws `.corruptMessage`; it never traps.
public enum CompressionCodec {
    /// The default bound on a batch's decompressed records (64 MiB).
    public static let defaultDecompressionLimit = 64 << 20

    /// Compresses `input` with `type` and appends the result to `output`. `.none` copies.
    public static func compress(_ input: UnsafeRawBufferPointer, with type: CompressionType, into output: inout ByteBuffer) throws(RecordBatchError) {
        switch type {
        case .none: output.writeBytes(input)
        case .gzip: try gzipCompress(input, into: &output)
        case .snappy: try snappyCompress(input, into: &output)
        case .lz4: try lz4Compress(input, into: &output)
        case .zstd: try zstdCompress(input, into: &output)
        }
    }

    /// Compresses the readable bytes of `input` with `type`.
    public static func compress(_ input: ByteBuffer, with type: CompressionType) throws(RecordBatchError) -> ByteBuffer {
        var output = ByteBufferAllocator().buffer(capacity: input.readableBytes / 2 + 64)
        try withReadableBytes(of: input) { (bytes) throws(RecordBatchError) in
            try compress(bytes, with: type, into: &output)
        }
        return output
    }

    /// Compresses the value of a legacy wrapper message of `magic`: as `compress(_:with:)`, except
    /// that an LZ4 frame for magic 0 carries the pre-KIP-57 header checksum, as Kafka writes it
    /// (see `lz4UsePreKIP57HeaderChecksum`). Kafka's `CompressionType.wrapForOutput(_, magic)`.
    public static func compress(_ input: ByteBuffer, with type: CompressionType, magic: Int8) throws(RecordBatchError) -> ByteBuffer {
        var output = try compress(input, with: type)
        if type == .lz4 && magic == 0 { lz4UsePreKIP57HeaderChecksum(&output) }
        return output
    }

    /// Decompresses `input`, which was compressed with `type`, into a new buffer of at most `limit`
    /// bytes. `ignoreLZ4HeaderChecksum` accepts any LZ4 header checksum, as Kafka does for magic 0
    /// wrapper messages (whose producers computed it wrongly); otherwise both the correct and the
    /// pre-KIP-57 value are accepted.
    public static func decompress(
        _ input: UnsafeRawBufferPointer,
        with type: CompressionType,
        limit: Int = defaultDecompressionLimit,
        ignoreLZ4HeaderChecksum: Bool = false
    ) throws(RecordBatchError) -> ByteBuffer {
        var output = BoundedOutput(limit: max(0, limit), expected: input.count * 4)
        switch type {
        case .none: try output.append(input)
        case .gzip: try gzipDecompress(input, into: &output)
        case .snappy: try snappyDecompress(input, into: &output)
        case .lz4: try lz4Decompress(input, into: &output, ignoreHeaderChecksum: ignoreLZ4HeaderChecksum)
        case .zstd: try zstdDecompress(input, into: &output)
        }
        return output.buffer
    }

    /// Decompresses the readable bytes of `input`; see `decompress(_:with:limit:ignoreLZ4HeaderChecksum:)`.
    public static func decompress(
        _ input: ByteBuffer,
        with type: CompressionType,
        limit: Int = defaultDecompressionLimit,
        ignoreLZ4HeaderChecksum: Bool = false
    ) throws(RecordBatchError) -> ByteBuffer {
        try withReadableBytes(of: input) { (bytes) throws(RecordBatchError) in
            try decompress(bytes, with: type, limit: limit, ignoreLZ4HeaderChecksum: ignoreLZ4HeaderChecksum)
        }
    }

    /// Runs `body` over the readable bytes of `buffer`, keeping the typed error.
    static func withReadableBytes<T>(
        of buffer: ByteBuffer,
        _ body: (UnsafeRawBufferPointer) throws(RecordBatchError) -> T
    ) throws(RecordBatchError) -> T {
        let result: Result<T, RecordBatchError> = buffer.withUnsafeReadableBytes { bytes in
            do throws(RecordBatchError) { return .success(try body(bytes)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

/// A growing output buffer that refuses to hold more than `limit` bytes. Decoders write into the
/// region `append(_:)` offers; the region is never larger than `limit + 1 - count`, so a decoder
/// that fills it past the limit is caught after at most one extra byte.
struct BoundedOutput {
    private(set) var buffer: ByteBuffer
    let limit: Int

    init(limit: Int, expected: Int) {
        self.limit = limit
        buffer = ByteBufferAllocator().buffer(capacity: min(limit + 1, max(expected, 256)))
    }

    var count: Int { buffer.readableBytes }

    /// Copies `bytes` in (for `.none` and stored blocks).
    mutating func append(_ bytes: UnsafeRawBufferPointer) throws(RecordBatchError) {
        guard bytes.count <= limit - count else { throw .decompressedSizeExceeded(limit: limit) }
        buffer.writeBytes(bytes)
    }

    /// Makes room for `count` more bytes (a decoder that knows its output size up front), or throws
    /// when they would pass the limit.
    mutating func reserve(_ extra: Int) throws(RecordBatchError) {
        guard extra >= 0, extra <= limit - count else { throw .decompressedSizeExceeded(limit: limit) }
        if buffer.writableBytes < extra { buffer.reserveCapacity(minimumWritableBytes: extra) }
    }

    /// Offers `body` a writable region and keeps the bytes it reports written. Returns how many were
    /// written and how large the region was (a full region means the decoder may have more).
    @discardableResult
    mutating func append(_ body: (UnsafeMutableRawBufferPointer) -> Int) throws(RecordBatchError) -> (written: Int, offered: Int) {
        let allowed = limit + 1 - count
        if buffer.writableBytes == 0 || buffer.writableBytes < min(allowed, 4096) {
            let grow = min(allowed, max(count, 4096))
            buffer.reserveCapacity(minimumWritableBytes: grow)
        }
        var offered = 0
        let written = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { region in
            let usable = UnsafeMutableRawBufferPointer(rebasing: region.prefix(allowed))
            offered = usable.count
            return body(usable)
        }
        if count > limit { throw .decompressedSizeExceeded(limit: limit) }
        return (written, offered)
    }
}

// MARK: - gzip (zlib)

extension CompressionCodec {
    /// gzip window: 15 bits, plus 16 to ask zlib for the gzip wrapper instead of zlib's.
    private static let gzipWindowBits: Int32 = 15 + 16

    static func gzipCompress(_ input: UnsafeRawBufferPointer, into output: inout ByteBuffer) throws(RecordBatchError) {
        var stream = z_stream()
        let initStatus = deflateInit2_(
            &stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzipWindowBits, 8, Z_DEFAULT_STRATEGY,
            zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw .corruptMessage("gzip: deflateInit2 failed (\(initStatus))") }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var status: Int32 = Z_OK
        output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { region in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            stream.next_out = region.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(region.count)
            status = deflate(&stream, Z_FINISH)
            return status == Z_STREAM_END ? region.count - Int(stream.avail_out) : 0
        }
        guard status == Z_STREAM_END else { throw .corruptMessage("gzip: deflate failed (\(status))") }
    }

    static func gzipDecompress(_ input: UnsafeRawBufferPointer, into output: inout BoundedOutput) throws(RecordBatchError) {
        guard input.count > 0 else { throw .corruptMessage("gzip: empty input") }
        var stream = z_stream()
        let initStatus = inflateInit2_(&stream, gzipWindowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw .corruptMessage("gzip: inflateInit2 failed (\(initStatus))") }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        while true {
            let inputBefore = stream.avail_in
            var status: Int32 = Z_OK
            let (written, _) = try output.append { region in
                stream.next_out = region.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(region.count)
                status = inflate(&stream, Z_NO_FLUSH)
                return region.count - Int(stream.avail_out)
            }
            switch status {
            case Z_STREAM_END:
                // Java's GZIPInputStream reads concatenated members; anything else after the first
                // member is ignored, as it does.
                let rest = Int(stream.avail_in)
                let start = input.count - rest
                guard rest >= 2, input[start] == 0x1F, input[start + 1] == 0x8B else { return }
                guard inflateReset(&stream) == Z_OK else { throw .corruptMessage("gzip: inflateReset failed") }
            case Z_OK, Z_BUF_ERROR:
                if stream.avail_in == 0 && status == Z_BUF_ERROR {
                    throw .corruptMessage("gzip: stream truncated")
                }
                if written == 0 && stream.avail_in == inputBefore {
                    throw .corruptMessage("gzip: no progress")
                }
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                throw .corruptMessage("gzip: \(reason)")
            }
        }
    }
}

// MARK: - zstd

extension CompressionCodec {
    /// zstd's default level, which is also Kafka's.
    static let zstdLevel: Int32 = 3

    static func zstdCompress(_ input: UnsafeRawBufferPointer, into output: inout ByteBuffer) throws(RecordBatchError) {
        let bound = ZSTD_compressBound(input.count)
        var result = 0
        output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { region in
            result = ZSTD_compress(region.baseAddress, region.count, input.baseAddress, input.count, zstdLevel)
            return ZSTD_isError(result) != 0 ? 0 : result
        }
        if ZSTD_isError(result) != 0 {
            throw .corruptMessage("zstd: \(String(cString: ZSTD_getErrorName(result)))")
        }
    }

    static func zstdDecompress(_ input: UnsafeRawBufferPointer, into output: inout BoundedOutput) throws(RecordBatchError) {
        guard let context = ZSTD_createDCtx() else { throw .corruptMessage("zstd: cannot create a context") }
        defer { ZSTD_freeDCtx(context) }
        // The decoder allocates the window the frame declares (up to 128 MiB by default) before
        // producing a byte. A window far beyond the output limit cannot be honest: compressors
        // shrink the window to the content size (rounded up to a power of two, hence the + 1).
        let windowLog = max(10, min(27, Int.bitWidth - max(0, output.limit - 1).leadingZeroBitCount + 1))
        _ = ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, Int32(windowLog))
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        while true {
            let consumedBefore = source.pos
            var result = 0
            let (written, offered) = try output.append { region in
                var target = ZSTD_outBuffer(dst: region.baseAddress, size: region.count, pos: 0)
                result = ZSTD_decompressStream(context, &target, &source)
                return ZSTD_isError(result) != 0 ? 0 : target.pos
            }
            if ZSTD_isError(result) != 0 {
                if ZSTD_getErrorCode(result) == ZSTD_error_frameParameter_windowTooLarge {
                    throw .decompressedSizeExceeded(limit: output.limit)
                }
                throw .corruptMessage("zstd: \(String(cString: ZSTD_getErrorName(result)))")
            }
            if source.pos == source.size {
                if result == 0 { return }  // last frame complete and flushed
                if written < offered { throw .corruptMessage("zstd: stream truncated") }
            } else if written == 0 && source.pos == consumedBefore {
                throw .corruptMessage("zstd: no progress")
            }
        }
    }
}
