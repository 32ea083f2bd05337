import Foundation

/// Turns every schema under `Sources/KafkaProtocol/Schemas/` into the checked-in Swift:
///
/// - `Sources/KafkaProtocol/Generated/<Api>.swift`: the API's codec;
/// - `Sources/KafkaProtocol/Generated/KafkaAPIs+Generated.swift`: the list of generated APIs;
/// - `Tests/KafkaProtocolTests/Generated/<Api>+Examples.swift`: a populated value of each struct,
///   for the round-trip and truncation tests.
///
/// The output depends on the schema text alone (files in name order), so regenerating an
/// unchanged tree gives identical bytes; the regeneration test relies on that.
public struct ProtocolGenerator {
    public static let schemasPath = "Sources/KafkaProtocol/Schemas"
    public static let codecPath = "Sources/KafkaProtocol/Generated"
    public static let examplesPath = "Tests/KafkaProtocolTests/Generated"
    /// Where hand-written extensions of the generated types live (`<Api>+<Feature>.swift`).
    public static let handWrittenPath = "Sources/KafkaProtocol/Messages"

    /// The package root: the directory holding `Package.swift`.
    public let root: URL

    public init(root: URL) { self.root = root }

    /// Finds the package root from `start` upwards.
    public static func findRoot(from start: URL) -> URL? {
        var directory = start.standardizedFileURL
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) { return directory }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    /// Every schema, parsed, in file-name order.
    public func schemas() throws -> [ApiSchema] {
        let directory = root.appendingPathComponent(Self.schemasPath)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".schema") }.sorted()
        return try names.map { name in
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            let schema = try SchemaParser(file: "\(Self.schemasPath)/\(name)").parse(text)
            guard "\(schema.name).schema" == name else {
                throw SchemaParser.ParseError(file: name, line: 1, message: "the file must be named \(schema.name).schema")
            }
            return schema
        }
    }

    /// The generated files: relative path → contents.
    public func files() throws -> [String: String] {
        let apis = try schemas()
        var files: [String: String] = [:]
        let extensions = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(Self.handWrittenPath).path)) ?? []
        for api in apis {
            let handWritten = extensions.filter { $0.hasPrefix("\(api.name)+") && $0.hasSuffix(".swift") }.sorted().map { "Messages/\($0)" }
            files["\(Self.codecPath)/\(api.name).swift"] = ApiEmitter(api: api, handWrittenFiles: handWritten).emit()
            files["\(Self.examplesPath)/\(api.name)+Examples.swift"] = ExampleEmitter(api: api).emit()
        }
        files["\(Self.codecPath)/KafkaAPIs+Generated.swift"] = Self.apiList(apis)
        files["\(Self.examplesPath)/AllExamples.swift"] = Self.exampleList(apis)
        return files
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
        for directory in [Self.codecPath, Self.examplesPath] {
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
