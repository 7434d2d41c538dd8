import Foundation
@_spi(FixedExpiryValidationTime) import X509
import SwiftASN1

/// The result of assessing an attestation trust path (WebAuthn L3 §7.1 steps 23–24).
public struct TrustAssessment: Sendable {
    public let trusted: Bool
    /// The root the path chained to, when trusted.
    public let anchor: Certificate?
    /// Why the path did not chain, when not trusted.
    public let failure: WebAuthnError?

    public static let noTrustPath = TrustAssessment(trusted: false, anchor: nil, failure: nil)
}

/// Builds and verifies a chain from the attestation leaf to one of the anchors, at a given time.
public enum ChainVerification {
    public static func assess(trustPath: [Certificate], anchors: [Certificate], at time: Date) async -> TrustAssessment {
        guard let leaf = trustPath.first else { return .noTrustPath }
        guard !anchors.isEmpty else {
            return TrustAssessment(trusted: false, anchor: nil, failure: WebAuthnError(.attestationUntrusted, "no trust anchor is configured for this attestation"))
        }
        var verifier = Verifier(rootCertificates: CertificateStore(anchors)) {
            RFC5280Policy(fixedExpiryValidationTime: time)
            AttestationExtensionsPolicy()
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(trustPath.dropFirst()))
        switch result {
        case .validCertificate(let chain):
            return TrustAssessment(trusted: true, anchor: chain.last, failure: nil)
        case .couldNotValidate(let failures):
            let outOfValidity = trustPath.contains { time < $0.notValidBefore || time > $0.notValidAfter }
            let failure = outOfValidity
                ? WebAuthnError(.certificateExpired, "an attestation certificate is outside its validity period at \(time)")
                : WebAuthnError(.attestationUntrusted, "the attestation chain does not lead to a trusted root" + (failures.first.map { ": \($0.policyFailureReason)" } ?? ""))
            return TrustAssessment(trusted: false, anchor: nil, failure: failure)
        }
    }
}

/// Marks as handled the critical extensions that the attestation format verifiers check
/// themselves (TPM's critical subjectAltName and the EKU of each format's profile).
struct AttestationExtensionsPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [
        .X509ExtensionID.subjectAlternativeName,
        .X509ExtensionID.extendedKeyUsage,
        .X509ExtensionID.keyUsage,
        // Windows Hello AIK certificates mark certificatePolicies critical; no initial policy
        // set is required of attestation chains, so any policy satisfies path validation.
        Self.certificatePolicies,
    ]

    static let certificatePolicies: ASN1ObjectIdentifier = [2, 5, 29, 32]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        .meetsPolicy
    }
}
