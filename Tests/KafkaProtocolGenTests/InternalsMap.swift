import Foundation

/// The reference lines of `docs/INTERNALS.md`, the map from the study notes' questions to this
/// project's code, tests and lab, and the check that everything they name still exists.
///
/// The map's form (stated at its top): each entry is a `### ` heading, a `*Seeds:*` line naming
/// the seed files (000–004) it comes from, and one line each of `- Code:`, `- Tests:` and `- Lab:`.
/// On those lines every backticked item is checked:
/// - `- Code:` items are paths (files or folders) relative to the package root;
/// - `- Lab:` items are `Scripts/lab/<scenario>.sh` or `Scripts/bench*.sh` files;
/// - `- Tests:` items are test files under `Tests/`, each optionally followed by test names,
///   `Suite/testName` or `testName()`, which must occur in that file (the suite declared in it, the
///   test as a `func`).
/// A line with no backticked item must say `not yet: issue N` or `none` (with a reason).
struct InternalsMap {
    struct Entry {
        let heading: String
        let line: Int
        var seeds: [String] = []
        var references: [String: [String]] = [:]  // "Code" / "Tests" / "Lab" → backticked items
    }

    let entries: [Entry]
    /// Form errors found while parsing: a missing or repeated line, an empty line without a reason.
    let formProblems: [String]

    static let kinds = ["Code", "Tests", "Lab"]

    init(markdown: String) {
        var entries: [Entry] = []
        var problems: [String] = []
        for (index, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            if line.hasPrefix("### ") {
                entries.append(Entry(heading: String(line.dropFirst(4)), line: lineNumber))
                continue
            }
            guard !entries.isEmpty else { continue }
            if line.hasPrefix("*Seeds:*") {
                entries[entries.count - 1].seeds = Self.seedNumbers(in: line)
                continue
            }
            for kind in Self.kinds where line.hasPrefix("- \(kind):") {
                let rest = line.dropFirst(kind.count + 3).trimmingCharacters(in: .whitespaces)
                let items = Self.backticked(rest)
                let heading = entries[entries.count - 1].heading
                if entries[entries.count - 1].references[kind] != nil {
                    problems.append("line \(lineNumber) (\(heading)): a second `- \(kind):` line")
                }
                if items.isEmpty && !(rest.hasPrefix("none") || rest.range(of: #"^not yet: issue \d+"#, options: .regularExpression) != nil) {
                    problems.append("line \(lineNumber) (\(heading)): `- \(kind):` names nothing and says neither `none` nor `not yet: issue N`")
                }
                entries[entries.count - 1].references[kind] = items
            }
        }
        for entry in entries {
            if entry.seeds.isEmpty { problems.append("line \(entry.line) (\(entry.heading)): no `*Seeds:*` line naming a seed file") }
            for kind in Self.kinds where entry.references[kind] == nil {
                problems.append("line \(entry.line) (\(entry.heading)): no `- \(kind):` line")
            }
        }
        self.entries = entries
        self.formProblems = problems
    }

    /// Everything wrong with the map against the package at `root`: form problems, then every
    /// path, test or scenario that does not exist.
    func problems(root: URL) -> [String] {
        var problems = formProblems
        var fileCache: [String: String] = [:]
        func contents(_ path: String) -> String? {
            if let text = fileCache[path] { return text }
            let text = try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            fileCache[path] = text
            return text
        }
        func exists(_ path: String) -> Bool {
            FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path)
        }
        for entry in entries {
            let at = "\(entry.heading) (line \(entry.line))"
            for path in entry.references["Code"] ?? [] where !exists(path) {
                problems.append("\(at): code `\(path)` does not exist")
            }
            for path in entry.references["Lab"] ?? [] {
                let isScenario = path.hasPrefix("Scripts/lab/") && path.hasSuffix(".sh")
                let isBenchmark = path.hasPrefix("Scripts/bench") && path.hasSuffix(".sh") && !path.dropFirst(8).contains("/")
                if !isScenario && !isBenchmark {
                    problems.append("\(at): lab `\(path)` is neither Scripts/lab/*.sh nor Scripts/bench*.sh")
                } else if !exists(path) {
                    problems.append("\(at): lab `\(path)` does not exist")
                }
            }
            var testFile: String?
            for item in entry.references["Tests"] ?? [] {
                if item.hasSuffix(".swift") {
                    testFile = item
                    if !item.hasPrefix("Tests/") { problems.append("\(at): test file `\(item)` is not under Tests/") }
                    if !exists(item) { problems.append("\(at): test file `\(item)` does not exist") }
                    continue
                }
                guard let file = testFile else {
                    problems.append("\(at): test `\(item)` comes before any test file")
                    continue
                }
                guard let text = contents(file) else { continue }  // already reported missing
                guard let test = Self.testName(item) else {
                    problems.append("\(at): `\(item)` is neither a test file, `Suite/testName` nor `testName()`")
                    continue
                }
                if let suite = test.suite, !Self.declares(suite, in: text) {
                    problems.append("\(at): suite `\(suite)` is not declared in `\(file)`")
                }
                if !text.contains("func \(test.name)(") {
                    problems.append("\(at): test `\(test.name)` is not in `\(file)`")
                }
            }
        }
        return problems
    }

    // MARK: - Parsing helpers

    static func backticked(_ text: some StringProtocol) -> [String] {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    static func seedNumbers(in line: some StringProtocol) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"\b00[0-4]\b"#)
        let text = String(line)
        return pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range, in: text).map { String(text[$0]) }
        }
    }

    /// `Suite/testName` or `testName()`; nil for anything else.
    static func testName(_ item: String) -> (suite: String?, name: String)? {
        let identifier = #"[A-Za-z_][A-Za-z0-9_]*"#
        if item.range(of: "^\(identifier)/\(identifier)$", options: .regularExpression) != nil {
            let parts = item.split(separator: "/")
            return (String(parts[0]), String(parts[1]))
        }
        if item.range(of: "^\(identifier)\\(\\)$", options: .regularExpression) != nil {
            return (nil, String(item.dropLast(2)))
        }
        return nil
    }

    static func declares(_ type: String, in text: String) -> Bool {
        ["struct", "class", "extension", "enum", "actor"].contains { text.contains("\($0) \(type) ") || text.contains("\($0) \(type):") || text.contains("\($0) \(type){") }
    }
}
