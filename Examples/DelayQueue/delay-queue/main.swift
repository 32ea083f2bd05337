// delay-queue: seed 000 §IV's delay queue on the purgatory's hierarchical timing wheel.
//
//   delay-queue demo  [--count N] [--max-delay-ms MS] [--cancel-every K]
//       N delayed messages on the real clock (SystemTimer + a reaper loop): every K-th cancelled,
//       the rest delivered when due; prints counts and how late the deliveries were.
//   delay-queue bench [--sizes 10000,100000,1000000] [--rounds R] [--spread-ms MS] [--step-ms MS]
//       The same insert / cancel / fire work on the timing wheel and on a binary-heap delay queue,
//       in simulated time; prints ns per operation (Scripts/bench-delay-queue.sh runs it).
import DelayQueueExample
import Foundation

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

func fail(_ message: String) -> Never {
    printError("delay-queue: \(message)")
    exit(2)
}

/// `--name value` pairs after the subcommand.
func options(_ arguments: ArraySlice<String>, allowed: Set<String>) -> [String: String] {
    var result: [String: String] = [:]
    var rest = arguments
    while let name = rest.popFirst() {
        guard allowed.contains(name) else { fail("unknown option \(name)") }
        guard let value = rest.popFirst() else { fail("\(name) needs a value") }
        result[name] = value
    }
    return result
}

func integer<T: FixedWidthInteger>(_ options: [String: String], _ name: String, default value: T) -> T {
    guard let text = options[name] else { return value }
    guard let parsed = T(text.replacingUnderscores()), parsed > 0 else { fail("\(name) must be a positive integer") }
    return parsed
}

extension String {
    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "demo":
    let given = options(arguments.dropFirst(), allowed: ["--count", "--max-delay-ms", "--cancel-every"])
    let demo = DelayedMessageDemo(
        count: integer(given, "--count", default: 1_000_000), maxDelayMs: integer(given, "--max-delay-ms", default: 2_000),
        cancelEvery: integer(given, "--cancel-every", default: 2))
    print("scheduling \(demo.count) delayed messages (delays 1…\(demo.maxDelayMs) ms), cancelling one in \(demo.cancelEvery)")
    let report = await demo.run()
    print("scheduled            \(report.scheduled) in \(String(format: "%.2f", report.scheduleSeconds)) s")
    print("cancelled            \(report.cancelled) (\(report.firedBeforeCancel) had fired before their cancel)")
    print("delivered            \(report.delivered) (\(report.duplicates) twice, \(report.early) early)")
    print("lateness p50/p99/max \(report.latenessP50Ms) / \(report.latenessP99Ms) / \(report.latenessMaxMs) ms")
    print("total                \(String(format: "%.2f", report.totalSeconds)) s")
    if !report.isConsistent { fail("inconsistent: a message was lost, delivered twice or delivered early") }
case "bench":
    let given = options(arguments.dropFirst(), allowed: ["--sizes", "--rounds", "--spread-ms", "--step-ms"])
    var benchmark = DelayQueueBenchmark()
    if let sizes = given["--sizes"] {
        var parsed: [Int] = []
        for field in sizes.split(separator: ",") {
            let text = String(field).replacingUnderscores()
            guard let size = Int(text), size > 1 else { fail("bad size \(field)") }
            parsed.append(size)
        }
        benchmark.sizes = parsed
    }
    benchmark.rounds = integer(given, "--rounds", default: benchmark.rounds)
    benchmark.spreadMs = integer(given, "--spread-ms", default: benchmark.spreadMs)
    benchmark.stepMs = integer(given, "--step-ms", default: benchmark.stepMs)
    let rows = await benchmark.run { line in printError(line) }
    print("delay queues: n timers with delays spread over \(benchmark.spreadMs) ms; insert n, cancel every other one,")
    print("then advance the clock in \(benchmark.stepMs) ms steps until the rest fired (best of \(benchmark.rounds) rounds)")
    print("")
    print(DelayQueueBenchmark.table(rows))
    print("")
    print("Reading it: the wheel links a timer into a bucket and unlinks it, so its columns should not grow with n.")
    print("The heap's fire is a delete-min, a sift-down through all log n levels, so it grows with n (and with")
    print("cache misses once the heap outgrows the caches); its insert and cancel of uniformly random expirations")
    print("are O(1) on average, because a new or moved node seldom climbs far.")
default:
    fail("usage: delay-queue demo [--count N] [--max-delay-ms MS] [--cancel-every K]\n"
        + "       delay-queue bench [--sizes 10000,100000,1000000] [--rounds R] [--spread-ms MS] [--step-ms MS]")
}
