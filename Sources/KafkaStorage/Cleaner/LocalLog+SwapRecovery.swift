import Foundation
import Glibc

extension LocalLog {
    /// The first step of loading a log directory (Kafka's `removeTempFilesAndCollectSwapFiles`):
    /// deletes what interrupted work left behind and returns the base offsets of the `.log.swap`
    /// files whose swap must be completed.
    ///
    /// - `.deleted` files: segments already replaced or removed; deleted.
    /// - `.cleaned` files: a cleaning that had not reached its swap; the old segments are intact, so
    ///   the cleaned output is deleted. Any `.swap` file at or above the lowest `.cleaned` base offset
    ///   is deleted as well (it can only belong to the same unfinished operation).
    /// - `.swap` index files are deleted (indexes are rebuilt from the `.log.swap`); a `.log.swap`
    ///   is kept: the cleaned data was complete when it got that name.
    func removeTempFilesAndCollectSwapFiles(_ names: [String]) -> [Int64] {
        var swapNames: [String] = []
        var cleanedNames: [String] = []
        var minCleanedFileOffset = Int64.max
        for name in names {
            if name.hasSuffix(LogFileName.deletedSuffix) {
                unlink("\(dir)/\(name)")
            } else if name.hasSuffix(LogFileName.cleanedSuffix) {
                if let offset = LogFileName.offset(fromFileName: name) { minCleanedFileOffset = min(minCleanedFileOffset, offset) }
                cleanedNames.append(name)
            } else if name.hasSuffix(LogFileName.swapSuffix) {
                swapNames.append(name)
            }
        }
        var validSwaps: [Int64] = []
        for name in swapNames {
            let path = "\(dir)/\(name)"
            guard let offset = LogFileName.offset(fromFileName: name), offset < minCleanedFileOffset,
                  name.hasSuffix(LogFileName.logSuffix + LogFileName.swapSuffix)
            else {
                logger.info("Deleting a leftover file", metadata: ["file": "\(path)"])
                unlink(path)
                continue
            }
            validSwaps.append(offset)
        }
        for name in cleanedNames {
            logger.info("Deleting a leftover file", metadata: ["file": "\(dir)/\(name)"])
            unlink("\(dir)/\(name)")
        }
        return validSwaps.sorted()
    }

    /// Finishes swaps a crash interrupted (Kafka's `completeSwapOperations`): each `.log.swap`
    /// segment gets its indexes rebuilt and replaces the loaded segments holding offsets in
    /// `[its base offset, its next offset)` (none when it is empty), as `replaceSegments` would have (old segments renamed
    /// `.deleted`, the `.swap` suffix dropped).
    func completeSwapOperations(_ baseOffsets: [Int64]) throws {
        for baseOffset in baseOffsets {
            let swapSegment = try LogSegment.open(
                directory: dir, baseOffset: baseOffset, indexIntervalBytes: config.indexInterval, maxIndexSize: config.maxIndexSize,
                time: time, fileSuffix: LogFileName.swapSuffix)
            logger.info("Found log file from interrupted swap operation, repairing.", metadata: ["file": "\(swapSegment.log.path)"])
            try swapSegment.recover(maxMessageSize: recoveryMaxBatchSize, logger: logger)
            noteTransactionIndexReset(swapSegment)
            // The swap segment was made of whole old segments, so the old ones are those holding
            // offsets in its range; the floor segment below the range (when the old segment at the
            // swap's base offset was already renamed `.deleted`) is not one of them.
            let nextOffset = try swapSegment.readNextOffset()
            let oldSegments = try segments(from: swapSegment.baseOffset, to: nextOffset).filter {
                try $0.readNextOffset() > swapSegment.baseOffset
            }
            try replaceSegments([swapSegment], oldSegments: oldSegments, isRecoveredSwapFile: true)
        }
    }
}
