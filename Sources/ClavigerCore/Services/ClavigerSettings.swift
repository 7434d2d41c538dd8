import Foundation
import FIDOMetadata
import TrustPolicy
import WebAuthn

/// Everything the domain services are configured with. Defaults follow PSD2 RTS Art. 4 (single
/// use codes valid 5 minutes, 5 failures before a block, 5 minutes of inactivity).
public struct ClavigerSettings: Sendable {
    public var relyingParty: RelyingParty
    public var rpName: String
    public var policy: PolicyDocument
    public var metadata: MetadataCatalog?
    /// Anchors for attestations whose AAGUID the metadata does not know.
    public var trustAnchors: TrustAnchors
    public var challengeLifetime: TimeInterval = 300
    public var sessionIdleTimeout: TimeInterval = 300
    public var sessionLifetime: TimeInterval = 1800
    public var lockoutThreshold = 5
    public var lockoutDuration: TimeInterval = 900

    public init(relyingParty: RelyingParty, rpName: String, policy: PolicyDocument, metadata: MetadataCatalog? = nil,
                trustAnchors: TrustAnchors = KnownRoots.attestationAnchors) {
        self.relyingParty = relyingParty
        self.rpName = rpName
        self.policy = policy
        self.metadata = metadata
        self.trustAnchors = trustAnchors
    }
}
