/// Reads the primitives of Jute, ZooKeeper's serialization (`BinaryInputArchive`): big-endian
/// integers, a boolean as one byte, a buffer as a 4-byte length and its bytes, a string as a
/// buffer of UTF-8, a vector as a 4-byte count and its elements. A length of -1 is null.
///
/// Every read checks the bounds first and throws `JuteError.truncated` past the end, so a torn
/// record at the end of a transaction log never traps.
struct JuteReader {
    let bytes: ArraySlice<UInt8>
    private(set) var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    var remaining: Int { bytes.endIndex - position }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, remaining >= count else { throw JuteError.truncated(at: position - bytes.startIndex) }
        defer { position += count }
        return bytes[position..<position + count]
    }

    mutating func readInt() throws -> Int32 {
        Int32(bitPattern: try take(4).reduce(0 as UInt32) { $0 << 8 | UInt32($1) })
    }

    mutating func readLong() throws -> Int64 {
        Int64(bitPattern: try take(8).reduce(0 as UInt64) { $0 << 8 | UInt64($1) })
    }

    mutating func readBool() throws -> Bool { try take(1).first != 0 }

    mutating func readBuffer() throws -> [UInt8]? {
        let length = try readInt()
        if length < 0 { return nil }
        return Array(try take(Int(length)))
    }

    mutating func readString() throws -> String? {
        try readBuffer().map { String(decoding: $0, as: UTF8.self) }
    }

    mutating func readVector<T>(_ element: (inout JuteReader) throws -> T) throws -> [T] {
        let count = try readInt()
        guard count >= 0 else { return [] }
        guard Int(count) <= remaining else { throw JuteError.truncated(at: position - bytes.startIndex) }
        var elements: [T] = []
        elements.reserveCapacity(Int(count))
        for _ in 0..<count { elements.append(try element(&self)) }
        return elements
    }

    /// An ACL (`perms`, then the id's `scheme` and `id`): read and dropped, the timeline does not show ACLs.
    mutating func skipAcl() throws {
        _ = try readInt()
        _ = try readString()
        _ = try readString()
    }
}

enum JuteError: Error, Equatable, CustomStringConvertible {
    case truncated(at: Int)

    var description: String {
        switch self {
        case .truncated(let offset): "record ends early (at byte \(offset))"
        }
    }
}
