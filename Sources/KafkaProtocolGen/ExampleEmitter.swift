/// Emits, for the tests, a populated value of every struct of an API at any version: every field
/// that exists in the version holds a value other than its default (non-null, one-element arrays),
/// so encoding then decoding it exercises every field, and cutting its encoding short anywhere
/// must fail to decode.
public struct ExampleEmitter {
    public let api: ApiSchema
    /// Whether `api` is a data record's ``DataSchema/emitterView`` (its root is the top-level type).
    let isData: Bool
    /// The folder of the schema, for the banner.
    let schemasPath: String
    /// The module of the generated types.
    let module: String

    public init(api: ApiSchema) {
        self.api = api
        self.isData = false
        self.schemasPath = ProtocolGenerator.schemasPath
        self.module = "KafkaProtocol"
    }

    public init(data: DataSchema, schemasPath: String, module: String) {
        self.api = data.emitterView
        self.isData = true
        self.schemasPath = schemasPath
        self.module = module
    }

    /// The Swift name of a struct of the schema.
    private func qualified(_ structName: String) -> String {
        isData && structName == api.name ? api.name : "\(api.name).\(structName)"
    }

    public func emit() -> String {
        var out = SwiftWriter()
        for line in ApiEmitter.banner(source: "\(schemasPath)/\(api.name).schema").split(separator: "\n") {
            out.line(String(line))
        }
        out.line()
        for module in Set(["KafkaCommon", "KafkaProtocol", module]).sorted() { out.line("import \(module)") }
        out.line("import NIOCore")
        for structure in isData ? [api.request] + api.structs : [api.request, api.response] + api.structs {
            out.line()
            out.block("extension \(qualified(structure.name))") { out in
                out.line("/// Every field of `version` set to a value other than its default.")
                out.block("static func example(version: Int16) -> Self") { out in
                    if structure.fields.isEmpty && !api.hasFlexibleCodecVersions {
                        out.line("Self()")
                        return
                    }
                    out.line("var value = Self()")
                    for (index, field) in structure.fields.enumerated() {
                        let property = "value.\(SwiftNames.bareProperty(field.name))"
                        let assignment = "\(property) = \(exampleValue(field, seed: index + 2))"
                        if let condition = field.versions.condition(within: api.codecVersions) {
                            if condition != "false" { out.line("if \(condition) { \(assignment) }") }
                        } else {
                            out.line(assignment)
                        }
                    }
                    if api.hasFlexibleCodecVersions {
                        out.block("if \(api.name).isFlexible(version)") { out in
                            out.line("value.taggedFields = TaggedFields([TaggedField(tag: 1000, data: ByteBuffer(bytes: [0x2a]))])")
                        }
                    }
                    out.line("return value")
                }
            }
        }
        return out.text
    }

    private func exampleValue(_ field: FieldSchema, seed: Int) -> String {
        switch field.type {
        case .array(let element): return "[\(elementValue(element, field: field, seed: seed))]"
        case .bool: return field.defaultValue == "true" ? "false" : "true"
        default: return elementValue(field.type, field: field, seed: seed)
        }
    }

    private func elementValue(_ type: FieldType, field: FieldSchema, seed: Int) -> String {
        switch type {
        case .bool: return "true"
        case .int8, .int16, .int32, .int64, .uint16:
            return field.swiftWrapper.map { "\($0)(rawValue: \(seed))" } ?? "\(seed)"
        case .float64: return "\(seed).5"
        case .string: return "\"\(field.name)\""
        case .bytes, .records: return "ByteBuffer(string: \"\(field.name)\")"
        case .uuid: return "Uuid(mostSignificantBits: \(seed), leastSignificantBits: \(seed + 1))"
        case .error: return "ErrorCode(rawValue: \(seed))"
        case .apiKey: return "ApiKey(rawValue: \(seed))"
        case .structure(let name): return "\(qualified(name)).example(version: version)"
        case .array: return "[]"
        }
    }
}
