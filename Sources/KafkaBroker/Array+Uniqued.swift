extension Array where Element: Hashable {
    /// The elements in order, each only at its first occurrence (a request naming a topic or a
    /// partition twice; watch keys of a delayed operation).
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
