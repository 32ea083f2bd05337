import KafkaCommon
import Testing

@testable import KafkaStorage

/// How the cleaner manager chooses: the dirty range's bounds and the ratio, from values.
@Suite struct LogToCleanTests {
    let now: Int64 = 1_700_000_000_000
    let tp = TopicPartition("compacted", 0)

    /// Five segments of 1,000 bytes at offsets 0, 100, 200, 300, 400 (the last one active), the
    /// segment at base b written at now - 10 min + b seconds.
    func facts(minRatio: Double = 0.5, minLagMs: Int64 = 0, maxLagMs: Int64 = .max, logStartOffset: Int64 = 0) -> CleanableLogFacts {
        var config = LogConfig()
        config.cleanupPolicy = ["compact"]
        config.minCleanableRatio = minRatio
        config.minCompactionLagMs = minLagMs
        config.maxCompactionLagMs = maxLagMs
        let segments = stride(from: Int64(0), through: 400, by: 100).map { base in
            CleanableLogFacts.Segment(
                baseOffset: base, size: 1_000, largestTimestamp: now - 600_000 + base * 1_000 + 99_000,
                firstBatchTimestamp: now - 600_000 + base * 1_000)
        }
        return CleanableLogFacts(topicPartition: tp, config: config, logStartOffset: logStartOffset, logEndOffset: 450, segments: segments)
    }

    func candidate(_ facts: CleanableLogFacts, checkpoint: Int64?, hw: Int64? = nil) -> LogToClean {
        let offsets = LogToClean.cleanableOffsets(facts, checkpoint: checkpoint, now: now, firstUnstableOffset: hw)
        let delay = LogToClean.maxCompactionDelay(facts, firstDirtyOffset: offsets.firstDirtyOffset, now: now)
        return LogToClean(facts, firstDirtyOffset: offsets.firstDirtyOffset, firstUncleanableOffset: offsets.firstUncleanableOffset, needCompactionNow: delay > 0)
    }

    @Test func theActiveSegmentIsNeverCleanableAndTheRatioCountsWholeSegments() {
        let all = candidate(facts(), checkpoint: nil)
        #expect(all.firstDirtyOffset == 0)
        #expect(all.firstUncleanableOffset == 400)
        #expect(all.cleanableBytes == 4_000)
        #expect(all.cleanBytes == 0)
        #expect(all.isCleanable)
        // Clean up to 300: segments 0-200 are clean (3,000 bytes), 300 dirty (1,000): 25 %.
        let mostlyClean = candidate(facts(), checkpoint: 300)
        #expect(mostlyClean.cleanBytes == 3_000)
        #expect(mostlyClean.cleanableBytes == 1_000)
        #expect(mostlyClean.cleanableRatio == 0.25)
        #expect(!mostlyClean.isCleanable)
        #expect(candidate(facts(minRatio: 0.2), checkpoint: 300).isCleanable)
    }

    @Test func minCompactionLagKeepsYoungSegmentsDirty() {
        // Segment 200's largest timestamp is now - 600 s + 299 s = now - 301 s: younger than 310 s.
        let lagged = candidate(facts(minLagMs: 310_000), checkpoint: nil)
        #expect(lagged.firstUncleanableOffset == 200)
        #expect(lagged.cleanableBytes == 2_000)
        let allTooYoung = candidate(facts(minLagMs: 1_000_000), checkpoint: nil)
        #expect(allTooYoung.firstUncleanableOffset == 0)
        #expect(allTooYoung.cleanableBytes == 0)
        #expect(!allTooYoung.isCleanable)
    }

    @Test func theHighWatermarkBoundsTheDirtyRange() {
        // Rounded down to the base of the segment holding it, as Kafka's LogToClean does.
        #expect(candidate(facts(), checkpoint: nil, hw: 150).firstUncleanableOffset == 100)
        #expect(candidate(facts(), checkpoint: nil, hw: 200).firstUncleanableOffset == 200)
        #expect(candidate(facts(), checkpoint: nil, hw: 1_000).firstUncleanableOffset == 400)
    }

    @Test func maxCompactionLagMakesALogCleanableUnderTheRatio() {
        // 25 % dirty (segment 300, first batch at now - 300 s) against a ratio of 0.5.
        #expect(!candidate(facts(), checkpoint: 300).isCleanable)
        let overdue = candidate(facts(maxLagMs: 200_000), checkpoint: 300)
        #expect(overdue.needCompactionNow)
        #expect(overdue.isCleanable)
        #expect(LogToClean.maxCompactionDelay(facts(maxLagMs: 200_000), firstDirtyOffset: 300, now: now) == 100_000)
        #expect(!candidate(facts(maxLagMs: 400_000), checkpoint: 300).needCompactionNow)
        // Among candidates the ratio decides, as in Kafka 2.3: a dirtier log goes before an
        // overdue one.
        let dirtier = candidate(facts(), checkpoint: nil)
        #expect(dirtier.cleanableRatio > overdue.cleanableRatio)
        #expect(LogToClean.isFilthier(dirtier, than: overdue))
        #expect(!LogToClean.isFilthier(overdue, than: dirtier))
    }

    @Test func aCheckpointOutsideTheLogIsResetToTheLogStart() {
        let below = LogToClean.cleanableOffsets(facts(logStartOffset: 120), checkpoint: 50, now: now, firstUnstableOffset: nil)
        #expect(below.firstDirtyOffset == 120)
        #expect(below.reset?.contains("Resetting first dirty offset of compacted-0 to log start offset 120") == true)
        let above = LogToClean.cleanableOffsets(facts(), checkpoint: 9_999, now: now, firstUnstableOffset: nil)
        #expect(above.firstDirtyOffset == 0)
        #expect(above.reset?.contains("larger than the log end offset 450") == true)
        let inside = LogToClean.cleanableOffsets(facts(), checkpoint: 250, now: now, firstUnstableOffset: nil)
        #expect(inside.firstDirtyOffset == 250)
        #expect(inside.reset == nil)
        var compactDelete = facts(logStartOffset: 120)
        compactDelete.config.cleanupPolicy = ["compact", "delete"]
        let quiet = LogToClean.cleanableOffsets(compactDelete, checkpoint: 50, now: now, firstUnstableOffset: nil)
        #expect(quiet.firstDirtyOffset == 120)
        #expect(quiet.reset == nil)
    }
}
