import Foundation

extension DelayQueueBenchmark {
    /// The rows as a fixed-width table, one line per size and queue, with the heap's cost as a
    /// multiple of the wheel's under each size.
    public static func table(_ rows: [Row]) -> String {
        func cell(_ value: Double) -> String { pad(String(Int(value.rounded())), 14) }
        func pad(_ text: String, _ width: Int) -> String {
            String(repeating: " ", count: max(0, width - text.count)) + text
        }
        func grouped(_ value: Int) -> String {
            var digits = Array(String(value))
            var index = digits.count - 3
            while index > 0 {
                digits.insert(",", at: index)
                index -= 3
            }
            return String(digits)
        }
        var lines = [
            "timers     queue   insert ns/op  cancel ns/op    fire ns/op",
            "---------  -----  -------------  ------------  ------------",
        ]
        for size in rows.map(\.timers).uniqued() {
            let wheel = rows.first { $0.timers == size && $0.queue == .wheel }
            let heap = rows.first { $0.timers == size && $0.queue == .heap }
            for row in [wheel, heap].compactMap({ $0 }) {
                let name = row.queue.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)
                lines.append(
                    grouped(size).padding(toLength: 9, withPad: " ", startingAt: 0) + "  " + name + " "
                        + cell(row.insertNs) + cell(row.cancelNs) + cell(row.fireNs))
            }
            if let wheel, let heap {
                func ratio(_ h: Double, _ w: Double) -> String { pad(String(format1(h / w)) + "x", 14) }
                lines.append(
                    "           heap/wheel" + ratio(heap.insertNs, wheel.insertNs) + ratio(heap.cancelNs, wheel.cancelNs)
                        + ratio(heap.fireNs, wheel.fireNs))
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func format1(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}

extension Array where Element: Hashable {
    fileprivate func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
