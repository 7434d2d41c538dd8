import FIDOMetadata
import Foundation
import Testing

/// A python3 HTTP server on a free loopback port serving `file` (see mds_test_server.py).
final class LocalBLOBServer {
    let process = Process()
    let lifeline = Pipe()
    let port: Int

    init(serving file: URL) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("mds_test_server.py")
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, file.path]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        // The server exits when this pipe closes, so it never outlives the test process.
        process.standardInput = lifeline
        try process.run()
        var line = [UInt8]()
        while let byte = try output.fileHandleForReading.read(upToCount: 1)?.first, byte != 0x0A { line.append(byte) }
        guard let port = Int(String(decoding: line, as: UTF8.self).replacingOccurrences(of: "PORT ", with: "")) else {
            process.terminate()
            throw CocoaError(.fileReadUnknown)
        }
        self.port = port
    }

    var url: String { "http://127.0.0.1:\(port)/mds.jwt" }

    deinit {
        try? lifeline.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }
}

@Suite("BLOB downloader and cache", .enabled(if: Vectors.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/env")))
struct DownloaderTests {
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("claviger-mds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func firstFetchDownloadsAndCachesThen304UsesTheCacheThenTamperedDownloadKeepsIt() async throws {
        let work = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let served = work.appendingPathComponent("served.jwt")
        let cache = work.appendingPathComponent("cache")
        let blob = try Vectors.bytes(Vectors.realBLOB)
        try Data(blob).write(to: served)
        let server = try LocalBLOBServer(serving: served)
        let downloader = MetadataDownloader(url: server.url, cacheDirectory: cache)

        // 1. 200: verified and cached.
        let first = try await downloader.refresh(at: pinnedTime)
        #expect(first.source == .downloaded)
        #expect(first.blob.serialNumber == 9)
        #expect(first.downloadError == nil)
        #expect(try Data(contentsOf: cache.appendingPathComponent("mds-blob.jwt")) == Data(blob))
        let validators = try String(contentsOf: cache.appendingPathComponent("mds-blob.json"), encoding: .utf8)
        #expect(validators.contains("etag"))

        // 2. 304: the cache is used.
        let second = try await downloader.refresh(at: pinnedTime, previousSerialNumber: 9)
        #expect(second.source == .notModified)
        #expect(second.blob.serialNumber == 9)

        // 3. The server now serves a tampered BLOB: refused, the cache stays.
        try Data(blob.flippingBase64URLCharacter(at: blob.count / 2)).write(to: served)
        let third = try await downloader.refresh(at: pinnedTime, previousSerialNumber: 9)
        #expect(third.source == .cache)
        #expect(third.downloadError?.code == .blobSignatureInvalid)
        #expect(third.blob.serialNumber == 9)
        #expect(try Data(contentsOf: cache.appendingPathComponent("mds-blob.jwt")) == Data(blob))
        withExtendedLifetime(server) {}
    }

    @Test func tamperedFirstDownloadWithNoCacheThrowsAndCachesNothing() async throws {
        let work = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let served = work.appendingPathComponent("served.jwt")
        let blob = try Vectors.bytes(Vectors.realBLOB)
        try Data(blob.flippingBase64URLCharacter(at: blob.jwsDots[1] + 10)).write(to: served)
        let server = try LocalBLOBServer(serving: served)
        let cache = work.appendingPathComponent("cache")
        let code = await metadataErrorCode { _ = try await MetadataDownloader(url: server.url, cacheDirectory: cache).refresh(at: pinnedTime) }
        #expect(code == .blobSignatureInvalid)
        #expect(!FileManager.default.fileExists(atPath: cache.appendingPathComponent("mds-blob.jwt").path))
        withExtendedLifetime(server) {}
    }

    @Test func unreachableServerFallsBackToTheCache() async throws {
        let work = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let cache = work.appendingPathComponent("cache")
        let file = work.appendingPathComponent("blob.jwt")
        try Data(try Vectors.bytes(Vectors.realBLOB)).write(to: file)
        // Seed the cache from a file URL.
        let seeded = try await MetadataDownloader(url: file.absoluteString, cacheDirectory: cache).refresh(at: pinnedTime)
        #expect(seeded.source == .downloaded)
        // Port 9 (discard) on loopback: connection refused.
        let outcome = try await MetadataDownloader(url: "http://127.0.0.1:9/mds.jwt", cacheDirectory: cache, timeoutSeconds: 5).refresh(at: pinnedTime)
        #expect(outcome.source == .cache)
        #expect(outcome.downloadError?.code == .downloadFailed)
        #expect(outcome.blob.serialNumber == 9)
    }

    @Test func sameBLOBFromAFileIsNotModifiedAndAnOlderOneIsARollback() async throws {
        let work = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = work.appendingPathComponent("blob.jwt")
        try Data(try Vectors.bytes(Vectors.realBLOB)).write(to: file)
        let downloader = MetadataDownloader(url: file.absoluteString, cacheDirectory: work.appendingPathComponent("cache"))
        #expect(try await downloader.refresh(at: pinnedTime).source == .downloaded)
        #expect(try await downloader.refresh(at: pinnedTime).source == .notModified)
        // The caller already accepted no 10: the cached no 9 is no fallback, the download is a rollback.
        let code = await metadataErrorCode { _ = try await downloader.refresh(at: pinnedTime, previousSerialNumber: 10) }
        #expect(code == .blobRollback)
    }
}
