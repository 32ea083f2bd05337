import KafkaProtocol
import NIOCore
import Testing

/// Tagged-field sections (KIP-482): count, then tag/size/bytes per field in ascending tag
/// order; unknown fields preserved; known fields at their default left out.
@Suite struct TaggedFieldsTests {
    let bytes = PrimitivesTests.bytes

    @Test func emptySectionIsOneZeroByte() throws {
        var buffer = ByteBuffer()
        buffer.writeTaggedFields(.empty)
        #expect(buffer == bytes("00"))
        #expect(try buffer.readTaggedFields().isEmpty)
    }

    @Test func unknownFieldsArePreservedVerbatim() throws {
        var buffer = bytes("02 01 02 abcd 05 00")
        let fields = try buffer.readTaggedFields()
        #expect(buffer.readableBytes == 0)
        #expect(fields.fields.map(\.tag) == [1, 5])
        #expect(fields[1] == bytes("abcd"))
        #expect(fields[5] == ByteBuffer())
        var out = ByteBuffer()
        out.writeTaggedFields(fields)
        #expect(out == bytes("02 01 02 abcd 05 00"))
    }

    @Test func knownFieldsAreHandedToTheCallerAndNotKept() throws {
        var buffer = bytes("02 00 08 0000000000000007 03 01 01")
        var epoch: Int64 = -1
        let unknown = try buffer.readTaggedFields { (tag: UInt32, field: inout ByteBuffer) throws(KafkaProtocolError) in
            guard tag == 0 else { return false }
            epoch = try field.readInt64()
            return true
        }
        #expect(epoch == 7)
        #expect(unknown.fields.map(\.tag) == [3])
    }

    @Test func knownFieldsMergeWithUnknownInTagOrder() {
        var out = ByteBuffer()
        let unknown = TaggedFields([TaggedField(tag: 4, data: bytes("ee")), TaggedField(tag: 1, data: bytes("dd"))])
        out.writeTaggedFields(unknown, known: [TaggedField(tag: 2) { $0.writeBoolean(true) }])
        #expect(out == bytes("03 01 01 dd 02 01 01 04 01 ee"))
    }

    @Test func largeTagsAndSizesUseVarints() throws {
        var out = ByteBuffer()
        let payload = ByteBuffer(repeating: 0x5a, count: 130)
        out.writeTaggedFields(TaggedFields([TaggedField(tag: 300, data: payload)]))
        // tag 300 = ac 02, size 130 = 82 01
        #expect(out.getBytes(at: 0, length: 5) == [0x01, 0xac, 0x02, 0x82, 0x01])
        let fields = try out.readTaggedFields()
        #expect(fields[300] == payload)
    }

    @Test func outOfOrderOrRepeatedTagsAreMalformed() {
        var descending = bytes("02 05 00 01 00")
        #expect(throws: KafkaProtocolError.self) { try descending.readTaggedFields() }
        var repeated = bytes("02 01 00 01 00")
        #expect(throws: KafkaProtocolError.self) { try repeated.readTaggedFields() }
    }

    @Test func truncatedSectionsThrow() {
        var sizePastEnd = bytes("01 00 05 ab")
        #expect(throws: KafkaProtocolError.self) { try sizePastEnd.readTaggedFields() }
        var missingField = bytes("02 00 00")
        #expect(throws: KafkaProtocolError.self) { try missingField.readTaggedFields() }
        var hugeCount = bytes("ffffffff0f")
        #expect(throws: KafkaProtocolError.self) { try hugeCount.readTaggedFields() }
    }

    @Test func setReplacesByTag() {
        var fields = TaggedFields()
        fields.set(TaggedField(tag: 2, data: bytes("01")))
        fields.set(TaggedField(tag: 1, data: bytes("02")))
        fields.set(TaggedField(tag: 2, data: bytes("03")))
        #expect(fields.fields.map(\.tag) == [1, 2])
        #expect(fields[2] == bytes("03"))
    }
}
