/// The `.properties` text format of `server.properties` and `meta.properties` (Java's
/// `Properties.load`): `key=value`, `key:value` or `key value`; `#` and `!` comment lines; a line
/// ending in an odd number of backslashes continues on the next; `\t \n \r \f \uXXXX` escapes.
/// Later keys win. Every entry keeps the line it started on, for error messages.
public struct JavaProperties: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: String
        public var line: Int
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public init(parsing text: String) {
        var logical = ""
        var startLine = 0
        var continuing = false
        // "\r\n" is one Character in Swift; Java ends lines at "\n", "\r" or "\r\n".
        let rawLines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for (index, rawLine) in rawLines.enumerated() {
            var line = Substring(rawLine)
            if continuing {
                line = line.drop { $0 == " " || $0 == "\t" || $0 == "\u{0C}" }
            } else {
                let trimmed = line.drop { $0 == " " || $0 == "\t" || $0 == "\u{0C}" }
                if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix("!") { continue }
                line = trimmed
                startLine = index + 1
                logical = ""
            }
            let trailingBackslashes = line.reversed().prefix { $0 == "\\" }.count
            if trailingBackslashes % 2 == 1 {
                logical += line.dropLast()
                continuing = true
                continue
            }
            logical += line
            continuing = false
            append(logical: logical, line: startLine)
        }
        if continuing { append(logical: logical, line: startLine) }
    }

    private mutating func append(logical: String, line: Int) {
        let characters = Array(logical)
        var index = 0
        var key = ""
        while index < characters.count {
            let character = characters[index]
            if character == "\\", index + 1 < characters.count {
                key.append(Self.unescape(characters, &index))
                continue
            }
            if character == "=" || character == ":" || character == " " || character == "\t" || character == "\u{0C}" { break }
            key.append(character)
            index += 1
        }
        while index < characters.count, characters[index] == " " || characters[index] == "\t" { index += 1 }
        if index < characters.count, characters[index] == "=" || characters[index] == ":" { index += 1 }
        while index < characters.count, characters[index] == " " || characters[index] == "\t" { index += 1 }
        var value = ""
        while index < characters.count {
            if characters[index] == "\\", index + 1 < characters.count {
                value.append(Self.unescape(characters, &index))
            } else {
                value.append(characters[index])
                index += 1
            }
        }
        set(key, value, line: line)
    }

    /// Reads the escape starting at `index` (a backslash) and moves past it.
    private static func unescape(_ characters: [Character], _ index: inout Int) -> Character {
        let escaped = characters[index + 1]
        index += 2
        switch escaped {
        case "t": return "\t"
        case "n": return "\n"
        case "r": return "\r"
        case "f": return "\u{0C}"
        case "u":
            guard index + 4 <= characters.count,
                  let code = UInt32(String(characters[index..<index + 4]), radix: 16),
                  let scalar = Unicode.Scalar(code)
            else { return "u" }
            index += 4
            return Character(scalar)
        default: return escaped
        }
    }

    public subscript(key: String) -> String? {
        entries.last { $0.key == key }?.value
    }

    public func entry(_ key: String) -> Entry? {
        entries.last { $0.key == key }
    }

    public mutating func set(_ key: String, _ value: String, line: Int = 0) {
        entries.removeAll { $0.key == key }
        entries.append(Entry(key: key, value: value, line: line))
    }

    public var keys: [String] { entries.map(\.key) }
}
