import Testing

@testable import DelayQueueExample

/// The binary-heap delay queue the benchmark measures the wheel against: its order, its cancels
/// and its heap, all in simulated time.
@Suite struct HeapDelayQueueTests {
    final class Fired {
        var ids: [Int] = []
        var atMs: [Int64] = []
    }

    private func makeQueue(_ fired: Fired, startMs: Int64 = 1_000) -> HeapDelayQueue {
        var queue: HeapDelayQueue!
        queue = HeapDelayQueue(startMs: startMs) { timer in
            fired.ids.append(timer.id)
            fired.atMs.append(queue.nowMs)
        }
        return queue
    }

    @Test func firesInExpirationOrderAndTiesInScheduleOrder() {
        let fired = Fired()
        let queue = makeQueue(fired)
        for (id, delay) in [(1, 30), (2, 10), (3, 20), (4, 10), (5, 1)] as [(Int, Int64)] {
            queue.schedule(id: id, delayMs: delay)
        }
        #expect(queue.count == 5)
        #expect(queue.nextExpirationMs == 1_001)
        queue.advance(to: 1_100)
        #expect(fired.ids == [5, 2, 4, 3, 1])
        #expect(queue.count == 0)
    }

    @Test func nothingFiresBeforeItIsDueAndEachFiresAtItsMillisecond() {
        let fired = Fired()
        let queue = makeQueue(fired)
        queue.schedule(id: 1, delayMs: 5)
        queue.schedule(id: 2, delayMs: 7)
        #expect(queue.advance(to: 1_004) == 0)
        #expect(fired.ids.isEmpty)
        #expect(queue.advance(to: 1_005) == 1)
        #expect(fired.ids == [1])
        #expect(queue.advance(to: 1_006) == 0)
        #expect(queue.advance(to: 1_007) == 1)
        #expect(fired.ids == [1, 2] && fired.atMs == [1_005, 1_007])
        queue.advance(to: 900)  // never backwards
        #expect(queue.nowMs == 1_007)
    }

    @Test func aDelayOfZeroOrLessFiresAtOnce() {
        let fired = Fired()
        let queue = makeQueue(fired)
        let now = queue.schedule(id: 1, delayMs: 0)
        let past = queue.schedule(id: 2, delayMs: -3)
        #expect(fired.ids == [1, 2])
        #expect(!now.isPending && !past.isPending)
        #expect(queue.count == 0)
    }

    @Test func cancelBeforeFireRemovesTheTimer() {
        let fired = Fired()
        let queue = makeQueue(fired)
        let timers = (0..<10).map { queue.schedule(id: $0, delayMs: Int64(10 - $0)) }
        #expect(queue.cancel(timers[9]))  // the root: due first
        #expect(queue.cancel(timers[4]))
        #expect(queue.cancel(timers[0]))  // the last due
        #expect(!queue.cancel(timers[4]), "a second cancel does nothing")
        #expect(queue.count == 7)
        #expect(queue.isConsistent)
        queue.advance(to: 2_000)
        #expect(fired.ids == [8, 7, 6, 5, 3, 2, 1])
    }

    @Test func cancelAfterFireDoesNothing() {
        let fired = Fired()
        let queue = makeQueue(fired)
        let early = queue.schedule(id: 1, delayMs: 1)
        let late = queue.schedule(id: 2, delayMs: 50)
        queue.advance(to: 1_001)
        #expect(fired.ids == [1])
        #expect(!early.isPending)
        #expect(!queue.cancel(early))
        #expect(queue.count == 1 && late.isPending, "the other timer is untouched")
        queue.advance(to: 1_050)
        #expect(fired.ids == [1, 2])
    }

    /// Random schedules and cancels against a sorted reference: the same timers fire in the same
    /// order, and the heap and its recorded indexes stay right after every cancel.
    @Test func randomWorkloadMatchesASortedReference() {
        let fired = Fired()
        let queue = makeQueue(fired, startMs: 0)
        var random = SplitMix64(seed: 42)
        var timers: [HeapDelayQueue.Timer] = []
        var reference: [(expiration: Int64, id: Int)] = []
        for id in 0..<2_000 {
            let delay = 1 + Int64(random.next() % 500)
            timers.append(queue.schedule(id: id, delayMs: delay))
            reference.append((delay, id))
        }
        var cancelled = Set<Int>()
        for _ in 0..<700 {
            let id = Int(random.next() % 2_000)
            #expect(queue.cancel(timers[id]) == cancelled.insert(id).inserted)
        }
        #expect(queue.isConsistent)
        #expect(queue.count == 2_000 - cancelled.count)
        for time in stride(from: Int64(0), through: 500, by: 7) { queue.advance(to: time) }
        queue.advance(to: 500)
        let expected = reference.filter { !cancelled.contains($0.id) }
            .sorted { $0.expiration != $1.expiration ? $0.expiration < $1.expiration : $0.id < $1.id }
        #expect(fired.ids == expected.map(\.id))
        #expect(queue.count == 0)
    }
}
