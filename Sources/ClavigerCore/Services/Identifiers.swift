import Crypto
import Foundation
import WebAuthn

/// Random identifiers and secrets, and the normalisation of what people type.
enum Identifiers {
    /// `count` bytes from the system CSPRNG, eight per call.
    static func random(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }

    /// A session token: 32 random bytes, base64url. Stored only as its SHA-256.
    static func newSessionToken() -> (token: String, hash: [UInt8]) {
        let token = Base64URL.encode(random(32))
        return (token, tokenHash(token))
    }

    static func tokenHash(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(token.utf8)))
    }

    /// Usernames compare case- and width-insensitively: NFKC (ｂｏｂ is bob), trimmed, lowercased;
    /// 1–64 characters, no controls.
    static func normalizedUsername(_ raw: String) -> String? {
        let name = raw.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return isPlainText(name, maxLength: 64) ? name : nil
    }

    /// A display or passkey name: trimmed, 1–64 characters, no control characters.
    static func normalizedName(_ raw: String) -> String? {
        let name = raw.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
        return isPlainText(name, maxLength: 64) ? name : nil
    }

    /// Length in Unicode scalars (as JSON Schema's maxLength counts): combining marks count too.
    private static func isPlainText(_ text: String, maxLength: Int) -> Bool {
        !text.isEmpty && text.unicodeScalars.count <= maxLength
            && !text.unicodeScalars.contains { CharacterSet.controlCharacters.contains($0) || $0.properties.generalCategory == .format }
    }
}
