import Crypto
import Foundation
import WebAuthn

/// A started ceremony travels to the client as a token MACed with the deployment's key, so
/// that starting one writes nothing (an unauthenticated caller cannot fill the database) and any
/// instance can finish it. Single use is recorded when it is finished (`ClavigerStore.markConsumed`).
///
/// Layout (base64url, then "." and the base64url HMAC-SHA256 of the bytes before it):
/// version 1 ‖ kind ‖ created (ms, 8) ‖ expires (ms, 8) ‖ id (16) ‖ challenge length (1) ‖ challenge ‖
/// user handle length (1) ‖ user handle ‖ state: flags (1: new account) ‖ username ‖ display name ‖
/// allowCredentials count (2) ‖ each id; strings and ids as length (2, 0xFFFF = none) ‖ bytes.
struct CeremonyToken {
    static let version: UInt8 = 1
    static let maximumLength = 16 * 1024

    let key: SymmetricKey

    func encode(_ ceremony: CeremonyRecord, id: [UInt8]) throws(ClavigerError) -> String {
        var bytes: [UInt8] = [Self.version, ceremony.kind == .registration ? 1 : 2]
        append(millis(ceremony.createdAt), to: &bytes)
        append(millis(ceremony.expiresAt), to: &bytes)
        bytes += id
        let user = ceremony.userID ?? []
        let state = ceremony.state
        let fields = [state.username.map { Array($0.utf8) }, state.displayName.map { Array($0.utf8) }] + state.allowCredentials.map { Array($0.utf8) }
        guard ceremony.challenge.count <= 255, user.count <= 255, state.allowCredentials.count < 0xFFFF,
              fields.allSatisfy({ ($0?.count ?? 0) < 0xFFFF }) else {
            throw ClavigerError(.malformedRequest, "Ceremony state cannot be encoded.")
        }
        bytes.append(UInt8(ceremony.challenge.count))
        bytes += ceremony.challenge
        bytes.append(UInt8(user.count))
        bytes += user
        bytes.append(state.newAccount ? 1 : 0)
        appendField(state.username.map { Array($0.utf8) }, to: &bytes)
        appendField(state.displayName.map { Array($0.utf8) }, to: &bytes)
        appendLength(state.allowCredentials.count, to: &bytes)
        for id in state.allowCredentials { appendField(Array(id.utf8), to: &bytes) }
        return Base64URL.encode(bytes) + "." + Base64URL.encode(Array(HMAC<SHA256>.authenticationCode(for: bytes, using: key)))
    }

    /// The ceremony and its id, when the token is one this deployment issued (any kind, any time:
    /// the caller checks kind and expiry).
    func decode(_ token: String) -> (ceremony: CeremonyRecord, id: [UInt8])? {
        guard token.utf8.count <= Self.maximumLength else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let bytes = Base64URL.decode(String(parts[0])), let mac = Base64URL.decode(String(parts[1])),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: bytes, using: key) else { return nil }
        var reader = ByteReader(bytes)
        guard reader.byte() == Self.version, let kindByte = reader.byte(), let created = reader.uint64(), let expires = reader.uint64(),
              let id = reader.bytes(16), let challengeLength = reader.byte(), let challenge = reader.bytes(Int(challengeLength)),
              let userLength = reader.byte(), let user = reader.bytes(Int(userLength)),
              let flags = reader.byte(), flags <= 1, let username = reader.field(), let displayName = reader.field(),
              let count = reader.length() else { return nil }
        var allowCredentials: [String] = []
        for _ in 0..<count {
            guard let field = reader.field(), let id = field.map({ String(decoding: $0, as: UTF8.self) }) else { return nil }
            allowCredentials.append(id)
        }
        guard reader.atEnd else { return nil }
        let state = CeremonyRecord.State(username: username.map { String(decoding: $0, as: UTF8.self) },
                                         displayName: displayName.map { String(decoding: $0, as: UTF8.self) },
                                         newAccount: flags == 1, allowCredentials: allowCredentials)
        let kind: CeremonyRecord.Kind
        switch kindByte {
        case 1: kind = .registration
        case 2: kind = .authentication
        default: return nil
        }
        let ceremony = CeremonyRecord(id: token, kind: kind, challenge: challenge, userID: user.isEmpty ? nil : user, state: state,
                                      createdAt: Date(timeIntervalSince1970: Double(created) / 1000),
                                      expiresAt: Date(timeIntervalSince1970: Double(expires) / 1000))
        return (ceremony, id)
    }

    private func millis(_ date: Date) -> UInt64 { UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down))) }

    private func appendLength(_ length: Int, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: length >> 8))
        bytes.append(UInt8(truncatingIfNeeded: length))
    }

    private func appendField(_ field: [UInt8]?, to bytes: inout [UInt8]) {
        guard let field else { return appendLength(0xFFFF, to: &bytes) }
        appendLength(field.count, to: &bytes)
        bytes += field
    }

    private func append(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    private struct ByteReader {
        let bytes: [UInt8]
        var offset = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func byte() -> UInt8? { bytes(1)?.first }

        mutating func bytes(_ count: Int) -> [UInt8]? {
            guard count >= 0, count <= bytes.count - offset else { return nil }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }

        mutating func uint64() -> UInt64? {
            bytes(8).map { $0.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        }

        var atEnd: Bool { offset == bytes.count }

        mutating func length() -> Int? {
            bytes(2).map { Int($0[0]) << 8 | Int($0[1]) }
        }

        /// A length-prefixed field: `.some(nil)` for "none", `nil` when the bytes run out.
        mutating func field() -> [UInt8]?? {
            guard let length = length() else { return nil }
            if length == 0xFFFF { return .some(nil) }
            guard let value = bytes(length) else { return nil }
            return .some(value)
        }
    }
}

/// Keys derived from the per-deployment secret, one per purpose.
public struct DeploymentKeys: Sendable {
    let ceremony: SymmetricKey
    let decoy: SymmetricKey

    public init(secret: [UInt8]) {
        let master = SymmetricKey(data: secret)
        ceremony = HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Array("claviger ceremony token v1".utf8), outputByteCount: 32)
        decoy = HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Array("claviger decoy credential v1".utf8), outputByteCount: 32)
    }
}
