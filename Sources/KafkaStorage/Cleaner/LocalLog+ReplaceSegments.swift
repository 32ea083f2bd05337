extension LocalLog {
    /// Swaps `newSegments` (files ending in `.cleaned`) in for `oldSegments` (Kafka's
    /// `replaceSegments`), in steps that a crash can interrupt at any point without losing or
    /// mixing records:
    ///
    /// 1. each new segment's files are renamed `.cleaned` → `.swap` (from the last one back): from
    ///    now on recovery completes the swap instead of discarding the cleaned files;
    /// 2. the new segments enter the segment list (one with the base offset of an old segment
    ///    takes its place);
    /// 3. every old segment still in the list leaves it (but one whose base offset the first new
    ///    segment took) and is renamed `.deleted`, removed after `file.delete.delay.ms`;
    /// 4. the new segments lose their `.swap` suffix.
    ///
    /// `isRecoveredSwapFile` skips step 1 for a `.swap` segment found at load time. `crashPoint`,
    /// for tests, is called between the steps; throwing from it stops the swap there, leaving
    /// the files as a crash at that point would.
    func replaceSegments(
        _ newSegments: [LogSegment], oldSegments: [LogSegment], isRecoveredSwapFile: Bool = false,
        crashPoint: ((SwapStep) throws -> Void)? = nil
    ) throws {
        let sortedNew = newSegments.sorted { $0.baseOffset < $1.baseOffset }
        let sortedOld = oldSegments.filter { old in segmentList.contains { $0 === old } }.sorted { $0.baseOffset < $1.baseOffset }
        guard let firstNew = sortedNew.first else { return }
        try crashPoint?(.beforeRenameToSwap)
        if !isRecoveredSwapFile {
            for segment in sortedNew.reversed() { try segment.changeFileSuffixes(LogFileName.cleanedSuffix, LogFileName.swapSuffix) }
        }
        try crashPoint?(.renamedToSwap)
        for segment in sortedNew.reversed() { addSegment(segment) }
        for old in sortedOld {
            if old.baseOffset != firstNew.baseOffset {
                segmentList.removeAll { $0 === old }
            }
            try asyncDeleteSegment(old)
            try crashPoint?(.oldSegmentDeleted(baseOffset: old.baseOffset))
        }
        for segment in sortedNew { try segment.changeFileSuffixes(LogFileName.swapSuffix, "") }
    }
}

/// The points between the steps of `LocalLog.replaceSegments`, where tests inject a crash.
public enum SwapStep: Sendable, Equatable {
    /// The cleaned files are complete, still named `.cleaned`.
    case beforeRenameToSwap
    /// The new segments' files are named `.swap`; no old segment is deleted yet.
    case renamedToSwap
    /// The old segment at `baseOffset` was renamed `.deleted` (after the last one, the `.swap`
    /// suffixes are still there).
    case oldSegmentDeleted(baseOffset: Int64)
}
