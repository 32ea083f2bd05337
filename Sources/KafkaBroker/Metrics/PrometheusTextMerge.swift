/// Joins Prometheus text-format expositions into one in which each metric family appears once
/// (one `# HELP`, one `# TYPE`, then every sample of the family).
///
/// Why: swift-prometheus keeps a family either unlabeled or labeled, never both, while the JMX
/// exporter's Kafka names have both in one family: the all-topics
/// `kafka_server_brokertopicmetrics_messagesin_total` beside `…{topic="orders"}`. So the broker
/// keeps those unlabeled series in a second registry (`BrokerMetrics.aggregateRegistry`) and
/// merges the two renderings at scrape time; a family split over two `# TYPE` lines would be
/// refused by Prometheus' parser.
///
/// Cost: the base exposition (every metric of the broker, hundreds of kilobytes with a thousand
/// partitions) is scanned once as bytes and copied line by line into one buffer; only its header
/// lines are turned into strings. The extra exposition (a few families) is indexed by family.
/// Each exposition is assumed to name each family once, as a registry renders it.
enum PrometheusTextMerge {
    /// One family of the extra exposition: its header lines and sample lines (newline included).
    struct Family {
        var help: ArraySlice<UInt8>?
        var type: ArraySlice<UInt8>?
        var samples: [ArraySlice<UInt8>] = []
        var merged = false
    }

    static let newline = UInt8(ascii: "\n")

    /// The lines of `text`, each with its newline (a last line without one gets none).
    static func forEachLine(_ text: [UInt8], _ body: (ArraySlice<UInt8>) -> Void) {
        var start = 0
        text.withUnsafeBufferPointer { bytes in
            var index = 0
            while index < bytes.count {
                if bytes[index] == newline {
                    body(text[start...index])
                    start = index + 1
                }
                index += 1
            }
        }
        if start < text.count { body(text[start...]) }
    }

    /// "HELP" or "TYPE" and the family's name, for a header line; nil for any other line.
    static func header(_ line: ArraySlice<UInt8>) -> (isHelp: Bool, name: String)? {
        guard line.count > 7, line.starts(with: "# HELP ".utf8) || line.starts(with: "# TYPE ".utf8) else { return nil }
        let isHelp = line[line.startIndex + 2] == UInt8(ascii: "H")
        let rest = line[(line.startIndex + 7)...]
        let end = rest.firstIndex { $0 == UInt8(ascii: " ") || $0 == newline } ?? rest.endIndex
        return (isHelp, String(decoding: rest[..<end], as: UTF8.self))
    }

    /// `base` with the families of `extra` joined in: an extra family that `base` also has puts
    /// its samples after `base`'s (its `# HELP` too when `base` has none); the others follow at
    /// the end, in `extra`'s order.
    static func merge(_ base: [UInt8], _ extra: [UInt8]) -> [UInt8] {
        var order: [String] = []
        var families: [String: Family] = [:]
        var current: String?
        forEachLine(extra) { line in
            if let (isHelp, name) = header(line) {
                if families[name] == nil {
                    families[name] = Family()
                    order.append(name)
                }
                if isHelp { families[name]?.help = line } else { families[name]?.type = line }
                current = name
            } else if !line.starts(with: "#".utf8), let name = current {
                families[name]?.samples.append(line)
            }
        }

        var output: [UInt8] = []
        output.reserveCapacity(base.count + extra.count + 64)
        func appendLine(_ line: ArraySlice<UInt8>) {
            output.append(contentsOf: line)
            if line.last != newline { output.append(newline) }
        }
        func flush(_ name: String?) {
            guard let name, let family = families[name], !family.merged else { return }
            for sample in family.samples { appendLine(sample) }
            families[name]?.merged = true
        }
        current = nil
        forEachLine(base) { line in
            if let (isHelp, name) = header(line), name != current {
                flush(current)
                current = name
                if !isHelp, let help = families[name]?.help { appendLine(help) }
            }
            appendLine(line)
        }
        flush(current)
        for name in order {
            guard let family = families[name], !family.merged else { continue }
            if let help = family.help { appendLine(help) }
            if let type = family.type { appendLine(type) }
            for sample in family.samples { appendLine(sample) }
        }
        return output
    }

    /// The expositions joined, left to right.
    static func merge(_ expositions: [String]) -> String {
        guard let first = expositions.first else { return "" }
        let merged = expositions.dropFirst().reduce(Array(first.utf8)) { merge($0, Array($1.utf8)) }
        return String(decoding: merged, as: UTF8.self)
    }
}
