import KafkaCommon
import KafkaProtocol
import Logging
import NIOCore

/// Dispatches requests by API key to their handlers (Kafka's `KafkaApis`), one handler type per
/// API in `Handlers/`. Only APIs with a handler are advertised in ApiVersions; a request for any
/// other API, or at a version outside the advertised range (ApiVersions aside), closes the
/// connection, as Kafka does for requests it cannot parse.
///
/// Isolation: immutable; called concurrently by the request handler pool. Handlers guard their
/// own state.
public final class KafkaApis: Sendable {
    let logger: Logger
    let handlers: [ApiKey: any KafkaRequestHandler]

    public init(logger: Logger, handlers: [any KafkaRequestHandler]) {
        self.logger = logger
        var table: [ApiKey: any KafkaRequestHandler] = [:]
        for handler in handlers { table[handler.apiKey] = handler }
        let advertised = Self.advertisedVersions(for: table)
        table[ApiKey.apiVersions] = ApiVersionsHandler(advertised: advertised)
        self.handlers = table
    }

    /// The versions advertised for the handled APIs, in key order.
    static func advertisedVersions(for handlers: [ApiKey: any KafkaRequestHandler]) -> [ApiVersions.ApiVersion] {
        var keys = Set(handlers.keys)
        keys.insert(.apiVersions)
        return KafkaAPIs.advertised.filter { keys.contains($0.apiKey) }.sorted { $0.apiKey.rawValue < $1.apiKey.rawValue }
    }

    public var advertised: [ApiVersions.ApiVersion] { (handlers[.apiVersions] as? ApiVersionsHandler)?.advertised ?? [] }

    public func handle(_ request: KafkaRequest) async -> KafkaResponseAction {
        let header = request.header
        guard let handler = handlers[header.apiKey], let api = header.apiKey.api else {
            return .close(reason: "unsupported API key \(header.apiKey.rawValue) (version \(header.apiVersion))")
        }
        if header.apiKey != .apiVersions, !api.versions.contains(header.apiVersion) {
            return .close(reason: "unsupported version \(header.apiVersion) of \(header.apiKey)")
        }
        do {
            return try await handler.handle(request)
        } catch {
            return .close(reason: "cannot handle \(header.apiKey) v\(header.apiVersion) from \(header.clientId ?? "-"): \(error)")
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

extension KafkaAPI {
    /// A whole response frame for `request`, at its version.
    static func responseFrame(_ response: Response, to request: KafkaRequest) -> KafkaResponseAction {
        var buffer = ByteBuffer()
        writeResponseFrame(response, correlationId: request.header.correlationId, version: request.header.apiVersion,
                           into: &buffer)
        return .send(buffer)
    }
}
