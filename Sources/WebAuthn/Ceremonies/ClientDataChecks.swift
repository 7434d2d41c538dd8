/// The client data steps shared by registration (§7.1 steps 5–11) and authentication
/// (§7.2 steps 9–14): one implementation, so both ceremonies check the same way.
enum ClientDataChecks {
    /// §7.1 step 7 / §7.2 step 11: C.type is the ceremony's type.
    static func verifyType(_ clientData: CollectedClientData, expected: String) throws(WebAuthnError) {
        guard clientData.type == expected else {
            throw WebAuthnError(.typeMismatch, "clientDataJSON.type is \"\(clientData.type)\", expected \"\(expected)\"")
        }
    }

    /// §7.1 step 8 / §7.2 step 12: C.challenge equals the challenge the RP issued (as bytes).
    static func verifyChallenge(_ clientData: CollectedClientData, expected: [UInt8]) throws(WebAuthnError) {
        guard bytesEqual(clientData.challengeBytes, expected) else {
            throw WebAuthnError(.challengeMismatch, "clientDataJSON.challenge is not the challenge issued for this ceremony")
        }
    }

    /// §7.1 step 9 / §7.2 step 13: C.origin is an origin the RP expects.
    static func verifyOrigin(_ clientData: CollectedClientData, relyingParty: RelyingParty) throws(WebAuthnError) {
        guard relyingParty.accepts(origin: clientData.origin) else {
            throw WebAuthnError(.originMismatch, "origin \(clientData.origin) is not an origin of this relying party")
        }
    }

    /// §7.1 step 10 / §7.2 step 14: a cross-origin (iframe) ceremony needs the RP's consent,
    /// and a `topOrigin` must be a page the RP expects to be framed in.
    static func verifyTopOrigin(_ clientData: CollectedClientData, relyingParty: RelyingParty) throws(WebAuthnError) {
        if clientData.crossOrigin && !relyingParty.allowCrossOrigin {
            throw WebAuthnError(.crossOriginNotAllowed, "the ceremony ran in a cross-origin iframe, which this relying party does not allow")
        }
        if let top = clientData.topOrigin {
            guard relyingParty.allowCrossOrigin else {
                throw WebAuthnError(.crossOriginNotAllowed, "topOrigin \(top) shows a framed ceremony, which this relying party does not allow")
            }
            guard relyingParty.topOrigins.contains(top) else {
                throw WebAuthnError(.topOriginMismatch, "topOrigin \(top) is not an allowed top-level origin")
            }
        }
    }

    static func verifyAll(_ clientData: CollectedClientData, type: String, challenge: [UInt8], relyingParty: RelyingParty) throws(WebAuthnError) {
        try verifyType(clientData, expected: type)
        try verifyChallenge(clientData, expected: challenge)
        try verifyOrigin(clientData, relyingParty: relyingParty)
        try verifyTopOrigin(clientData, relyingParty: relyingParty)
    }
}

/// Authenticator data checks shared by both ceremonies (§7.1 steps 13–16, §7.2 steps 15–18).
enum AuthenticatorDataChecks {
    /// §7.1 step 13 / §7.2 step 15: rpIdHash is SHA-256 of the RP ID.
    static func verifyRPIDHash(_ authData: AuthenticatorData, expected: [UInt8]) throws(WebAuthnError) {
        guard bytesEqual(authData.rpIDHash, expected) else {
            throw WebAuthnError(.rpIdMismatch, "rpIdHash is not SHA-256 of the relying party ID")
        }
    }

    /// §7.1 step 14 / §7.2 step 16: UP, unless the RP asked for conditional (no-gesture) creation.
    static func verifyUserPresence(_ authData: AuthenticatorData, required: Bool) throws(WebAuthnError) {
        if required && !authData.flags.userPresent {
            throw WebAuthnError(.userPresenceMissing, "the authenticator did not report user presence (UP)")
        }
    }

    /// §7.1 step 15 / §7.2 step 17: UV when the RP required it.
    static func verifyUserVerification(_ authData: AuthenticatorData, requirement: UserVerificationRequirement) throws(WebAuthnError) {
        if requirement == .required && !authData.flags.userVerified {
            throw WebAuthnError(.userVerificationMissing, "user verification was required and the authenticator did not report it (UV)")
        }
    }

    /// §7.1 step 16 / §7.2 step 18: BS is meaningless, hence invalid, without BE.
    static func verifyBackupFlags(_ authData: AuthenticatorData) throws(WebAuthnError) {
        if authData.flags.backupState && !authData.flags.backupEligible {
            throw WebAuthnError(.backupStateInvalid, "backup state (BS) is set while backup eligibility (BE) is not")
        }
    }
}
