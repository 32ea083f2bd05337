import Foundation

/// Text a tool prints, in order and by stream, so formatting can be tested without a process:
/// Kafka's tools print tables and `Error:` lines to stdout and warnings to stderr, and a test
/// checks both.
struct ToolOutput: Sendable, Equatable {
    enum Stream: Sendable, Equatable { case stdout, stderr }

    /// Everything printed, in order; consecutive text on one stream stays in one chunk.
    private(set) var chunks: [(stream: Stream, text: String)] = []
    /// True once an `Error:` line was printed; the command then exits with status 1 (Kafka 2.3's
    /// tool exits 0 after printing it; scripts here get a status they can test).
    var hasError = false

    var stdout: String { chunks.filter { $0.stream == .stdout }.map(\.text).joined() }
    var stderr: String { chunks.filter { $0.stream == .stderr }.map(\.text).joined() }

    /// Kafka's `println` to stdout.
    mutating func println(_ line: String = "") { write(line + "\n", to: .stdout) }

    /// Kafka's `print` to stdout (no newline).
    mutating func print(_ text: String) { write(text, to: .stdout) }

    /// `Console.err.println`.
    mutating func printlnError(_ line: String) { write(line + "\n", to: .stderr) }

    /// Kafka's `ConsumerGroupCommand.printError`: a blank line, then `Error: message`, on stdout.
    mutating func printError(_ message: String) {
        println("\nError: \(message)")
        hasError = true
    }

    mutating func append(_ other: ToolOutput) {
        for chunk in other.chunks { write(chunk.text, to: chunk.stream) }
        hasError = hasError || other.hasError
    }

    private mutating func write(_ text: String, to stream: Stream) {
        if let last = chunks.indices.last, chunks[last].stream == stream {
            chunks[last].text += text
        } else {
            chunks.append((stream, text))
        }
    }

    /// Writes the chunks, in order, to the process's stdout and stderr.
    func emit() {
        var standardError = StandardError()
        for chunk in chunks {
            switch chunk.stream {
            case .stdout: Swift.print(chunk.text, terminator: "")
            case .stderr:
                fflush(nil)
                Swift.print(chunk.text, terminator: "", to: &standardError)
            }
        }
    }

    static func == (lhs: ToolOutput, rhs: ToolOutput) -> Bool {
        lhs.hasError == rhs.hasError && lhs.chunks.elementsEqual(rhs.chunks) { $0.stream == $1.stream && $0.text == $1.text }
    }
}

/// Java's `%-Ns`: `text` left-aligned in a field of at least `width` characters.
func leftAligned(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
