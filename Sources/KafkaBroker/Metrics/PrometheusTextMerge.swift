/// Joins several Prometheus text-format expositions into one in which each metric family appears
/// once (one `# HELP`, one `# TYPE`, then every sample of the family).
///
/// Why: swift-prometheus keeps a family either unlabeled or labeled, never both, while the JMX
/// exporter's Kafka names have both in one family: the all-topics
/// `kafka_server_brokertopicmetrics_messagesin_total` beside `…{topic="orders"}`. So the broker
/// keeps those unlabeled series in a second registry (`BrokerMetrics.aggregateRegistry`) and
/// merges the two renderings at scrape time; a family split over two `# TYPE` lines would be
/// refused by Prometheus' parser.
enum PrometheusTextMerge {
    struct Family {
        var help: String?
        var type: String?
        var samples: [Substring] = []
    }

    static func merge(_ expositions: [String]) -> String {
        var order: [String] = []
        var families: [String: Family] = [:]
        for exposition in expositions {
            var current: String?
            for line in exposition.split(separator: "\n", omittingEmptySubsequences: true) {
                if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                    let fields = line.split(separator: " ", maxSplits: 3)
                    guard fields.count >= 3 else { continue }
                    let name = String(fields[2])
                    if families[name] == nil {
                        families[name] = Family()
                        order.append(name)
                    }
                    if line.hasPrefix("# HELP ") {
                        if families[name]?.help == nil { families[name]?.help = String(line) }
                    } else if families[name]?.type == nil {
                        families[name]?.type = String(line)
                    }
                    current = name
                } else if line.hasPrefix("#") {
                    continue
                } else {
                    let name = current ?? String(line.prefix { $0 != "{" && $0 != " " })
                    if families[name] == nil {
                        families[name] = Family()
                        order.append(name)
                    }
                    families[name]?.samples.append(line)
                }
            }
        }
        var text = ""
        for name in order {
            guard let family = families[name] else { continue }
            if let help = family.help { text += help + "\n" }
            if let type = family.type { text += type + "\n" }
            for sample in family.samples { text += sample + "\n" }
        }
        return text
    }
}
