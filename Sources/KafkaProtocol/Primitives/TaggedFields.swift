import NIOCore

/// One tagged field of a flexible version (KIP-482): its tag and the bytes of its value.
public struct TaggedField: Sendable, Equatable {
    public var tag: UInt32
    /// The field's value exactly as on the wire, without the tag and size varints.
    public var data: ByteBuffer

    public init(tag: UInt32, data: ByteBuffer) {
        self.tag = tag
        self.data = data
    }

    /// A tagged field whose value `write` encodes.
    public init(tag: UInt32, _ write: (inout ByteBuffer) -> Void) {
        var data = ByteBuffer()
        write(&data)
        self.init(tag: tag, data: data)
    }
}

/// The tagged fields of one struct that this codec does not know, kept verbatim so that decoding
/// and re-encoding preserves them.
///
/// Wire format of a tagged-field section, which ends every struct (and the request header v2 and
/// response header v1) in a flexible version:
///
/// ```
/// unsigned varint  count
/// count × { unsigned varint tag, unsigned varint size, size bytes of value }
/// ```
///
/// Tags are strictly ascending. A struct's known tagged fields are decoded by the struct's own
/// codec; when writing, a known tagged field that holds its default value is left out altogether
/// (that is also how Kafka writes them, and librdkafka 2.0.2 misreads a section that carries
/// default-valued fields). With no fields at all, the section is the single byte `0x00`.
public struct TaggedFields: Sendable, Equatable {
    /// Unknown fields in ascending tag order.
    public private(set) var fields: [TaggedField]

    public init() { fields = [] }

    public init(_ fields: [TaggedField]) {
        self.fields = fields.sorted { $0.tag < $1.tag }
    }

    public static let empty = TaggedFields()

    public var isEmpty: Bool { fields.isEmpty }

    public subscript(tag: UInt32) -> ByteBuffer? {
        fields.first { $0.tag == tag }?.data
    }

    /// Adds or replaces the field with this tag.
    public mutating func set(_ field: TaggedField) {
        if let index = fields.firstIndex(where: { $0.tag == field.tag }) {
            fields[index] = field
        } else {
            fields.append(field)
            fields.sort { $0.tag < $1.tag }
        }
    }
}

extension ByteBuffer {
    /// Reads a tagged-field section.
    ///
    /// For each field, `known` gets the tag and a slice holding exactly the field's bytes. It
    /// returns `true` when it decoded the field (bytes it left unread in the slice are skipped, as
    /// a newer writer may have extended the field) and `false` to keep the field as unknown.
    /// Out-of-order or repeated tags and sizes past the end of the buffer throw.
    public mutating func readTaggedFields(
        _ field: String = "tagged fields",
        known: (UInt32, inout ByteBuffer) throws(KafkaProtocolError) -> Bool
    ) throws(KafkaProtocolError) -> TaggedFields {
        let count = try readUnsignedVarint()
        guard count <= readableBytes else {
            throw .truncated("\(field): \(count) tagged fields announced, \(readableBytes) bytes left")
        }
        var unknown: [TaggedField] = []
        var previousTag: UInt32?
        for _ in 0..<count {
            let tag = try readUnsignedVarint()
            if let previousTag, tag <= previousTag {
                throw .malformed("\(field): tag \(tag) after tag \(previousTag); tags must ascend")
            }
            previousTag = tag
            let size = try readUnsignedVarint()
            var data = try readSliceOrThrow(length: Int(size), "\(field): tag \(tag)")
            let original = data
            if try !known(tag, &data) {
                unknown.append(TaggedField(tag: tag, data: original))
            }
        }
        return TaggedFields(unknown)
    }

    /// Reads a tagged-field section in which no tag is known to the caller.
    public mutating func readTaggedFields(_ field: String = "tagged fields") throws(KafkaProtocolError) -> TaggedFields {
        try readTaggedFields(field) { (_: UInt32, _: inout ByteBuffer) throws(KafkaProtocolError) in false }
    }

    /// Writes a tagged-field section: the caller's `known` fields (only those not at their
    /// default value) merged with the preserved `unknown` ones, in ascending tag order. A known
    /// field wins over an unknown one with the same tag.
    public mutating func writeTaggedFields(_ unknown: TaggedFields, known: [TaggedField] = []) {
        var all = known
        for field in unknown.fields where !known.contains(where: { $0.tag == field.tag }) {
            all.append(field)
        }
        all.sort { $0.tag < $1.tag }
        writeUnsignedVarint(UInt32(all.count))
        for field in all {
            writeUnsignedVarint(field.tag)
            writeUnsignedVarint(UInt32(field.data.readableBytes))
            writeImmutableBuffer(field.data)
        }
    }
}
