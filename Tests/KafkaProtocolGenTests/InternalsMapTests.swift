import Foundation
import Testing

/// `docs/INTERNALS.md` names files, tests and lab scenarios; this suite fails as soon as one of
/// them is renamed or removed, so the map cannot silently rot.
@Suite struct InternalsMapTests {
    /// The package root: three levels above this file (Tests/KafkaProtocolGenTests/<file>).
    static let root: URL = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        precondition(FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path))
        return root
    }()

    static func map() throws -> InternalsMap {
        InternalsMap(markdown: try String(contentsOf: root.appendingPathComponent("docs/INTERNALS.md"), encoding: .utf8))
    }

    @Test func everyFileTestAndScenarioTheMapNamesExists() throws {
        let map = try Self.map()
        let problems = map.problems(root: Self.root)
        #expect(problems.isEmpty, "docs/INTERNALS.md:\n\(problems.joined(separator: "\n"))")
        #expect(map.entries.count >= 40)
        let references = map.entries.flatMap { $0.references.values.flatMap { $0 } }
        #expect(references.count > 300, "the map names its code, tests and lab")
    }

    @Test func everySeedFileIsMapped() throws {
        let seeds = Set(try Self.map().entries.flatMap(\.seeds))
        #expect(seeds == ["000", "001", "002", "003", "004"])
    }

    /// The check itself: a map naming a missing file, test, suite and scenario, or leaving a line
    /// out, yields one problem for each.
    @Test func theCheckReportsEachKindOfBrokenReference() {
        let map = InternalsMap(markdown: """
            ### Good
            *Seeds:* 003 §8.2
            - Code: `Sources/KafkaPurgatory/TimingWheel.swift`, `Sources/Controller`
            - Tests: `Tests/KafkaPurgatoryTests/SystemTimerTests.swift` (`cancelledTasksNeverRun()`, `SystemTimerTests/aTaskMovesDownTheWheelsAsInTheWorkedExample`)
            - Lab: `Scripts/lab/kill-controller.sh`, `Scripts/bench.sh`
            ### Not yet
            *Seeds:* 001
            - Code: not yet: issue 13
            - Tests: none — client side
            - Lab: not yet: issue 13
            ### Broken
            *Seeds:* 000 §IV
            - Code: `Sources/KafkaPurgatory/TimingWheels.swift`
            - Tests: `testBeforeAnyFile()`, `Tests/KafkaPurgatoryTests/SystemTimerTests.swift` (`noSuchTest()`, `NoSuchSuite/cancelledTasksNeverRun`, `not a test`), `Tests/Missing.swift`
            - Lab: `Scripts/lab/no-such-scenario.sh`, `Scripts/quickstart.sh`
            ### Incomplete
            - Code:
            - Tests: `Tests/KafkaPurgatoryTests/TimingWheelTests.swift`
            """)
        let problems = map.problems(root: Self.root)
        let expected = [
            "line 16 (Incomplete): no `*Seeds:*` line naming a seed file",
            "`- Code:` names nothing",
            "no `- Lab:` line",
            "code `Sources/KafkaPurgatory/TimingWheels.swift` does not exist",
            "test `testBeforeAnyFile()` comes before any test file",
            "test `noSuchTest` is not in",
            "suite `NoSuchSuite` is not declared",
            "`not a test` is neither",
            "test file `Tests/Missing.swift` does not exist",
            "lab `Scripts/lab/no-such-scenario.sh` does not exist",
            "lab `Scripts/quickstart.sh` is neither",
        ]
        for text in expected {
            #expect(problems.contains { $0.contains(text) }, "expected a problem containing: \(text)\nall: \(problems)")
        }
        #expect(problems.count == expected.count, "\(problems)")
        #expect(!problems.contains { $0.contains("Good") || $0.contains("Not yet") })
    }
}
