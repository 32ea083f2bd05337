import KafkaProtocolGen
import Testing

@Suite struct SchemaParserTests {
    static let sample = """
        # Sample (key 99): a made-up API.
        #
        # v1 added the flag.
        api Sample key 99
        versions 0-3    # Kafka 2.3's range
        flexible 3+
        codec-versions 0-4

        request
          name string -- The name.
          flag bool v1+ default true -- A flag.
          owner string? null v2+ -- The owner.
          topics [Topic] -- Topics.
            topic_name string v0-1 -- The topic, in the flat versions.
            partitions [int32] as BrokerId -- Partition ids.
          shared [Shared] -- A shared struct.
          hint int64 v3+ tag 0 default -1 -- A tagged hint.

        response
          error_code error -- The error.
          records records -- Record batches.

        struct Shared -- A struct several fields use.
          id int32 -- The id.
        """

    @Test func parsesHeaderAndDoc() throws {
        let schema = try SchemaParser(file: "Sample.schema").parse(Self.sample)
        #expect(schema.name == "Sample")
        #expect(schema.key == 99)
        #expect(schema.versions == 0...3)
        #expect(schema.codecVersions == 0...4)
        #expect(schema.firstFlexibleVersion == 3)
        #expect(schema.hasFlexibleCodecVersions)
        #expect(schema.doc == ["Sample (key 99): a made-up API.", "", "v1 added the flag."])
    }

    @Test func parsesFieldsWithTheirAttributes() throws {
        let schema = try SchemaParser(file: "Sample.schema").parse(Self.sample)
        let fields = schema.request.fields
        #expect(fields.map(\.name) == ["name", "flag", "owner", "topics", "shared", "hint"])
        #expect(fields[1] == FieldSchema(name: "flag", type: .bool, versions: VersionRange(1), defaultValue: "true", doc: "A flag."))
        #expect(fields[2].nullableVersions == VersionRange(2))
        #expect(fields[3].type == .array(.structure("Topic")))
        #expect(fields[5].tag == 0)
        #expect(fields[5].versions == VersionRange(3))
        #expect(fields[5].defaultValue == "-1")
        let topic = try #require(schema.structNamed("Topic"))
        #expect(topic.doc == "Topics.")
        #expect(topic.fields[0].versions == VersionRange(0, 1))
        #expect(topic.fields[1].type == .array(.int32))
        #expect(topic.fields[1].swiftWrapper == "BrokerId")
        #expect(schema.structNamed("Shared")?.fields.map(\.name) == ["id"])
        #expect(schema.structNamed("Shared")?.doc == "A struct several fields use.")
        #expect(schema.response.fields[1].isNullable, "records are always nullable")
        #expect(schema.structs.map(\.name) == ["Topic", "Shared"])
    }

    @Test func versionRangesParseAndBecomeConditions() {
        #expect(VersionRange(parsing: "v3+") == VersionRange(3))
        #expect(VersionRange(parsing: "0-4") == VersionRange(0, 4))
        #expect(VersionRange(parsing: "v2") == VersionRange(2, 2))
        #expect(VersionRange(parsing: "v4-2") == nil)
        #expect(VersionRange(parsing: "x") == nil)
        #expect(VersionRange(0).condition(within: 0...7) == nil)
        #expect(VersionRange(3).condition(within: 0...7) == "version >= 3")
        #expect(VersionRange(0, 1).condition(within: 0...7) == "version <= 1")
        #expect(VersionRange(2, 4).condition(within: 0...7) == "version >= 2 && version <= 4")
        #expect(VersionRange(5, 5).condition(within: 0...7) == "version == 5")
        #expect(VersionRange(9).condition(within: 0...7) == "false")
        #expect(VersionRange(0, 9).condition(within: 0...7) == nil)
    }

    @Test(arguments: [
        ("api X key 1\nversions 0-1\nflexible none\nrequest\n  a int32 tag 0 -- t\nresponse\n", "tagged field must lie within the flexible versions"),
        ("api X key 1\nversions 0-1\nflexible 0+\nrequest\n  a int32 v0+ tag 0 -- t\n  b int32 tag 0 -- u\nresponse\n", "tag 0 used twice"),
        ("api X key 1\nversions 0-1\nflexible none\nrequest\n  a [Missing] -- t\nresponse\n", "no struct Missing is defined"),
        ("api X key 1\nversions 0-1\nflexible none\nrequest\n  a int33 -- t\nresponse\n", "unknown type `int33`"),
        ("api X key 1\nversions 0-1\nflexible none\nrequest\n  a int32 v9-1 -- t\nresponse\n", "unknown attribute `v9-1`"),
        ("api X key 1\nversions 0-1\nflexible none\nrequest\n   a int32 -- t\nresponse\n", "multiple of two spaces"),
        ("api X key 1\nversions 0-1\nflexible none\nrequest\n  a string as BrokerId -- t\nresponse\n", "applies to integers only"),
        ("api X key 1\nversions 0-1\nrequest\nresponse\n", "no `flexible` line"),
    ])
    func rejectsBadSchemasNamingTheLine(_ text: String, _ expected: String) {
        #expect {
            _ = try SchemaParser(file: "X.schema").parse(text)
        } throws: { error in
            String(describing: error).contains(expected) && String(describing: error).hasPrefix("X.schema:")
        }
    }
}
