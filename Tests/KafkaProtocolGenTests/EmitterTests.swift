import KafkaProtocolGen
import Testing

/// What the emitter makes of schema facts, checked on the text it writes.
@Suite struct EmitterTests {
    static func emit(_ schema: String) throws -> String {
        ApiEmitter(api: try SchemaParser(file: "T.schema").parse(schema)).emit()
    }

    @Test func versionedFieldsAreReadAndWrittenBehindTheirCondition() throws {
        let code = try Self.emit("api Produce key 0\nversions 0-7\nflexible 9+\nrequest\n  acks int16 v2-4 default -1 -- a\nresponse\n")
        #expect(code.contains("self.acks = version >= 2 && version <= 4 ? try buffer.readInt16(\"acks\") : -1"))
        #expect(code.contains("if version >= 2 && version <= 4 { buffer.writeInt16(self.acks) }"))
        #expect(!code.contains("let flexible"), "no flexible version within the codec's range")
        #expect(!code.contains("taggedFields"))
    }

    @Test func flexibleVersionsUseCompactFormsAndTaggedFields() throws {
        let code = try Self.emit("""
            api ApiVersions key 18
            versions 0-2
            flexible 3+
            codec-versions 0-4
            request
              name string v3+ -- n
              hint int64 v3+ tag 1 default -1 -- h
            response
            """)
        #expect(code.contains("public static let codecVersions: ClosedRange<Int16> = 0...4"))
        #expect(code.contains("try buffer.readKafkaString(\"name\", flexible: flexible)"))
        #expect(code.contains("case 1 where version >= 3:"))
        #expect(code.contains("if version >= 3 && self.hint != -1 {"), "a tagged field at its default is not written")
        #expect(code.contains("public var taggedFields: TaggedFields"))
    }

    @Test func recordsFieldsGetTheWriterHook() throws {
        let code = try Self.emit("""
            api Fetch key 1
            versions 0-11
            flexible 12+
            request
            response
              responses [Topic] -- t
                partitions [Partition] -- p
                  records records -- r
                  aborted [Aborted] -- a
                    producer_id int64 -- p
            """)
        #expect(code.contains("public func write(into buffer: inout ByteBuffer, version: Int16, records writeRecords: (inout ByteBuffer, ByteBuffer?) -> Void)"))
        #expect(code.contains("writeRecords(&buffer, self.records)"))
        #expect(code.contains("element.write(into: &b, version: version, records: writeRecords)"))
        #expect(code.contains("buffer.writeArray(self.aborted, version: version)"), "structs without records keep the plain writer")
    }

    @Test func wrappedIntegersAndKeywordsBecomeSwift() throws {
        let code = try Self.emit("api Metadata key 3\nversions 0-8\nflexible 9+\nrequest\n  leader int32 as BrokerId -- l\n  replicas [int32] as BrokerId -- r\n  protocol string -- p\nresponse\n")
        #expect(code.contains("import KafkaCommon"))
        #expect(code.contains("self.leader = BrokerId(rawValue: try buffer.readInt32(\"leader\"))"))
        #expect(code.contains("b.writeInt32(element.rawValue)"))
        #expect(code.contains("public var `protocol`: String"))
    }

    @Test func handWrittenAdditionsAreNamedInTheDoc() throws {
        let api = try SchemaParser(file: "T.schema").parse("api Fetch key 1\nversions 0-11\nflexible 12+\nrequest\nresponse\n")
        let code = ApiEmitter(api: api, handWrittenFiles: ["Messages/Fetch+Splice.swift"]).emit()
        #expect(code.contains("/// Hand-written additions (what is not wire layout): `Messages/Fetch+Splice.swift`."))
        #expect(!ApiEmitter(api: api).emit().contains("Hand-written"))
    }
}
