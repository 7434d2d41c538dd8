import Foundation
import Hummingbird
import WebAuthn

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

    /// The body as `T`: `application/json` in UTF-8, at most `maximumBodyBytes` (refused from the
    /// declared length before reading), strictly well-formed (no duplicate members, valid UTF-8,
    /// bounded depth: the same parser as the signed client data), then decoded from that tree. With
    /// `emptyAs`, a request without a body counts as that JSON text.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, emptyAs empty: String? = nil) async throws -> T {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maximumBodyBytes { throw bodyTooLarge }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBodyBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw bodyTooLarge
        } catch {
            throw APIProblem.malformed("The request body could not be read.")
        }
        var bytes = Array(buffer.readableBytesView)
        if bytes.isEmpty, let empty {
            bytes = Array(empty.utf8)
        } else {
            try requireJSONMediaType(request.headers[.contentType])
        }
        let json: JSONValue
        switch JSONValue.parse(bytes, limits: .init(maxDepth: 32, maxBytes: maximumBodyBytes)) {
        case .success(let value): json = value
        case .failure(let error): throw APIProblem.malformed("The body is not valid JSON: \(error.reason).")
        }
        do {
            return try JSONValueDecoder().decode(T.self, from: json)
        } catch let error as DecodingError {
            throw APIProblem.malformed("The body is not the expected JSON: \(describe(error)).")
        } catch {
            throw APIProblem.malformed("The body is not the expected JSON.")
        }
    }

    /// `application/json`, with no parameter but an optional `charset=utf-8`.
    static func requireJSONMediaType(_ header: String?) throws {
        if header == "application/json" { return }
        let parts = (header ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let parametersOK = parts.dropFirst().allSatisfy { $0 == "charset=utf-8" || $0 == "charset=\"utf-8\"" }
        guard parts.first == "application/json", parametersOK else {
            throw APIProblem(.unsupportedMediaType, code: "unsupported_media_type", title: "Unsupported media type",
                             detail: "Send the body as application/json in UTF-8.")
        }
    }

    static let bodyTooLarge = APIProblem(.contentTooLarge, code: "body_too_large", title: "Request too large",
                                         detail: "Request bodies are limited to \(maximumBodyBytes / 1024) KiB.")

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context): return "missing \(path(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "wrong type at \(path(context.codingPath))"
        case .dataCorrupted(let context):
            // A value does not fit its field (e.g. a number out of range, or not a whole number).
            return context.codingPath.isEmpty ? "a value does not fit its field" : "invalid value at \(path(context.codingPath))"
        @unknown default: return "invalid"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
