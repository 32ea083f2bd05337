/// Reads one schema file: an API (``ApiSchema``) or a versioned data record (``DataSchema``).
///
/// The format is described in `Sources/KafkaProtocol/Schemas/README.md` (APIs) and
/// `Sources/GroupCoordinator/Schemas/README.md` (data records). Errors name the file
/// and line. The parser is a single pass over the lines with a stack of open structs: a field
/// line indented one level deeper than the previous struct-typed field belongs to that field's
/// struct.
public struct SchemaParser {
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    let file: String

    public init(file: String) { self.file = file }

    /// A struct being filled: its name, doc, fields, and the indentation of its fields.
    private struct OpenStruct {
        var name: String
        var doc: String
        var fields: [FieldSchema]
        var indent: Int
    }

    /// Parses an API schema; a data schema is an error here.
    public func parse(_ text: String) throws(ParseError) -> ApiSchema {
        switch try parseFile(text) {
        case .api(let api): return api
        case .data(let data): throw ParseError(file: file, line: 1, message: "`data \(data.name)` is a data schema, not an API")
        }
    }

    /// Parses an API schema (`api <Name> key <N>` with `request` and `response`) or a data schema
    /// (`data <Name>` with `fields`).
    public func parseFile(_ text: String) throws(ParseError) -> SchemaFile {
        var name: String?
        var isData = false
        var key: Int16?
        var versions: ClosedRange<Int16>?
        var codecVersions: ClosedRange<Int16>?
        var flexible: Int16??
        var doc: [String] = []
        var pendingComments: [String] = []

        var sections: [String: StructSchema] = [:]
        var named: [StructSchema] = []
        var stack: [OpenStruct] = []
        var section: String?
        var order: [String] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // Shared structs may be used above their `struct` block.
        let sharedNames = Set(lines.compactMap { line -> String? in
            let words = line.split(separator: " ")
            return words.count >= 2 && words[0] == "struct" && (words.count == 2 || words[2] == "--") ? String(words[1]) : nil
        })

        func fail(_ line: Int, _ message: String) -> ParseError { ParseError(file: file, line: line, message: message) }

        /// Closes open structs down to `depth` entries, recording named ones.
        func close(to depth: Int) {
            while stack.count > depth {
                let open = stack.removeLast()
                let closed = StructSchema(name: open.name, doc: open.doc, fields: open.fields)
                if stack.isEmpty, let section, section != "struct" {
                    sections[section] = closed
                } else {
                    named.append(closed)
                }
            }
        }

        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            let indent = rawLine.prefix { $0 == " " }.count
            let line = rawLine.dropFirst(indent).trimmingTrailingSpaces()
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                if section == nil { pendingComments.append(String(line.dropFirst().drop { $0 == " " })) }
                continue
            }
            if rawLine.contains("\t") { throw fail(lineNumber, "tabs are not allowed; indent with two spaces") }

            if indent == 0 {
                let words = line.withoutTrailingComment().split(separator: " ")
                switch words.first {
                case "api":
                    guard words.count == 4, words[2] == "key", let k = Int16(words[3]) else {
                        throw fail(lineNumber, "expected `api <Name> key <N>`")
                    }
                    guard name == nil else { throw fail(lineNumber, "a second `api` or `data` line") }
                    name = String(words[1])
                    key = k
                    doc = pendingComments
                    while doc.last == "" { doc.removeLast() }
                case "data":
                    guard words.count == 2, words[1].first?.isUppercase == true else {
                        throw fail(lineNumber, "expected `data <UpperCamelName>`")
                    }
                    guard name == nil else { throw fail(lineNumber, "a second `api` or `data` line") }
                    name = String(words[1])
                    isData = true
                    doc = pendingComments
                    while doc.last == "" { doc.removeLast() }
                case "fields":
                    guard words.count == 1 else { throw fail(lineNumber, "`fields` stands alone on its line") }
                    guard isData, let name else { throw fail(lineNumber, "`fields` belongs to a data schema, after its `data <Name>` line") }
                    close(to: 0)
                    guard sections["fields"] == nil else { throw fail(lineNumber, "a second `fields`") }
                    section = "fields"
                    stack = [OpenStruct(name: name, doc: "", fields: [], indent: 2)]
                case "versions", "codec-versions":
                    guard words.count == 2, let range = VersionRange(parsing: words[1]), let high = range.highest else {
                        throw fail(lineNumber, "expected `\(words[0]) <low>-<high>`")
                    }
                    if words[0] == "versions" { versions = range.lowest...high } else { codecVersions = range.lowest...high }
                case "flexible":
                    if words.count == 2, words[1] == "none" {
                        flexible = .some(nil)
                    } else if words.count == 2, let range = VersionRange(parsing: words[1]), range.highest == nil {
                        flexible = .some(range.lowest)
                    } else {
                        throw fail(lineNumber, "expected `flexible <N>+` or `flexible none`")
                    }
                case "request", "response":
                    guard words.count == 1 else { throw fail(lineNumber, "`\(words[0])` stands alone on its line") }
                    guard !isData else { throw fail(lineNumber, "a data schema has `fields`, not `\(words[0])`") }
                    close(to: 0)
                    guard sections[String(words[0])] == nil else { throw fail(lineNumber, "a second `\(words[0])`") }
                    section = String(words[0])
                    stack = [OpenStruct(name: words[0] == "request" ? "Request" : "Response", doc: "", fields: [], indent: 2)]
                case "struct":
                    // `struct Name [-- doc]`: the doc becomes the shared struct's doc comment.
                    let header = line.withoutTrailingComment()
                    let docStart = header.range(of: " -- ")
                    let declaration = (docStart.map { header[..<$0.lowerBound] } ?? header).split(separator: " ")
                    let structDoc = docStart.map { String(header[$0.upperBound...].drop { $0 == " " }.trimmingTrailingSpaces()) } ?? ""
                    guard declaration.count == 2, declaration[1].first?.isUppercase == true else {
                        throw fail(lineNumber, "expected `struct <UpperCamelName> [-- doc]`")
                    }
                    close(to: 0)
                    section = "struct"
                    stack = [OpenStruct(name: String(declaration[1]), doc: structDoc, fields: [], indent: 2)]
                    order.append(String(declaration[1]))
                default:
                    throw fail(lineNumber, "unknown line `\(line)`")
                }
                continue
            }

            guard !stack.isEmpty else { throw fail(lineNumber, "a field outside `request`, `response`, `fields` or `struct`") }
            guard indent % 2 == 0 else { throw fail(lineNumber, "indentation must be a multiple of two spaces") }
            guard let depth = stack.firstIndex(where: { $0.indent == indent }) else {
                throw fail(lineNumber, "indentation of \(indent) spaces matches no open struct")
            }
            close(to: depth + 1)
            let field: FieldSchema
            do {
                field = try FieldLineParser.parse(line)
            } catch {
                throw fail(lineNumber, error.message)
            }
            stack[depth].fields.append(field)
            // A struct-typed field opens its struct unless the struct is shared (declared on its own).
            if let structName = field.type.structName, !sharedNames.contains(structName) {
                let nextLine = lines.dropFirst(index + 1).first { !$0.trimmingTrailingSpaces().isEmpty && !$0.drop { $0 == " " }.hasPrefix("#") }
                let nextIndent = nextLine.map { $0.prefix { $0 == " " }.count } ?? 0
                if nextIndent > indent {
                    stack.append(OpenStruct(name: structName, doc: field.doc, fields: [], indent: indent + 2))
                    order.append(structName)
                }
            }
        }
        close(to: 0)
        // Structs close innermost first; list them in the order they open, outermost first.
        named.sort { (order.firstIndex(of: $0.name) ?? .max) < (order.firstIndex(of: $1.name) ?? .max) }

        if isData, let name {
            guard let versions else { throw fail(1, "no `versions` line") }
            guard let flexible else { throw fail(1, "no `flexible` line") }
            guard flexible == nil else { throw fail(1, "a data record is never flexible: write `flexible none`") }
            guard codecVersions == nil else { throw fail(1, "a data schema has only `versions`, no `codec-versions`") }
            guard let root = sections["fields"] else { throw fail(1, "no `fields` section") }
            let data = DataSchema(name: name, versions: versions, doc: doc, root: root, structs: named)
            guard !named.contains(where: { $0.name == name }) else { throw fail(1, "struct \(name) has the record's own name") }
            guard !([root] + named).contains(where: { $0.fields.contains { $0.type == .records } }) else {
                throw fail(1, "a data record has no `records` field")
            }
            try validate(data.emitterView, fail: fail)
            return .data(data)
        }
        guard let name, let key else { throw fail(1, "no `api <Name> key <N>` or `data <Name>` line") }
        guard let versions else { throw fail(1, "no `versions` line") }
        guard let flexible else { throw fail(1, "no `flexible` line") }
        guard let request = sections["request"] else { throw fail(1, "no `request` section") }
        guard let response = sections["response"] else { throw fail(1, "no `response` section") }
        let codec = codecVersions ?? versions
        guard codec.lowerBound <= versions.lowerBound, codec.upperBound >= versions.upperBound else {
            throw fail(1, "codec-versions \(codec) must contain versions \(versions)")
        }
        let schema = ApiSchema(
            name: name, key: key, versions: versions, codecVersions: codec, firstFlexibleVersion: flexible,
            doc: doc, request: request, response: response, structs: named)
        try validate(schema, fail: fail)
        return .api(schema)
    }

    /// Checks the invariants ``ApiSchema`` promises.
    private func validate(_ schema: ApiSchema, fail: (Int, String) -> ParseError) throws(ParseError) {
        var seen: Set<String> = ["Request", "Response"]
        for shared in schema.structs {
            guard seen.insert(shared.name).inserted else { throw fail(1, "struct \(shared.name) is defined twice") }
        }
        for structure in [schema.request, schema.response] + schema.structs {
            var tags: Set<UInt32> = []
            for field in structure.fields {
                if let name = field.type.structName, schema.structNamed(name) == nil {
                    throw fail(1, "\(structure.name).\(field.name): no struct \(name) is defined")
                }
                if let tag = field.tag {
                    guard tags.insert(tag).inserted else { throw fail(1, "\(structure.name): tag \(tag) used twice") }
                    guard let first = schema.firstFlexibleVersion, field.versions.lowest >= first else {
                        throw fail(1, "\(structure.name).\(field.name): a tagged field must lie within the flexible versions")
                    }
                }
            }
        }
    }
}

/// Parses the text of one field line: `name type [attributes…] [-- doc]`.
enum FieldLineParser {
    struct Failure: Error { var message: String }

    static func parse(_ line: Substring) throws(Failure) -> FieldSchema {
        var spec = line
        var doc = ""
        if let range = line.range(of: " -- ") {
            spec = line[..<range.lowerBound]
            doc = String(line[range.upperBound...].drop { $0 == " " }.trimmingTrailingSpaces())
        } else if line.hasSuffix(" --") {
            spec = line.dropLast(3)
        }
        var words = tokens(spec)
        guard words.count >= 2 else { throw Failure(message: "expected `name type [attributes] -- doc`") }
        let name = words.removeFirst()
        guard name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }), name.first?.isLetter == true else {
            throw Failure(message: "field name `\(name)` must be snake_case")
        }
        var typeText = Substring(words.removeFirst())
        var nullableEverywhere = false
        if typeText.hasSuffix("?") {
            nullableEverywhere = true
            typeText = typeText.dropLast()
        }
        let type = try parseType(typeText)
        var field = FieldSchema(name: name, type: type, doc: doc)
        if nullableEverywhere { field.nullableVersions = .all }

        while !words.isEmpty {
            let word = words.removeFirst()
            switch word {
            case "null":
                guard let next = words.first, let range = VersionRange(parsing: Substring(next)) else {
                    throw Failure(message: "`null` needs versions, e.g. `null v1+`")
                }
                words.removeFirst()
                field.nullableVersions = range
            case "tag":
                guard let next = words.first, let tag = UInt32(next) else { throw Failure(message: "`tag` needs a number") }
                words.removeFirst()
                field.tag = tag
            case "default":
                guard let next = words.first else { throw Failure(message: "`default` needs a value") }
                words.removeFirst()
                field.defaultValue = next
            case "as":
                guard let next = words.first, next.first?.isUppercase == true else { throw Failure(message: "`as` needs a Swift type") }
                words.removeFirst()
                let element: FieldType
                if case .array(let e) = type { element = e } else { element = type }
                guard element.isInteger else { throw Failure(message: "`as \(next)` applies to integers only") }
                field.swiftWrapper = next
            default:
                guard word.first == "v", let range = VersionRange(parsing: Substring(word)) else {
                    throw Failure(message: "unknown attribute `\(word)`")
                }
                field.versions = range
            }
        }
        if field.type == .records, field.nullableVersions == nil { field.nullableVersions = .all }
        if case .structure = field.type, field.tag == nil, field.nullableVersions != nil {
            throw Failure(message: "a nullable single struct is not supported")
        }
        return field
    }

    static func parseType(_ text: Substring) throws(Failure) -> FieldType {
        if text.hasPrefix("[") && text.hasSuffix("]") {
            let element = try parseType(text.dropFirst().dropLast())
            if case .array = element { throw Failure(message: "arrays of arrays are not supported") }
            if element == .records { throw Failure(message: "an array of records is not a Kafka type") }
            return .array(element)
        }
        if let primitive = FieldType.primitives[String(text)] { return primitive }
        guard text.first?.isUppercase == true, text.allSatisfy({ $0.isLetter || $0.isNumber }) else {
            throw Failure(message: "unknown type `\(text)`")
        }
        return .structure(String(text))
    }

    /// Splits on spaces, keeping a double-quoted default (which may hold spaces) as one token.
    static func tokens(_ text: Substring) -> [String] {
        var result: [String] = []
        var current = ""
        var quoted = false
        for character in text {
            if character == "\"" { quoted.toggle() }
            if character == " " && !quoted {
                if !current.isEmpty { result.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }
}

extension Substring {
    func trimmingTrailingSpaces() -> Substring {
        var text = self
        while text.last == " " || text.last == "\r" { text = text.dropLast() }
        return text
    }

    /// The line without a trailing `# comment` (header lines only).
    func withoutTrailingComment() -> Substring {
        guard let hash = firstIndex(of: "#") else { return self }
        return self[..<hash].trimmingTrailingSpaces()
    }
}
