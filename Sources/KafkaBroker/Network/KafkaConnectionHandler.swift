import KafkaCommon
import KafkaProtocol
import KafkaStorage
import Logging
import NIOCore

/// One client connection's request flow (the per-connection part of Kafka's `Processor`).
///
/// Requests of one connection are handled strictly one at a time and answered in order: after a
/// request is handed to the `RequestChannel` the connection is **muted** — this handler holds back
/// NIO's `read` until the response has been written (or the request needed none), exactly as
/// Kafka stops reading a channel until its response is sent. Frames that arrived in the same read
/// wait in `pending`. A request that finds the request queue full stays first in `pending` and the
/// connection waits, muted, for the `RequestChannel` to wake it (`isWaitingForRoom`); it does not
/// poll.
///
/// A frame whose header cannot be parsed, an oversized frame (`socket.request.max.bytes`, checked
/// by the `KafkaFrameDecoder` in front of this handler) or a handler's `.close` closes this
/// connection only. With no traffic for `connections.max.idle.ms` (an `IdleStateHandler` in front)
/// an idle connection is closed.
///
/// Isolation: everything runs on the channel's event loop; the request handlers come back to it
/// through `NIOLoopBound`.
final class KafkaConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let requestChannel: RequestChannel
    private let listenerName: String
    private let logger: Logger
    private let time: any Time
    private var connectionId = "unknown"
    private var clientHost = ""
    private var context: ChannelHandlerContext?
    private var pending = CircularBuffer<ByteBuffer>()
    private var inFlight = false
    private var readHeldBack = false
    private var isClosing = false
    /// The request queue was full: the first of `pending` waits for `roomMayBeFree`.
    private var isWaitingForRoom = false
    /// Given to the `RequestChannel` with every request; made once per connection.
    private var waker: RequestChannel.Waker = {}
    /// The in-flight request's times for the request metrics (nil when metrics are off).
    var inFlightMetrics: InFlightRequestMetrics?

    init(requestChannel: RequestChannel, listenerName: String, logger: Logger, time: any Time) {
        self.requestChannel = requestChannel
        self.listenerName = listenerName
        self.logger = logger
        self.time = time
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let local = context.channel.localAddress?.description ?? "?"
        let remote = context.channel.remoteAddress?.description ?? "?"
        connectionId = "\(local)-\(remote)"
        clientHost = "/" + (context.channel.remoteAddress?.ipAddress ?? "")
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        waker = { eventLoop.execute { bound.value.roomMayBeFree() } }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        waker = {}  // it holds this handler; a copy the channel still has passes its wake-up on
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending.append(unwrapInboundIn(data))
        processNext()
    }

    /// Muting: while a request is in flight (or waiting), reads are held back.
    func read(context: ChannelHandlerContext) {
        if inFlight || !pending.isEmpty {
            readHeldBack = true
        } else {
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent, !inFlight {
            logger.debug("Closing idle connection \(connectionId)")
            close(reason: "idle for connections.max.idle.ms")
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        close(reason: "\(error)")
    }

    private func processNext() {
        guard let context, !inFlight, !isClosing, !isWaitingForRoom, let frame = pending.first else {
            resumeReadingIfIdle()
            return
        }
        var body = frame
        let header: RequestHeader
        do {
            header = try RequestHeader(from: &body)
        } catch {
            close(reason: "unparseable request header: \(error)")
            return
        }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let (time, timed) = (self.time, requestChannel.requestMetrics != nil)
        let request = KafkaRequest(
            header: header, body: body, connectionId: connectionId, listenerName: listenerName, receivedNanos: time.nanoseconds,
            clientHost: clientHost, complete: { action in
                let readyNanos = timed ? time.nanoseconds : 0
                eventLoop.execute { bound.value.completed(action, readyNanos: readyNanos) }
            })
        switch requestChannel.send(request, waker: waker) {
        case .accepted:
            pending.removeFirst()
            inFlight = true
            inFlightMetrics = requestChannel.requestMetrics.flatMap { InFlightRequestMetrics(request, metrics: $0) }
        case .full:
            isWaitingForRoom = true
        case .closed:
            close(reason: "the broker is shutting down")
        }
    }

    /// The `RequestChannel` woke this connection: its waiting request is sent again. A connection
    /// that has nothing to send any more (it closed) passes the wake-up on.
    private func roomMayBeFree() {
        isWaitingForRoom = false
        guard context != nil, !isClosing, !inFlight, !pending.isEmpty else {
            requestChannel.wakeNextWaiter()
            return
        }
        processNext()
    }

    private func completed(_ action: KafkaResponseAction, readyNanos: UInt64) {
        inFlight = false
        guard let context, !isClosing else { return }
        let sent = responseSendPromise(readyNanos: readyNanos, action: action, context: context)
        switch action {
        case .send(let frame):
            context.writeAndFlush(wrapOutboundOut(frame), promise: sent)
        case .sendParts(let parts):
            do {
                try write(parts, context: context, sent: sent)
            } catch {
                close(reason: "cannot send a file region: \(error)")
                return
            }
        case .noResponse:
            break
        case .close(let reason):
            close(reason: reason)
            return
        }
        processNext()
    }

    /// Writes a frame made of memory and file parts; file parts go out as `FileRegion`s
    /// (sendfile) from the descriptor their slice holds open: nothing is opened on the event loop,
    /// and a segment renamed, deleted or re-created under the same name since the read still
    /// sends the bytes read.
    ///
    /// NIO's `FileRegion` needs an `NIOFileHandle`, which owns a descriptor: each one borrows the
    /// slice's descriptor and gives it back (`takeDescriptorOwnership`, never `close`) once the
    /// frame's last write has completed or failed; until then the slices, and so their open
    /// files, are kept alive by that completion. The `FileChannel` closes the descriptor when its
    /// last owner goes.
    ///
    /// A slice whose file was truncated below its end since the read (`FileSlice.isIntact`) is
    /// not sent: its range may hold other records now. The frame's size is already fixed, so the
    /// caller closes the connection (as Kafka does), and the client fetches again.
    private func write(_ parts: [ResponsePart], context: ChannelHandlerContext, sent: EventLoopPromise<Void>?) throws {
        var slices: [FileSlice] = []
        for case .file(let slice) in parts where slice.size > 0 {
            guard slice.isIntact else {
                throw StorageError.truncatedUnderSlice(path: slice.path, position: slice.position, size: slice.size)
            }
            slices.append(slice)
        }
        var handles: [NIOFileHandle] = []
        var ioData: [IOData] = []
        for part in parts {
            switch part {
            case .bytes(let buffer):
                ioData.append(.byteBuffer(buffer))
            case .file(let slice):
                guard slice.size > 0, let channel = slice.channel else { continue }
                let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: channel.descriptor)
                handles.append(handle)
                ioData.append(.fileRegion(FileRegion(fileHandle: handle, readerIndex: slice.position, endIndex: slice.position + slice.size)))
            }
        }
        guard !ioData.isEmpty else {
            sent?.succeed(())
            return
        }
        let borrowed = NIOLoopBound((handles, slices), eventLoop: context.eventLoop)
        let promise = context.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { _ in
            let (handles, slices) = borrowed.value
            for handle in handles { _ = try? handle.takeDescriptorOwnership() }
            withExtendedLifetime(slices) {}
        }
        if let sent { promise.futureResult.cascade(to: sent) }
        for (index, data) in ioData.enumerated() {
            if index == ioData.count - 1 {
                context.writeAndFlush(NIOAny(data), promise: promise)
            } else {
                context.write(NIOAny(data), promise: nil)
            }
        }
    }

    private func resumeReadingIfIdle() {
        guard let context, readHeldBack, !inFlight, pending.isEmpty else { return }
        readHeldBack = false
        context.read()
    }

    private func close(reason: String) {
        guard let context, !isClosing else { return }
        isClosing = true
        pending.removeAll()
        logger.info("Closing connection \(connectionId): \(reason)")
        context.close(promise: nil)
    }
}
