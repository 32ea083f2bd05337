import NIOCore
import Testing

@testable import KafkaStorage

@Suite struct SkimpyOffsetMapTests {
    static func key(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func md5MatchesTheRfcTestSuite() {
        #expect(Self.hex(MD5.digest(Array("".utf8))) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(Self.hex(MD5.digest(Array("abc".utf8))) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(Self.hex(MD5.digest(Array("message digest".utf8))) == "f96b697d7cb7938d525a2f31aaf161d0")
        #expect(Self.hex(MD5.digest(Array("The quick brown fox jumps over the lazy dog".utf8))) == "9e107d9d372bb6826bd81d3542a419d6")
        // 80 bytes: two blocks, padding in a third.
        let digits = String(repeating: "1234567890", count: 8)
        #expect(Self.hex(MD5.digest(Array(digits.utf8))) == "57edf4a22be3c955ac49da2e2107b67a")
        // 56 bytes: the length no longer fits the first block's padding.
        #expect(Self.hex(MD5.digest([UInt8](repeating: 0x61, count: 56))) == "3b0c8ac703f828b04c6c197006d17218")
    }

    @Test func sizesItselfFromTheMemoryBudget() {
        let map = SkimpyOffsetMap(memory: 24 * 1000 + 23)
        #expect(SkimpyOffsetMap.bytesPerEntry == 24)
        #expect(map.slots == 1000)
        #expect(map.maxDesiredSize(loadFactor: 0.9) == 900)
        #expect(map.size == 0 && map.latestOffset == -1)
    }

    @Test func putThenGetAndOverwrite() throws {
        var map = SkimpyOffsetMap(memory: 24 * 64)
        #expect(map.get(key: Self.key("a")) == -1)
        try map.put(key: Self.key("a"), offset: 5)
        try map.put(key: Self.key("b"), offset: 6)
        #expect(map.get(key: Self.key("a")) == 5)
        #expect(map.get(key: Self.key("b")) == 6)
        #expect(map.size == 2 && map.latestOffset == 6)
        // An existing key takes the new offset whatever it is (Kafka overwrites: the cleaner
        // puts in offset order), and the size does not change.
        try map.put(key: Self.key("a"), offset: 3)
        #expect(map.get(key: Self.key("a")) == 3)
        #expect(map.size == 2 && map.latestOffset == 3)
        map.updateLatestOffset(42)
        #expect(map.latestOffset == 42)
        map.clear()
        #expect(map.size == 0 && map.latestOffset == -1 && map.get(key: Self.key("a")) == -1)
    }

    @Test func collidingKeysProbeToOtherSlots() throws {
        let slots = 8
        var firstSlot: [Int: [String]] = [:]
        for index in 0..<100 {
            let name = "key-\(index)"
            firstSlot[SkimpyOffsetMap.slot(SkimpyOffsetMap.hash(Self.key(name)), attempt: 0, slots: slots), default: []].append(name)
        }
        let colliding = try #require(firstSlot.values.first { $0.count >= 3 })
        var map = SkimpyOffsetMap(memory: 24 * slots)
        for (offset, name) in colliding.prefix(3).enumerated() { try map.put(key: Self.key(name), offset: Int64(offset + 100)) }
        for (offset, name) in colliding.prefix(3).enumerated() { #expect(map.get(key: Self.key(name)) == Int64(offset + 100)) }
        #expect(map.size == 3)
        #expect(map.probes > map.lookups, "a collision must have probed a second slot")
    }

    @Test func probeSequenceReadsTheHashThenStepsLinearly() {
        let hash: [UInt8] = [0x80, 0, 0, 0, 0, 0, 0, 1] + [UInt8](repeating: 0, count: 7) + [9]
        // Bytes 0–3 give Int32.min, which Kafka's Utils.abs maps to 0.
        #expect(SkimpyOffsetMap.slot(hash, attempt: 0, slots: 7) == 0)
        // Bytes 1–4: 0; bytes 4–7: 1.
        #expect(SkimpyOffsetMap.slot(hash, attempt: 1, slots: 7) == 0)
        #expect(SkimpyOffsetMap.slot(hash, attempt: 4, slots: 7) == 1)
        // Bytes 12–15: 9, plus one per attempt beyond 12.
        #expect(SkimpyOffsetMap.slot(hash, attempt: 12, slots: 100) == 9)
        #expect(SkimpyOffsetMap.slot(hash, attempt: 15, slots: 100) == 12)
    }

    @Test func aFullMapRefusesEveryPut() throws {
        var map = SkimpyOffsetMap(memory: 24 * 10)
        for index in 0..<10 { try map.put(key: Self.key("k\(index)"), offset: Int64(index)) }
        #expect(map.size == 10 && map.utilization == 1.0)
        for index in 0..<10 { #expect(map.get(key: Self.key("k\(index)")) == Int64(index)) }
        #expect(map.get(key: Self.key("absent")) == -1)
        #expect(throws: OffsetMapError.full(slots: 10)) { try map.put(key: Self.key("k10"), offset: 10) }
        #expect(throws: OffsetMapError.full(slots: 10)) { try map.put(key: Self.key("k0"), offset: 11) }
    }
}
