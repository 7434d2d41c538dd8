import NIOCore
import NIOHTTP1
import NIOPosix

/// One keep-alive HTTP/1.1 connection with one request in flight at a time, like a browser tab's.
/// Everything happens on the channel's event loop: the load generator spends its CPU on signing
/// and on the wire, not on handing work between threads.
final class Connection: ChannelInboundHandler, @unchecked Sendable {  // state touched on `eventLoop` only
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    struct Response {
        let status: Int
        let body: [UInt8]
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let eventLoop: any EventLoop
    private let host: String
    private let origin: String
    private var channel: (any Channel)?
    private var pending: EventLoopPromise<Response>?
    private var status = 0
    private var body = ByteBuffer()

    private init(eventLoop: any EventLoop, host: String, origin: String) {
        self.eventLoop = eventLoop
        self.host = host
        self.origin = origin
    }

    static func open(host: String, port: Int, origin: String, on eventLoop: any EventLoop) async throws -> Connection {
        let connection = Connection(eventLoop: eventLoop, host: "\(host):\(port)", origin: origin)
        let channel = try await ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(connection)
                }
            }
            .connect(host: host, port: port).get()
        try await eventLoop.submit { connection.channel = channel }.get()
        return connection
    }

    /// POSTs a JSON body; call on `eventLoop`.
    func post(_ path: String, _ json: [UInt8]) -> EventLoopFuture<Response> {
        eventLoop.preconditionInEventLoop()
        guard pending == nil, let channel else { return eventLoop.makeFailedFuture(Failure(description: "connection busy or closed")) }
        let promise = eventLoop.makePromise(of: Response.self)
        pending = promise
        status = 0
        body.clear()
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
        head.headers.add(name: "Host", value: host)
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Origin", value: origin)
        head.headers.add(name: "Content-Length", value: String(json.count))
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: json))), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        return promise.futureResult
    }

    func close() async {
        try? await eventLoop.flatSubmit { self.channel?.close() ?? self.eventLoop.makeSucceededVoidFuture() }.get()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = Int(head.status.code)
        case .body(var part): body.writeBuffer(&part)
        case .end:
            let promise = pending
            pending = nil
            promise?.succeed(Response(status: status, body: Array(body.readableBytesView)))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        channel = nil
        fail(Failure(description: "the server closed the connection"))
    }

    private func fail(_ error: any Error) {
        let promise = pending
        pending = nil
        promise?.fail(error)
    }
}
