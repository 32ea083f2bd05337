/// Emits the Swift file of one data record: `public struct <Name>: KafkaCodable` with its
/// versions, its fields behind their version conditions, and its named structs nested inside it.
///
/// The struct's bytes do not include the record's version: the hand-written code around it reads
/// and writes the int16 version and passes it in. Decoding a version outside ``DataSchema/versions``
/// throws ``KafkaProtocolError/malformed(_:)`` naming the record and the version.
public struct DataEmitter {
    public let data: DataSchema
    /// The folder of the schema, for the banner.
    let schemasPath: String

    public init(data: DataSchema, schemasPath: String) {
        self.data = data
        self.schemasPath = schemasPath
    }

    public func emit() -> String {
        var out = SwiftWriter()
        for line in ApiEmitter.banner(source: "\(schemasPath)/\(data.name).schema").split(separator: "\n") { out.line(String(line)) }
        out.line()
        let view = data.emitterView
        let all = [data.root] + data.structs
        if all.contains(where: { $0.fields.contains { $0.swiftWrapper != nil } }) { out.line("import KafkaCommon") }
        out.line("import KafkaProtocol")
        out.line("import NIOCore")
        out.line()
        var root = data.root
        root.doc = rootDoc
        func emitter(_ structure: StructSchema) -> StructEmitter {
            StructEmitter(api: view, structure: structure, carriesRecords: false, carryingRecords: [])
        }
        var top = emitter(root)
        top.isDataRoot = true
        top.nested = data.structs.map(emitter)
        top.emit(into: &out)
        return out.text
    }

    /// The schema's comment paragraphs, then the versions.
    private var rootDoc: String {
        var paragraphs: [String] = []
        var current: [String] = []
        for line in data.doc {
            if line.isEmpty {
                if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
                current = []
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
        paragraphs.append("Versions \(data.versions.lowerBound)–\(data.versions.upperBound) (Kafka 2.3); the int16 version precedes these bytes and is not part of them.")
        return paragraphs.joined(separator: "\n\n")
    }
}
