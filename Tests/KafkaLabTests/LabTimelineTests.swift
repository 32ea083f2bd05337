@testable import KafkaLab
import Testing

@Suite("The lab timeline: broker log lines, ZooKeeper events, merging")
struct LabTimelineTests {
    @Test func parsesKafkasLogLayout() throws {
        let line = try #require(BrokerLogLine.parse("[2026-12-03 13:30:43,524] INFO [Controller id=3 epoch=2] Elected as the controller (epoch znode version 2) (state.change.logger)"))
        #expect(line.level == "INFO")
        #expect(line.label == "state.change.logger")
        #expect(line.message == "[Controller id=3 epoch=2] Elected as the controller (epoch znode version 2)")
        #expect(line.time % 1000 == 524)
        let next = try #require(BrokerLogLine.parse("[2026-12-03 13:30:44,001] WARN no label here"))
        #expect(next.time - line.time == 477)
        #expect(next.label == "")
        #expect(BrokerLogLine.parse("\tat kafka.Something") == nil)
        #expect(BrokerLogLine.parse("[2026-12-03 13:3] INFO short") == nil)
    }

    static let brokerSession: Int64 = 0x3000_14A7_9760_000
    static let otherSession: Int64 = 0x3000_14A7_9760_001

    static var history: [ZooKeeperTxn] {
        [
            ZooKeeperTxn(sessionId: brokerSession, cxid: 1, zxid: 1, time: 1_000, operations: [.createSession(timeoutMs: 6000)]),
            ZooKeeperTxn(sessionId: brokerSession, cxid: 2, zxid: 2, time: 1_010, operations: [
                .create(path: "/kafka/brokers/ids/2", data: Array("{\"port\":9093}".utf8), ephemeral: true)]),
            ZooKeeperTxn(sessionId: brokerSession, cxid: 3, zxid: 3, time: 1_020, operations: [
                .create(path: "/kafka/controller", data: Array("{\"brokerid\":2}".utf8), ephemeral: true),
                .setData(path: "/kafka/controller_epoch", data: Array("2".utf8), version: 2)]),
            ZooKeeperTxn(sessionId: otherSession, cxid: 4, zxid: 4, time: 1_030, operations: [.error(code: -110), .error(code: -2)]),
            ZooKeeperTxn(sessionId: brokerSession, cxid: 5, zxid: 5, time: 1_040, operations: [
                .check(path: "/kafka/controller_epoch", version: 3),
                .setData(path: "/kafka/brokers/topics/t/partitions/0/state", data: Array("{\"leader\":2}".utf8), version: 4)]),
            ZooKeeperTxn(sessionId: otherSession, cxid: 6, zxid: 6, time: 1_045, operations: [.create(path: "/elsewhere", data: [0x00, 0xFF], ephemeral: false)]),
            ZooKeeperTxn(sessionId: brokerSession, cxid: 0, zxid: 7, time: 1_050, operations: [.closeSession(ephemerals: [])]),
        ]
    }

    @Test func zooKeeperEventsNameTheBrokerAndShowTheFencing() {
        let events = LabTimeline(chroot: "/kafka").events(of: Self.history)
        let broker = TimelineEvent.Source.zooKeeper(session: "broker 2")
        let other = TimelineEvent.Source.zooKeeper(session: "0x300014a79760001")
        #expect(events == [
            TimelineEvent(time: 1_000, source: broker, text: "session opened (timeout 6000 ms)"),
            TimelineEvent(time: 1_010, source: broker, text: "create /brokers/ids/2 v0 (ephemeral) {\"port\":9093}"),
            TimelineEvent(time: 1_020, source: broker, text: "multi:", detail: [
                "create /controller v0 (ephemeral) {\"brokerid\":2}", "set /controller_epoch v2 2"]),
            TimelineEvent(time: 1_030, source: other, text: "multi REJECTED (nothing applied):", detail: [
                "failed: NodeExists", "failed: not applied, another operation of the multi failed"]),
            TimelineEvent(time: 1_040, source: broker, text: "multi:", detail: [
                "check /controller_epoch is at v2", "set /brokers/topics/t/partitions/0/state v4 {\"leader\":2}"]),
            // /elsewhere is outside the chroot: hidden. The expiry lists the ephemerals the
            // reader saw the session create, since this close does not list them.
            TimelineEvent(time: 1_050, source: broker, text: "session 0x300014a79760000 expired; its ephemeral znodes deleted: /brokers/ids/2, /controller"),
        ])
        let unrooted = LabTimeline().events(of: Self.history)
        #expect(unrooted.contains { $0.text == "create /elsewhere v0 0x00ff" })
    }

    @Test func mergesByTimeFromTheMarkWithZooKeeperFirstOnTies() throws {
        let timeline = LabTimeline(chroot: "/kafka")
        let zooKeeper = timeline.events(of: Self.history)
        let lines = [
            BrokerLogLine(time: 1_020, level: "INFO", message: "[Controller id=2 epoch=2] Elected", label: "state.change.logger"),
            BrokerLogLine(time: 1_021, level: "DEBUG", message: "something else", label: "kafka.network"),
            BrokerLogLine(time: 1_041, level: "INFO", message: "Shrinking ISR from 1,2 to 2 for t-0", label: "kafka.cluster"),
        ]
        let merged = timeline.merge(zooKeeper: zooKeeper, brokerLogs: [("broker 2", lines)], since: 1_015)
        #expect(merged.map(\.time) == [1_020, 1_020, 1_030, 1_040, 1_041, 1_050])
        #expect(merged[0].text == "multi:")
        #expect(merged[1].text == "INFO [Controller id=2 epoch=2] Elected")
        #expect(merged[4].source == .broker("broker 2"))
        var everything = timeline
        everything.logFilter.everything = true
        #expect(everything.merge(zooKeeper: [], brokerLogs: [("broker 2", lines)]).count == 3)

        let text = LabTimeline.render(Array(merged.prefix(2)))
        let rendered = text.split(separator: "\n").map(String.init)
        try #require(rendered.count == 4)
        #expect(rendered[0].hasSuffix("+0.000s  zk broker 2  multi:"))
        #expect(rendered[1].hasSuffix("create /controller v0 (ephemeral) {\"brokerid\":2}"))
        #expect(rendered[1].hasPrefix(String(repeating: " ", count: 20)))
        #expect(rendered[3].hasSuffix("+0.000s  broker 2     INFO [Controller id=2 epoch=2] Elected"))
    }
}
