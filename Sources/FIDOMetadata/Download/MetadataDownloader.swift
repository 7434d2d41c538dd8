import AsyncHTTPClient
import Foundation
import NIOCore

/// Fetches the MDS BLOB with conditional requests and keeps the last good one on disk.
///
/// The cache holds the BLOB (`mds-blob.jwt`) and its HTTP validators (`mds-blob.json`: ETag,
/// Last-Modified). A download replaces the cache only after it verified; a bad or failed
/// download leaves the cache as it was and is reported beside the cached BLOB, so the bank
/// keeps running on the last good metadata and alerts.
public struct MetadataDownloader: Sendable {
    public enum Source: String, Sendable, Codable {
        /// A new BLOB was downloaded, verified and cached.
        case downloaded
        /// The server answered 304 (or the same bytes): the cached BLOB is current.
        case notModified
        /// The download failed or did not verify: the cached BLOB is returned.
        case cache
    }

    public struct Outcome: Sendable {
        public let blob: VerifiedMetadataBLOB
        public let source: Source
        /// Why the download was not used, when `source == .cache`.
        public let downloadError: MetadataError?
    }

    struct CacheMetadata: Codable {
        var url: String
        var etag: String?
        var lastModified: String?
        var serialNumber: Int
        var savedAt: Date
    }

    /// `https://mds3.fidoalliance.org/` in production; `file://` URLs are read directly.
    public let url: String
    public let cacheDirectory: URL
    public var verifier: MetadataBLOBVerifier
    public var timeoutSeconds: Int64
    let client: HTTPClient

    public init(url: String, cacheDirectory: URL, verifier: MetadataBLOBVerifier = MetadataBLOBVerifier(), timeoutSeconds: Int64 = 60,
                httpClient: HTTPClient = .shared) {
        self.url = url
        self.cacheDirectory = cacheDirectory
        self.verifier = verifier
        self.timeoutSeconds = timeoutSeconds
        self.client = httpClient
    }

    var blobFile: URL { cacheDirectory.appendingPathComponent("mds-blob.jwt") }
    var metadataFile: URL { cacheDirectory.appendingPathComponent("mds-blob.json") }

    /// The cached BLOB, verified at `time`; `nil` when there is none or it no longer verifies.
    public func cachedBLOB(at time: Date) async -> VerifiedMetadataBLOB? {
        guard let bytes = try? Data(contentsOf: blobFile) else { return nil }
        return try? await verifier.verify(Array(bytes), at: time)
    }

    /// Fetches the BLOB if it changed, verifies it at `time` and caches it. `previousSerialNumber`
    /// is the `no` already accepted (rollback protection also uses the cached BLOB's `no`).
    /// Throws only when there is no usable BLOB at all.
    public func refresh(at time: Date, previousSerialNumber: Int? = nil) async throws(MetadataError) -> Outcome {
        let cachedBytes = (try? Data(contentsOf: blobFile)).map { Array($0) }
        var cached: VerifiedMetadataBLOB?
        if let cachedBytes { cached = try? await verifier.verify(cachedBytes, at: time) }
        if let previousSerialNumber, let cachedNumber = cached?.serialNumber, cachedNumber < previousSerialNumber {
            // A cache older than what the caller already accepted is not a fallback.
            cached = nil
        }
        let validators = cached == nil ? nil : loadMetadata()

        let usableCache = cached
        func fallback(_ error: MetadataError) throws(MetadataError) -> Outcome {
            guard let cached = usableCache else { throw error }
            return Outcome(blob: cached, source: .cache, downloadError: error)
        }

        let fetched: Fetched
        do {
            fetched = try await fetch(etag: validators?.etag, lastModified: validators?.lastModified)
        } catch {
            return try fallback(error)
        }
        guard let body = fetched.body else {
            guard let cached else { return try fallback(MetadataError(.downloadFailed, "the server answered 304 but there is no cached BLOB")) }
            return Outcome(blob: cached, source: .notModified, downloadError: nil)
        }
        if let cached, let cachedBytes, body == cachedBytes {
            try? saveMetadata(CacheMetadata(url: url, etag: fetched.etag, lastModified: fetched.lastModified, serialNumber: cached.serialNumber, savedAt: time))
            return Outcome(blob: cached, source: .notModified, downloadError: nil)
        }
        let floor = [previousSerialNumber, cached?.serialNumber].compactMap { $0 }.max()
        let verified: VerifiedMetadataBLOB
        do {
            verified = try await verifier.verify(body, at: time, previousSerialNumber: floor)
        } catch {
            return try fallback(error)
        }
        do {
            try FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
            try Data(body).write(to: blobFile, options: .atomic)
            try saveMetadata(CacheMetadata(url: url, etag: fetched.etag, lastModified: fetched.lastModified, serialNumber: verified.serialNumber, savedAt: time))
        } catch {
            return Outcome(blob: verified, source: .downloaded, downloadError: MetadataError(.cacheFailed, "the verified BLOB could not be cached: \(error)"))
        }
        return Outcome(blob: verified, source: .downloaded, downloadError: nil)
    }

    struct Fetched {
        /// `nil` for 304 Not Modified.
        let body: [UInt8]?
        let etag: String?
        let lastModified: String?
    }

    func fetch(etag: String?, lastModified: String?) async throws(MetadataError) -> Fetched {
        if let file = URL(string: url), file.isFileURL {
            guard let data = FileManager.default.contents(atPath: file.path) else { throw MetadataError(.downloadFailed, "cannot read \(file.path)") }
            guard data.count <= verifier.maxBytes else { throw MetadataError(.downloadFailed, "the BLOB file is larger than \(verifier.maxBytes) bytes") }
            return Fetched(body: Array(data), etag: nil, lastModified: nil)
        }
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        if let etag { request.headers.add(name: "If-None-Match", value: etag) }
        if let lastModified { request.headers.add(name: "If-Modified-Since", value: lastModified) }
        do {
            let response = try await client.execute(request, timeout: .seconds(timeoutSeconds))
            let etag = response.headers.first(name: "ETag")
            let lastModified = response.headers.first(name: "Last-Modified")
            switch response.status.code {
            case 304:
                return Fetched(body: nil, etag: etag, lastModified: lastModified)
            case 200:
                var buffer = try await response.body.collect(upTo: verifier.maxBytes)
                let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
                return Fetched(body: bytes, etag: etag, lastModified: lastModified)
            default:
                throw MetadataError(.downloadFailed, "the metadata server answered HTTP \(response.status.code)")
            }
        } catch let error as MetadataError {
            throw error
        } catch {
            throw MetadataError(.downloadFailed, "the BLOB download failed: \(error)")
        }
    }

    func loadMetadata() -> CacheMetadata? {
        guard let data = try? Data(contentsOf: metadataFile) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let metadata = try? decoder.decode(CacheMetadata.self, from: data), metadata.url == url else { return nil }
        return metadata
    }

    func saveMetadata(_ metadata: CacheMetadata) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(metadata).write(to: metadataFile, options: .atomic)
    }
}
