import KafkaProtocol
import KafkaTestKit
import NIOCore
import Synchronization
import Testing

@testable import KafkaBroker

/// The request queue's back-pressure: a connection whose request finds the queue full waits to
/// be woken, and is woken when a handler becomes free for a request (or the channel closes).
@Suite("RequestChannel wakes connections waiting for room")
struct RequestChannelTests {
    /// Wake-ups received, by connection name, in order.
    final class Wakes: Sendable {
        private let log = Mutex<[String]>([])

        func waker(_ name: String) -> RequestChannel.Waker {
            { [self] in log.withLock { $0.append(name) } }
        }

        var order: [String] { log.withLock { $0 } }
    }

    static func request(_ correlationId: Int32) -> KafkaRequest {
        KafkaRequest(header: RequestHeader(apiKey: .apiVersions, apiVersion: 0, correlationId: correlationId, clientId: "test"),
                     body: ByteBuffer(), connectionId: "c\(correlationId)", listenerName: "PLAINTEXT", receivedNanos: 0,
                     complete: { _ in })
    }

    @Test func aHandlerTakingARequestWakesTheLongestWaitingConnectionOnly() async {
        let channel = RequestChannel(capacity: 1)
        let wakes = Wakes()
        #expect(channel.send(Self.request(1), waker: wakes.waker("first")) == .accepted)
        #expect(channel.send(Self.request(2), waker: wakes.waker("a")) == .full)
        #expect(channel.send(Self.request(3), waker: wakes.waker("b")) == .full)
        #expect(wakes.order.isEmpty, "nobody is woken while the queue stays full")
        #expect(channel.waitingConnections == 2)

        #expect(await channel.receive()?.header.correlationId == 1)
        #expect(wakes.order == ["a"], "one place freed: one connection woken, the one that waited longest")
        #expect(channel.send(Self.request(2), waker: wakes.waker("a")) == .accepted)

        #expect(await channel.receive()?.header.correlationId == 2)
        #expect(wakes.order == ["a", "b"])
        #expect(channel.send(Self.request(3), waker: wakes.waker("b")) == .accepted)
        #expect(await channel.receive()?.header.correlationId == 3)
        #expect(wakes.order == ["a", "b"], "each waker is called once")
        #expect(channel.waitingConnections == 0)
    }

    @Test func aHandlerThatStartsWaitingWakesAConnectionAndGetsItsRequest() async throws {
        let channel = RequestChannel(capacity: 1)
        let wakes = Wakes()
        #expect(channel.send(Self.request(1), waker: wakes.waker("first")) == .accepted)
        #expect(channel.send(Self.request(2), waker: wakes.waker("a")) == .full)
        #expect(channel.send(Self.request(3), waker: wakes.waker("b")) == .full)
        #expect(await channel.receive()?.header.correlationId == 1)
        #expect(wakes.order == ["a"])

        // "a" has not sent again yet; a second handler finds the queue empty and waits: that is
        // room too, so "b" is woken rather than left waiting behind an idle handler.
        let handler = Task { await channel.receive()?.header.correlationId }
        try await waitUntil("the waiting handler to wake b", timeout: .seconds(10)) { wakes.order == ["a", "b"] }
        #expect(channel.send(Self.request(3), waker: wakes.waker("b")) == .accepted)
        #expect(await handler.value == 3)
        #expect(channel.send(Self.request(2), waker: wakes.waker("a")) == .accepted)
        #expect(await channel.receive()?.header.correlationId == 2)
    }

    @Test func aWokenConnectionWithNothingToSendPassesTheWakeUpOn() async {
        let channel = RequestChannel(capacity: 1)
        let wakes = Wakes()
        #expect(channel.send(Self.request(1), waker: wakes.waker("first")) == .accepted)
        #expect(channel.send(Self.request(2), waker: wakes.waker("closed")) == .full)
        #expect(channel.send(Self.request(3), waker: wakes.waker("b")) == .full)

        channel.wakeNextWaiter()
        #expect(wakes.order.isEmpty, "no room: a passed-on wake-up wakes nobody")

        #expect(await channel.receive()?.header.correlationId == 1)
        #expect(wakes.order == ["closed"])
        // That connection closed meanwhile and will not send: the place goes to the next one.
        channel.wakeNextWaiter()
        #expect(wakes.order == ["closed", "b"])
        #expect(channel.send(Self.request(3), waker: wakes.waker("b")) == .accepted)
    }

    @Test func aWokenConnectionThatFindsTheQueueFullAgainWaitsAgain() async {
        let channel = RequestChannel(capacity: 1)
        let wakes = Wakes()
        #expect(channel.send(Self.request(1), waker: wakes.waker("first")) == .accepted)
        #expect(channel.send(Self.request(2), waker: wakes.waker("a")) == .full)
        #expect(await channel.receive()?.header.correlationId == 1)
        #expect(wakes.order == ["a"])
        // A new connection takes the freed place before "a" sends again.
        #expect(channel.send(Self.request(9), waker: wakes.waker("newcomer")) == .accepted)
        #expect(channel.send(Self.request(2), waker: wakes.waker("a")) == .full)
        #expect(await channel.receive()?.header.correlationId == 9)
        #expect(wakes.order == ["a", "a"])
        #expect(channel.send(Self.request(2), waker: wakes.waker("a")) == .accepted)
    }

    @Test func closingWakesEveryWaitingConnectionAndEveryWaitingHandler() async {
        let channel = RequestChannel(capacity: 1)
        let wakes = Wakes()
        #expect(channel.send(Self.request(1), waker: wakes.waker("first")) == .accepted)
        #expect(channel.send(Self.request(2), waker: wakes.waker("a")) == .full)
        #expect(channel.send(Self.request(3), waker: wakes.waker("b")) == .full)
        channel.close()
        #expect(wakes.order == ["a", "b"])
        #expect(channel.send(Self.request(2), waker: wakes.waker("a")) == .closed)
        #expect(await channel.receive()?.header.correlationId == 1, "what was queued is still handled")
        #expect(await channel.receive() == nil)

        let idle = RequestChannel(capacity: 1)
        let waiting = Task { await idle.receive() }
        idle.close()
        #expect(await waiting.value == nil)
    }
}
