extension ListOffsets {
    /// The timestamp that asks for the latest offset (the high watermark, or the last stable
    /// offset for read_committed).
    public static let latestTimestamp: Int64 = -1
    /// The timestamp that asks for the earliest offset (the log start offset).
    public static let earliestTimestamp: Int64 = -2
}
