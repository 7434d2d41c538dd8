import Foundation
import Hummingbird

/// JSON in and out, with the limits every request is held to.
enum JSONWire {
    /// Request bodies larger than this are refused (413) before they are parsed.
    static let maximumBodyBytes = 64 * 1024

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encode(value))))
    }

    /// The body as `T`: JSON content type, at most `maximumBodyBytes`, well-formed.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            throw APIProblem(.unsupportedMediaType, code: "unsupported_media_type", title: "Unsupported media type",
                             detail: "Send the body as application/json.")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBodyBytes)
        } catch {
            throw bodyTooLarge
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw APIProblem.malformed("The body is not the expected JSON: \(describe(error))")
        } catch {
            throw APIProblem.malformed("The body is not JSON.")
        }
    }

    static let bodyTooLarge = APIProblem(.contentTooLarge, code: "body_too_large", title: "Request too large",
                                         detail: "Request bodies are limited to \(maximumBodyBytes / 1024) KiB.")

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context): return "missing \(path(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "wrong type at \(path(context.codingPath))"
        case .dataCorrupted(let context): return context.codingPath.isEmpty ? "not valid JSON" : "invalid value at \(path(context.codingPath))"
        @unknown default: return "invalid"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
