import KafkaBroker
import Testing

@Suite struct JavaPropertiesTests {
    @Test func separatorsCommentsAndWhitespace() {
        let properties = JavaProperties(parsing: """
            # a comment
            ! another comment
            broker.id=1
              log.dirs : /tmp/a,/tmp/b
            listeners PLAINTEXT://:9092
            empty=
            spaced   =   value with spaces\u{20}\u{20}
            broker.id=2
            """)
        #expect(properties["broker.id"] == "2", "the last one wins")
        #expect(properties["log.dirs"] == "/tmp/a,/tmp/b")
        #expect(properties["listeners"] == "PLAINTEXT://:9092")
        #expect(properties["empty"] == "")
        #expect(properties["spaced"] == "value with spaces  ")
        #expect(properties.entry("broker.id")?.line == 8)
        #expect(properties.entry("log.dirs")?.line == 4)
        #expect(properties.keys.count == 5)
    }

    @Test func continuationsAndEscapes() {
        let properties = JavaProperties(parsing: "long=first,\\\n    second,\\\r\n  third\nkey\\=with\\:sep=v\\tx\\u0041\nend\\\\\n")
        #expect(properties["long"] == "first,second,third")
        #expect(properties["key=with:sep"] == "v\txA")
        #expect(properties["end\\"] == "")
        #expect(properties.entry("long")?.line == 1)
    }
}
