import KafkaCommon
import KafkaProtocol
import Logging
import NIOCore

/// Dispatches requests by API key to their handlers (Kafka's `KafkaApis`), one handler type per
/// API in `Handlers/`. Only APIs with a handler are advertised in ApiVersions; a request for any
/// other API, or at a version outside the advertised range (ApiVersions aside), closes the
/// connection, as Kafka does for requests it cannot parse.
///
/// Every request is answered exactly once, through its `complete`: by the request handler that
/// took it, or — for a request that waits in a purgatory (`KafkaDelayingRequestHandler`) — by
/// whichever thread completes its delayed operation, as Kafka's response callbacks are.
///
/// Isolation: immutable; called concurrently by the request handler pool. Handlers guard their
/// own state.
public final class KafkaApis: Sendable {
    let logger: Logger
    let handlers: [ApiKey: any KafkaRequestHandler]
    /// The handlers of `handlers` whose requests may wait in a purgatory.
    let delayingHandlers: [ApiKey: any KafkaDelayingRequestHandler]
    /// The request metrics and their clock; nil when metrics are off.
    let requestMetrics: RequestMetrics?

    public init(logger: Logger, handlers: [any KafkaRequestHandler], requestMetrics: RequestMetrics? = nil) {
        self.logger = logger
        self.requestMetrics = requestMetrics
        var table: [ApiKey: any KafkaRequestHandler] = [:]
        for handler in handlers { table[handler.apiKey] = handler }
        let advertised = Self.advertisedVersions(for: table)
        table[ApiKey.apiVersions] = ApiVersionsHandler(advertised: advertised)
        self.handlers = table
        self.delayingHandlers = table.compactMapValues { $0 as? any KafkaDelayingRequestHandler }
    }

    /// The versions advertised for the handled APIs, in key order.
    static func advertisedVersions(for handlers: [ApiKey: any KafkaRequestHandler]) -> [ApiVersions.ApiVersion] {
        var keys = Set(handlers.keys)
        keys.insert(.apiVersions)
        return KafkaAPIs.advertised.filter { keys.contains($0.apiKey) }.sorted { $0.apiKey.rawValue < $1.apiKey.rawValue }
    }

    public var advertised: [ApiVersions.ApiVersion] { (handlers[.apiVersions] as? ApiVersionsHandler)?.advertised ?? [] }

    /// Handles `request` and answers it through `request.complete`, exactly once: before
    /// returning, or later from the thread that completes its delayed operation.
    public func handle(_ request: KafkaRequest) async {
        let timing = requestMetrics.flatMap { RequestTiming(request, metrics: $0, time: $0.time) }
        defer { timing?.handlerReturned() }
        let request = timing?.wrap(request) ?? request
        let header = request.header
        guard let handler = handlers[header.apiKey], let api = header.apiKey.api else {
            return request.complete(.close(reason: "unsupported API key \(header.apiKey.rawValue) (version \(header.apiVersion))"))
        }
        if header.apiKey != .apiVersions, !api.versions.contains(header.apiVersion) {
            return request.complete(.close(reason: "unsupported version \(header.apiVersion) of \(header.apiKey)"))
        }
        do {
            if let delaying = delayingHandlers[header.apiKey] {
                try await delaying.handle(request, respond: request.complete)
            } else {
                request.complete(try await handler.handle(request))
            }
        } catch {
            request.complete(.close(reason: "cannot handle \(header.apiKey) v\(header.apiVersion) from \(header.clientId ?? "-"): \(error)"))
        }
    }
}

/// The handler of one API (one file each in `Handlers/`).
public protocol KafkaRequestHandler: Sendable {
    var apiKey: ApiKey { get }
    /// Decodes the body, does the work, and returns the response frame (or `.noResponse`).
    /// A thrown error closes the connection; per-partition problems are error codes instead.
    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction
}

/// The handler of an API whose requests may wait in a purgatory (Produce with acks=all, Fetch
/// with `min_bytes`). A waiting request holds no request handler: the handler parks it as a
/// delayed operation and returns, and the thread that completes the operation — an append
/// completing a follower's fetch, a follower's fetch completing an acks=all produce, the
/// purgatory's timer — builds the response and passes it to `respond` (Kafka's response
/// callback), which hands it to the connection's event loop.
///
/// Contract: `respond` is called exactly once if `handle` returns, never if it throws (a thrown
/// error closes the connection, as for any handler); whatever can throw comes before the request
/// is parked.
protocol KafkaDelayingRequestHandler: KafkaRequestHandler {
    func handle(_ request: KafkaRequest, respond: @escaping @Sendable (KafkaResponseAction) -> Void) async throws
}

extension KafkaDelayingRequestHandler {
    /// The response as a value, waiting as long as the request waits.
    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        let (responses, sink) = AsyncStream.makeStream(of: KafkaResponseAction.self, bufferingPolicy: .bufferingOldest(1))
        try await handle(request) { action in
            sink.yield(action)
            sink.finish()
        }
        for await action in responses { return action }
        // Only a cancelled wait gets here (the handler answers exactly once): close, do not trap.
        return .close(reason: "\(type(of: self)): the wait for the answer to \(request.header.apiKey) was cancelled")
    }
}

extension KafkaAPI {
    /// A whole response frame for `request`, at its version.
    static func responseFrame(_ response: Response, to request: KafkaRequest) -> KafkaResponseAction {
        var buffer = ByteBuffer()
        writeResponseFrame(response, correlationId: request.header.correlationId, version: request.header.apiVersion,
                           into: &buffer)
        return .send(buffer)
    }
}
