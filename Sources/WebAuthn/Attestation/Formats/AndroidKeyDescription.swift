import X509
import SwiftASN1

/// The Android Key Attestation extension (OID 1.3.6.1.4.1.11129.2.1.17), read as far as
/// WebAuthn needs it (WebAuthn L3 §8.4, Android "Key and ID attestation" schema):
///
/// ```
/// KeyDescription ::= SEQUENCE {
///     attestationVersion         INTEGER,
///     attestationSecurityLevel   SecurityLevel,        -- ENUMERATED
///     keyMintVersion             INTEGER,              -- keymasterVersion before v100
///     keyMintSecurityLevel       SecurityLevel,
///     attestationChallenge       OCTET STRING,
///     uniqueId                   OCTET STRING,
///     softwareEnforced           AuthorizationList,
///     hardwareEnforced           AuthorizationList,    -- "teeEnforced" in WebAuthn
/// }
/// AuthorizationList ::= SEQUENCE {
///     purpose          [1]   EXPLICIT SET OF INTEGER OPTIONAL,
///     ...
///     allApplications  [600] EXPLICIT NULL OPTIONAL,
///     ...
///     origin           [702] EXPLICIT INTEGER OPTIONAL,
///     ...
/// }
/// ```
///
/// Tags this type does not use are skipped, so new KeyMint versions keep parsing.
struct AndroidKeyDescription: Sendable {
    static let extensionOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 11129, 2, 1, 17]

    /// SecurityLevel ::= ENUMERATED { Software (0), TrustedEnvironment (1), StrongBox (2) }.
    enum SecurityLevel: Int, Sendable {
        case software = 0
        case trustedEnvironment = 1
        case strongBox = 2
    }

    struct AuthorizationList: Sendable, Equatable {
        /// `purpose` [1], when present.
        var purposes: [Int]?
        /// `allApplications` [600] is present.
        var allApplications = false
        /// `origin` [702], when present.
        var origin: Int?
    }

    static let purposeTag: UInt = 1
    static let allApplicationsTag: UInt = 600
    static let originTag: UInt = 702
    /// KM_ORIGIN_GENERATED: the key was generated inside Keystore.
    static let originGenerated = 0
    /// KM_PURPOSE_SIGN.
    static let purposeSign = 2

    let attestationVersion: Int
    /// `nil` for a value outside the ENUMERATED's known range.
    let attestationSecurityLevel: SecurityLevel?
    let keymasterVersion: Int
    let keymasterSecurityLevel: SecurityLevel?
    let attestationChallenge: [UInt8]
    let softwareEnforced: AuthorizationList
    let teeEnforced: AuthorizationList

    /// Reads the extension from a certificate; fails when it is absent or malformed.
    init(certificate: Certificate) throws(WebAuthnError) {
        guard let ext = certificate.extensions[oid: Self.extensionOID] else {
            throw .statement("android-key: attestation certificate has no key description extension (1.3.6.1.4.1.11129.2.1.17)")
        }
        try self.init(derEncoded: ext.value)
    }

    init(derEncoded bytes: ArraySlice<UInt8>) throws(WebAuthnError) {
        do {
            let root: ASN1Node
            do {
                root = try DER.parse(bytes)
            } catch {
                // Some Keymaster implementations emit BER (e.g. unsorted SET OF); the
                // certificate signature covers these bytes, so a lenient read is safe.
                root = try BER.parse(bytes)
            }
            guard root.identifier == .sequence, case .constructed(let fields) = root.content else {
                throw WebAuthnError.statement("android-key: key description is not a SEQUENCE")
            }
            let nodes = Array(fields)
            guard nodes.count == 8 else {
                throw WebAuthnError.statement("android-key: key description has \(nodes.count) fields, 8 expected")
            }
            attestationVersion = try Int(derEncoded: nodes[0])
            attestationSecurityLevel = try Self.securityLevel(nodes[1])
            keymasterVersion = try Int(derEncoded: nodes[2])
            keymasterSecurityLevel = try Self.securityLevel(nodes[3])
            attestationChallenge = Array(try ASN1OctetString(derEncoded: nodes[4]).bytes)
            _ = try ASN1OctetString(derEncoded: nodes[5])
            softwareEnforced = try Self.authorizationList(nodes[6], name: "softwareEnforced")
            teeEnforced = try Self.authorizationList(nodes[7], name: "teeEnforced")
        } catch let error as WebAuthnError {
            throw error
        } catch {
            throw .statement("android-key: key description extension is malformed (\(error))")
        }
    }

    /// The security level as ENUMERATED; an unknown value reads as `nil`.
    private static func securityLevel(_ node: ASN1Node) throws -> SecurityLevel? {
        guard node.identifier == .enumerated, case .primitive(let content) = node.content, content.count <= 4, let first = content.first else {
            throw WebAuthnError.statement("android-key: key description security level is not an ENUMERATED")
        }
        // Non-negative small values only: the known levels are 0, 1 and 2.
        guard first & 0x80 == 0 else { return nil }
        let value = content.reduce(0) { $0 << 8 | Int($1) }
        return SecurityLevel(rawValue: value)
    }

    private static func authorizationList(_ node: ASN1Node, name: String) throws -> AuthorizationList {
        guard node.identifier == .sequence, case .constructed(let entries) = node.content else {
            throw WebAuthnError.statement("android-key: \(name) is not a SEQUENCE")
        }
        var list = AuthorizationList()
        var seen = Set<UInt>()
        for entry in entries {
            guard entry.identifier.tagClass == .contextSpecific else {
                throw WebAuthnError.statement("android-key: \(name) holds an untagged member")
            }
            let tag = entry.identifier.tagNumber
            guard seen.insert(tag).inserted else {
                throw WebAuthnError.statement("android-key: \(name) repeats tag [\(tag)]")
            }
            switch tag {
            case purposeTag:
                let set = try explicitContent(entry, tag: tag, name: name)
                guard set.identifier == .set, case .constructed(let members) = set.content else {
                    throw WebAuthnError.statement("android-key: \(name).purpose is not a SET OF INTEGER")
                }
                var purposes: [Int] = []
                for member in members { purposes.append(try Int(derEncoded: member)) }
                list.purposes = purposes
            case allApplicationsTag:
                list.allApplications = true
            case originTag:
                list.origin = try Int(derEncoded: try explicitContent(entry, tag: tag, name: name))
            default:
                continue
            }
        }
        return list
    }

    /// The single element inside an EXPLICIT tag.
    private static func explicitContent(_ node: ASN1Node, tag: UInt, name: String) throws -> ASN1Node {
        guard case .constructed(let inner) = node.content else {
            throw WebAuthnError.statement("android-key: \(name) [\(tag)] is not EXPLICIT")
        }
        var iterator = inner.makeIterator()
        guard let content = iterator.next(), iterator.next() == nil else {
            throw WebAuthnError.statement("android-key: \(name) [\(tag)] must hold exactly one value")
        }
        return content
    }
}
