import Foundation
import X509
import SwiftASN1
import Crypto

/// The root certificates attestation chains may end at: a general set, plus sets that apply
/// only to one attestation format (Apple's root for `apple`, Google's for `android-key`, …).
/// Banks add and remove roots through configuration; nothing here is fixed at build time.
public struct TrustAnchors: Sendable {
    public private(set) var general: [Certificate]
    public private(set) var byFormat: [String: [Certificate]]

    public init(general: [Certificate] = [], byFormat: [String: [Certificate]] = [:]) {
        self.general = general
        self.byFormat = byFormat
    }

    public static let none = TrustAnchors()

    public func anchors(for format: String) -> [Certificate] {
        general + (byFormat[format] ?? [])
    }

    public mutating func add(_ certificate: Certificate, format: String? = nil) {
        if let format { byFormat[format, default: []].append(certificate) } else { general.append(certificate) }
    }

    /// Parses every certificate in a PEM bundle.
    public static func certificates(pem: String) throws(WebAuthnError) -> [Certificate] {
        do {
            let documents = try PEMDocument.parseMultiple(pemString: pem)
            guard !documents.isEmpty else { throw WebAuthnError(.certificateInvalid, "no PEM certificate found") }
            return try documents.map { try Certificate(pemDocument: $0) }
        } catch let error as WebAuthnError {
            throw error
        } catch {
            throw WebAuthnError(.certificateInvalid, "PEM does not hold valid certificates: \(error)")
        }
    }
}

extension Certificate {
    /// Parses a DER certificate from an attestation statement.
    static func parse(der bytes: [UInt8], field: String) throws(WebAuthnError) -> Certificate {
        do {
            return try Certificate(derEncoded: bytes)
        } catch {
            throw WebAuthnError(.certificateInvalid, "\(field) is not a valid X.509 certificate")
        }
    }

    /// SHA-256 of the DER encoding, lowercase hex: how anchors are pinned and reported.
    public var sha256Fingerprint: String {
        var serializer = DER.Serializer()
        guard (try? serialize(into: &serializer)) != nil else { return "" }
        return Array(SHA256.hash(data: serializer.serializedBytes)).hexString
    }
}

