/// An error a tool reports to its user: printed as is (to stderr) and the process exits 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ message: String) { description = message }
}
