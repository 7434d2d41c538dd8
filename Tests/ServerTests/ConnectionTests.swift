import Foundation
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import Server
import Testing

/// Connections over real sockets: what a slow or silent client can hold on to.
@Suite("Connections")
struct ConnectionTests {
    /// True when the server closes `channel` within `limit`.
    static func closes(_ channel: any Channel, within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while channel.isActive, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return !channel.isActive
    }

    @Test func silent_and_stalled_connections_are_closed_after_the_idle_timeout() async throws {
        let bank = try await TestBank.make(.sqlite)
        let app = ClavigerServer.application(service: bank.service, configuration: ServerConfiguration(port: 0, idleConnectionTimeout: .seconds(1)),
                                             metrics: bank.metrics, logger: Logger(label: "test"))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            let silent = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
            // Slowloris: a request line and part of the headers, then nothing.
            let stalled = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
            try await stalled.writeAndFlush(ByteBuffer(string: "POST /v1/authentication/options HTTP/1.1\r\nHost: localhost\r\nContent-Ty")).get()
            // Open before the timeout (the server does not drop connections for another reason)…
            try await Task.sleep(for: .milliseconds(300))
            #expect(silent.isActive)
            #expect(stalled.isActive)
            // …and closed by the server soon after it.
            #expect(await Self.closes(silent, within: .seconds(5)))
            #expect(await Self.closes(stalled, within: .seconds(5)))
        }
        await bank.engine.shutdown()
    }
}
