@testable import KafkaBroker
import KafkaCommon
import KafkaProtocol
import Logging
import Synchronization
import Testing

/// The broker's controlled-shutdown retries, with the controller look-up, the request and the
/// backoff injected: it asks until the controller answers NONE with nothing remaining, at most
/// `controlled.shutdown.max.retries` times, `controlled.shutdown.retry.backoff.ms` apart, and
/// looks the controller up afresh on every attempt.
@Suite struct ControlledShutdownDriverTests {
    final class Script: Sendable {
        /// What each attempt gets: a response, an error (failed connection), or no controller.
        enum Step: Sendable {
            case answer(ControlledShutdown.Response)
            case fail
            case noController
        }
        let steps: Mutex<[Step]>
        let sent = Mutex<[(ControlledShutdownDriver.ControllerNode, ControlledShutdown.Request, Int16)]>([])
        let sleeps = Mutex<[Duration]>([])
        init(_ steps: [Step]) { self.steps = Mutex(steps) }
        func next() -> Step { steps.withLock { $0.isEmpty ? .fail : $0.removeFirst() } }
    }

    struct Failure: Error {}

    func driver(_ script: Script, version: Int16 = 2, maxRetries: Int = 3) -> ControlledShutdownDriver {
        let controllers = Mutex(0)
        return ControlledShutdownDriver(
            brokerId: 1, version: version, maxRetries: maxRetries, retryBackoff: .milliseconds(5000),
            logger: Logger(label: "test.ControlledShutdownDriver"),
            brokerEpoch: { 4242 },
            findController: {
                // The controller moves between attempts: 2, then 3, then 2, ...
                let id = controllers.withLock { count -> Int32 in
                    count += 1
                    return count % 2 == 1 ? 2 : 3
                }
                if case .noController = script.steps.withLock({ $0.first ?? .fail }) {
                    _ = script.next()
                    return nil
                }
                return ControlledShutdownDriver.ControllerNode(id: BrokerId(id), host: "127.0.0.1", port: 9000 + Int(id))
            },
            send: { node, request, version in
                script.sent.withLock { $0.append((node, request, version)) }
                switch script.next() {
                case .answer(let response): return response
                case .fail, .noController: throw Failure()
                }
            },
            sleep: { duration in script.sleeps.withLock { $0.append(duration) } })
    }

    static let remaining = ControlledShutdown.Response(
        errorCode: .none, remainingPartitions: [ControlledShutdown.RemainingPartition(topicName: "t", partitionIndex: 0)])

    @Test func retriesWhilePartitionsRemainThenSucceeds() async {
        let script = Script([.answer(Self.remaining), .fail, .answer(ControlledShutdown.Response(errorCode: .none))])
        #expect(await driver(script).run())
        let sent = script.sent.withLock { $0 }
        #expect(sent.count == 3)
        #expect(sent.map(\.0.id) == [2, 3, 2], "the controller is looked up again on every attempt")
        #expect(sent.allSatisfy { $0.1.brokerId == 1 && $0.1.brokerEpoch == 4242 && $0.2 == 2 })
        #expect(script.sleeps.withLock { $0 } == [.milliseconds(5000), .milliseconds(5000)])
    }

    @Test func givesUpAfterMaxRetries() async {
        let script = Script([.answer(ControlledShutdown.Response(errorCode: .notController)), .noController, .answer(Self.remaining),
                             .answer(ControlledShutdown.Response(errorCode: .none))])
        #expect(await driver(script, maxRetries: 3).run() == false)
        #expect(script.sent.withLock { $0 }.count == 2, "no request without a controller")
        #expect(script.sleeps.withLock { $0 }.count == 3, "as Kafka, it also waits after the last attempt")
    }

    @Test func olderVersionsSendNoEpoch() async {
        let script = Script([.answer(ControlledShutdown.Response(errorCode: .none))])
        #expect(await driver(script, version: 1).run())
        #expect(script.sent.withLock { $0 }.map(\.1.brokerEpoch) == [-1])
        #expect(script.sleeps.withLock { $0 }.isEmpty)
    }

    @Test func versionFollowsTheInterBrokerProtocol() {
        #expect(ControlledShutdownDriver.version(interBrokerProtocol: ApiVersion("2.3")!) == 2)
        #expect(ControlledShutdownDriver.version(interBrokerProtocol: ApiVersion("2.2-IV0")!) == 2)
        #expect(ControlledShutdownDriver.version(interBrokerProtocol: ApiVersion("2.1")!) == 1)
        #expect(ControlledShutdownDriver.version(interBrokerProtocol: ApiVersion("0.9.0")!) == 1)
        #expect(ControlledShutdownDriver.version(interBrokerProtocol: ApiVersion("0.8.2")!) == 0)
    }
}
