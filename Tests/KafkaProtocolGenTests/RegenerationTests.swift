import Foundation
import KafkaProtocolGen
import Testing

/// The checked-in generated Swift is exactly what the schemas make, in every schema folder (the
/// protocol's APIs and the group coordinator's `__consumer_offsets` records): editing a schema
/// without running `swift run kafka-protocol-gen`, or editing a generated file by hand, fails here.
@Suite struct RegenerationTests {
    static let root = ProtocolGenerator.findRoot(from: URL(fileURLWithPath: #filePath))!

    @Test func generatedFilesMatchTheSchemas() throws {
        let differences = try ProtocolGenerator(root: Self.root).differences()
        #expect(differences == [], "run `swift run kafka-protocol-gen`")
    }

    @Test func everySchemaParses() throws {
        let schemas = try ProtocolGenerator(root: Self.root).schemas()
        #expect(!schemas.isEmpty)
        #expect(Set(schemas.map(\.key)).count == schemas.count, "two schemas share a key")
        let data = try ProtocolGenerator(root: Self.root).dataSchemas()
        #expect(!data.isEmpty)
        #expect(Set(schemas.map(\.name) + data.map(\.name)).count == schemas.count + data.count, "two schemas share a name")
    }
}
