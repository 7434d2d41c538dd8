import Foundation
import FIDOMetadata
import TrustPolicy
import WebAuthn

/// A registration verified (§7.1) and classified (tier, reasons, registration decision): the
/// one path the server and `claviger classify` share.
public struct RegistrationAssessment: Sendable {
    public let verified: VerifiedRegistration
    public let classification: Classification
    public let decision: Decision
    /// The metadata entry the classification used (by the verified AAGUID, or U2F attestation certificate).
    public let metadataEntry: MetadataEntry?
    /// Where the attestation anchors came from: the MDS statement for the AAGUID, or the shipped roots.
    public let anchorsFromMetadata: Bool

    public static func assess(
        _ response: RegistrationResponseJSON,
        expecting expectations: RegistrationExpectations,
        relyingParty: RelyingParty,
        catalog: MetadataCatalog?,
        fallbackAnchors: TrustAnchors,
        allowSHA1: Bool = false,
        policy: PolicyDocument,
        now: Date
    ) async throws(WebAuthnError) -> RegistrationAssessment {
        // The anchors: the MDS statement's roots for this authenticator (by AAGUID, or for U2F by
        // its attestation certificate) when the metadata has an entry, else the fallback roots.
        // The identity is read unverified only to choose them.
        let claimedEntry = claimedIdentity(response).flatMap { catalog?.entry(aaguid: $0.aaguid, attestationCertificate: $0.certificate) }
        let anchors = claimedEntry.map(MetadataTrust.anchors(for:)) ?? fallbackAnchors
        let verified = try await RegistrationCeremony.verify(response, expecting: expectations, relyingParty: relyingParty,
                                                             policy: RegistrationPolicy(trustAnchors: anchors, allowSHA1: allowSHA1), now: now)
        // Looked up again from the verified facts (the same bytes; this keeps the facts honest).
        let entry = catalog?.entry(aaguid: verified.aaguid, attestationCertificate: verified.attestation.trustPath.first)
        let classification = Classifier.classify(CredentialFacts(registration: verified, metadata: entry, at: now), policy: policy)
        return RegistrationAssessment(verified: verified, classification: classification,
                                      decision: registrationDecision(classification, policy: policy),
                                      metadataEntry: entry, anchorsFromMetadata: claimedEntry != nil)
    }

    /// The name to show people: the policy's provider name, else the metadata description.
    public var authenticatorName: String? {
        classification.providerName ?? metadataEntry?.statement?.description
    }

    static func claimedIdentity(_ response: RegistrationResponseJSON) -> (aaguid: AAGUID, certificate: [UInt8]?)? {
        guard let bytes = Base64URL.decode(response.response.attestationObject),
              let object = try? AttestationObject(bytes), let aaguid = object.authenticatorData.attestedCredential?.aaguid else { return nil }
        return (aaguid, object.statement[text: "x5c"]?.arrayValue?.first?.bytesValue)
    }
}
