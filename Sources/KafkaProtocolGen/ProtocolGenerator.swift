import Foundation

/// Turns every schema of every ``SchemaFolder`` into the checked-in Swift:
///
/// - API schemas (`Sources/KafkaProtocol/Schemas/`): `<codec>/<Api>.swift`, the API's codec;
///   `<codec>/KafkaAPIs+Generated.swift`, the list of generated APIs; `<examples>/<Api>+Examples.swift`,
///   a populated value of each struct, for the round-trip and truncation tests, and `AllExamples.swift`;
/// - data schemas (`Sources/GroupCoordinator/Schemas/`): `<codec>/<Name>.swift`, the record's struct,
///   and `<examples>/<Name>+Examples.swift`.
///
/// The output depends on the schema text alone (files in name order), so regenerating an
/// unchanged tree gives identical bytes; the regeneration test relies on that.
public struct ProtocolGenerator {
    /// A folder of schemas and where its generated code and test examples go (paths from the root).
    public struct SchemaFolder: Sendable, Equatable {
        public var schemas: String
        public var codec: String
        public var examples: String
        /// The module the generated code belongs to (imported by the examples).
        public var module: String

        public init(schemas: String, codec: String, examples: String, module: String) {
            self.schemas = schemas
            self.codec = codec
            self.examples = examples
            self.module = module
        }
    }

    public static let schemasPath = "Sources/KafkaProtocol/Schemas"
    public static let codecPath = "Sources/KafkaProtocol/Generated"
    public static let examplesPath = "Tests/KafkaProtocolTests/Generated"
    /// Where hand-written extensions of the generated types live (`<Api>+<Feature>.swift`).
    public static let handWrittenPath = "Sources/KafkaProtocol/Messages"

    /// Every schema folder, in the order they are generated.
    public static let folders: [SchemaFolder] = [
        SchemaFolder(schemas: schemasPath, codec: codecPath, examples: examplesPath, module: "KafkaProtocol"),
        SchemaFolder(
            schemas: "Sources/GroupCoordinator/Schemas", codec: "Sources/GroupCoordinator/Generated",
            examples: "Tests/GroupCoordinatorTests/Generated", module: "GroupCoordinator"),
        SchemaFolder(
            schemas: "Sources/TransactionCoordinator/Schemas", codec: "Sources/TransactionCoordinator/Generated",
            examples: "Tests/TransactionCoordinatorTests/Generated", module: "TransactionCoordinator"),
    ]

    /// The package root: the directory holding `Package.swift`.
    public let root: URL
    /// The folders this generator reads and writes.
    public let folders: [SchemaFolder]

    public init(root: URL, folders: [SchemaFolder] = ProtocolGenerator.folders) {
        self.root = root
        self.folders = folders
    }

    /// Finds the package root from `start` upwards.
    public static func findRoot(from start: URL) -> URL? {
        var directory = start.standardizedFileURL
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) { return directory }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    /// Every schema file of `folder`, parsed, in file-name order.
    public func schemaFiles(in folder: SchemaFolder) throws -> [SchemaFile] {
        let directory = root.appendingPathComponent(folder.schemas)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".schema") }.sorted()
        return try names.map { name in
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            let schema = try SchemaParser(file: "\(folder.schemas)/\(name)").parseFile(text)
            guard "\(schema.name).schema" == name else {
                throw SchemaParser.ParseError(file: name, line: 1, message: "the file must be named \(schema.name).schema")
            }
            return schema
        }
    }

    /// Every API schema of every folder, in folder then file-name order.
    public func schemas() throws -> [ApiSchema] {
        try folders.flatMap { try schemaFiles(in: $0) }.compactMap { if case .api(let api) = $0 { api } else { nil } }
    }

    /// Every data schema of every folder, in folder then file-name order.
    public func dataSchemas() throws -> [DataSchema] {
        try folders.flatMap { try schemaFiles(in: $0) }.compactMap { if case .data(let data) = $0 { data } else { nil } }
    }

    /// The generated files: relative path → contents.
    public func files() throws -> [String: String] {
        var files: [String: String] = [:]
        for folder in folders {
            var apis: [ApiSchema] = []
            for schema in try schemaFiles(in: folder) {
                switch schema {
                case .api(let api):
                    apis.append(api)
                    files["\(folder.codec)/\(api.name).swift"] = ApiEmitter(api: api, handWrittenFiles: handWrittenFiles(of: api)).emit()
                    files["\(folder.examples)/\(api.name)+Examples.swift"] = ExampleEmitter(api: api).emit()
                case .data(let data):
                    files["\(folder.codec)/\(data.name).swift"] = DataEmitter(data: data, schemasPath: "Schemas").emit()
                    files["\(folder.examples)/\(data.name)+Examples.swift"] =
                        ExampleEmitter(data: data, schemasPath: folder.schemas, module: folder.module).emit()
                }
            }
            guard !apis.isEmpty else { continue }
            files["\(folder.codec)/KafkaAPIs+Generated.swift"] = Self.apiList(apis)
            files["\(folder.examples)/AllExamples.swift"] = Self.exampleList(apis)
        }
        return files
    }

    /// The hand-written extensions of an API's generated types (`Messages/<Api>+*.swift`).
    private func handWrittenFiles(of api: ApiSchema) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(Self.handWrittenPath).path)) ?? []
        return names.filter { $0.hasPrefix("\(api.name)+") && $0.hasSuffix(".swift") }.sorted().map { "Messages/\($0)" }
    }

    /// Files that differ from what the schemas generate, and generated files no schema makes.
    public func differences() throws -> [String] {
        let expected = try files()
        var different: [String] = []
        for (path, contents) in expected.sorted(by: { $0.key < $1.key }) {
            let current = try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            if current != contents { different.append(path) }
        }
        different += try staleFiles(expected: expected)
        return different
    }

    /// Writes every generated file and removes generated files no schema makes any more.
    public func write() throws -> [String] {
        let expected = try files()
        for path in try staleFiles(expected: expected) {
            try FileManager.default.removeItem(at: root.appendingPathComponent(path))
        }
        var written: [String] = []
        for (path, contents) in expected.sorted(by: { $0.key < $1.key }) {
            let url = root.appendingPathComponent(path)
            if (try? String(contentsOf: url, encoding: .utf8)) == contents { continue }
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: url, atomically: true, encoding: .utf8)
            written.append(path)
        }
        return written
    }

    private func staleFiles(expected: [String: String]) throws -> [String] {
        var stale: [String] = []
        for directory in folders.flatMap({ [$0.codec, $0.examples] }) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(directory).path)) ?? []
            for name in names.sorted() where name.hasSuffix(".swift") && expected["\(directory)/\(name)"] == nil {
                stale.append("\(directory)/\(name)")
            }
        }
        return stale
    }

    static func apiList(_ apis: [ApiSchema]) -> String {
        var out = SwiftWriter()
        for line in ApiEmitter.banner(source: "every file in Schemas/").split(separator: "\n") { out.line(String(line)) }
        out.line()
        out.block("extension KafkaAPIs") { out in
            out.line("/// Every API with a schema, in key order.")
            out.line("public static let generated: [any KafkaAPI.Type] = [")
            for api in apis.sorted(by: { $0.key < $1.key }) { out.line("    \(api.name).self,") }
            out.line("]")
        }
        return out.text
    }

    static func exampleList(_ apis: [ApiSchema]) -> String {
        var out = SwiftWriter()
        for line in ApiEmitter.banner(source: "every file in Sources/KafkaProtocol/Schemas/").split(separator: "\n") { out.line(String(line)) }
        out.line()
        out.line("import KafkaProtocol")
        for api in apis.sorted(by: { $0.key < $1.key }) {
            out.line()
            out.block("extension \(api.name): ExampleAPI") { out in
                out.line("static func exampleRequest(version: Int16) -> Request { .example(version: version) }")
                out.line("static func exampleResponse(version: Int16) -> Response { .example(version: version) }")
            }
        }
        out.line()
        out.line("/// Every API with a schema, in key order.")
        out.line("let generatedExampleAPIs: [any ExampleAPI.Type] = [")
        for api in apis.sorted(by: { $0.key < $1.key }) { out.line("    \(api.name).self,") }
        out.line("]")
        return out.text
    }
}
