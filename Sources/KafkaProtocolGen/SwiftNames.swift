/// How schema names become Swift names.
enum SwiftNames {
    /// `log_start_offset` → `logStartOffset`, with keywords escaped in backticks.
    static func property(_ snake: String) -> String {
        let parts = snake.split(separator: "_")
        guard let first = parts.first else { return snake }
        let camel = String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return keywords.contains(camel) ? "`\(camel)`" : camel
    }

    /// The property name without backticks, for use inside other identifiers.
    static func bareProperty(_ snake: String) -> String {
        property(snake).filter { $0 != "`" }
    }

    /// `Produce` → `produce`: the name of the API's constant on `ApiKey`.
    static func apiKeyConstant(_ apiName: String) -> String {
        apiName.prefix(1).lowercased() + apiName.dropFirst()
    }

    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "protocol", "public", "rethrows", "static", "struct",
        "subscript", "typealias", "var", "break", "case", "continue", "default", "defer", "do", "else",
        "fallthrough", "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while", "as", "Any",
        "catch", "false", "is", "nil", "super", "self", "Self", "throw", "throws", "true", "try",
    ]
}

/// Collects lines of Swift with indentation.
struct SwiftWriter {
    private(set) var lines: [String] = []
    private var depth = 0

    /// One line, or several: a text with line breaks keeps its own relative indentation.
    mutating func line(_ text: String = "") {
        for part in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lines.append(part.isEmpty ? "" : String(repeating: "    ", count: depth) + part)
        }
    }

    /// `header {`, the body indented, `}`.
    mutating func block(_ header: String, _ body: (inout SwiftWriter) -> Void) {
        line(header + " {")
        depth += 1
        body(&self)
        depth -= 1
        line("}")
    }

    /// `if condition { … } else { … }`.
    mutating func ifElse(_ condition: String, _ then: (inout SwiftWriter) -> Void, else otherwise: (inout SwiftWriter) -> Void) {
        line("if \(condition) {")
        depth += 1
        then(&self)
        depth -= 1
        line("} else {")
        depth += 1
        otherwise(&self)
        depth -= 1
        line("}")
    }

    /// A trailing closure: `header` ends the line (e.g. `… { (x) in`), the body is indented, `}` closes it.
    mutating func closure(_ header: String, _ body: (inout SwiftWriter) -> Void) {
        line(header)
        depth += 1
        body(&self)
        depth -= 1
        line("}")
    }

    /// Doc comment lines, each paragraph line folded to fit in `width` columns.
    mutating func doc(_ text: String, width: Int = 100) {
        let room = max(40, width - depth * 4 - 4)
        for part in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard !part.isEmpty else {
                line("///")
                continue
            }
            var current = ""
            for word in part.split(separator: " ") {
                if !current.isEmpty && current.count + 1 + word.count > room {
                    line("/// \(current)")
                    current = ""
                }
                current += current.isEmpty ? String(word) : " \(word)"
            }
            line("/// \(current)")
        }
    }

    var text: String { lines.joined(separator: "\n") + "\n" }
}
