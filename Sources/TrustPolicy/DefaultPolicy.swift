extension PolicyDocument {
    /// The default policy shipped with Claviger, parsed. A test proves it parses; it is still
    /// returned through `throws` because nothing reachable from input may trap.
    public static func defaultPolicy() throws(PolicyValidationError) -> PolicyDocument {
        try parse(yaml: defaultYAML)
    }

    /// The default policy document (`claviger policy default` prints it). Every value is the
    /// bank's to change: copy it, edit it, check it with `claviger policy check`.
    public static let defaultYAML: String = #"""
# Claviger trust policy (version 1): the default.
#
# This file decides three things:
#   1. which tier (1 strongest … 4 weakest) each passkey gets when it is registered,
#   2. whether a registration of that tier is accepted,
#   3. what each tier may do afterwards (sign in, pay, change a beneficiary …).
# Every decision Claviger makes records the rule ids that fired (e.g. attested_hardware_key,
# aaguid_claimed_only, metadata_compromise) so that the risk team and auditors can see why.
#
# The tiers (DESIGN.md "Trust tiers"):
#   tier 1  hardware-backed, attested, device-bound: the attestation chains to the FIDO
#           Metadata Service (MDS) root for that authenticator model, the model keeps keys in
#           hardware or a secure element, is FIDO certified with no negative status, and the
#           key cannot be synced (BE flag = 0). Only this tier can meet NIST 800-63B-4 AAL3.
#   tier 2  first-party platform passkeys (iCloud Keychain, Google Password Manager, Windows
#           Hello, Samsung Pass): strong hardware on the device, usually synced (AAL2 at most).
#   tier 3  third-party password managers and app authenticators (1Password, Bitwarden …).
#   tier 4  unknown, uncertified, anonymous (zero AAGUID without attestation), or a model the
#           metadata reports as compromised.
#
# Fixed rules no setting here can change:
#   - a compromise status in the FIDO metadata (USER_VERIFICATION_BYPASS,
#     ATTESTATION_KEY_COMPROMISE, USER_KEY_REMOTE_COMPROMISE, USER_KEY_PHYSICAL_COMPROMISE,
#     REVOKED) puts the model at tier 4 and refuses new registrations of it;
#   - an AAGUID that no trusted attestation verified is a claim any software can make, and a
#     synced credential (BE = 1) can be copied off the device: neither ever reaches tier 1.

version: 1

classification:
  # The lowest FIDO certification level that can reach tier 1. L1 accepts the common hardware
  # security keys (YubiKey 5 is L1 in much of the metadata). A stricter bank writes L2.
  # One of: L1, L1+, L2, L2+, L3, L3+.
  tier1_min_certification: L1
  # A model the metadata knows and certifies, that is not tier 1 (e.g. its AAGUID is only
  # claimed, or it is synced) and is not in the provider list below: tier 2, 3 or 4.
  certified_model_tier: 3

# Passkey providers by AAGUID. The names come from the community list of passkey provider
# AAGUIDs (passkeydeveloper/passkey-authenticator-aaguids); the tier is this bank's choice.
# Most providers send no attestation, so their AAGUID is a CLAIM: the classification records
# "aaguid_claimed_only" beside the provider rule. A provider can therefore be tier 2 at most.
# category: first_party_platform | password_manager | other.
# synced_tier (optional): the tier of this provider's synced passkeys (BE=1) when the bank ranks
# them below its device-bound ones; never stronger than tier.
providers:
  # First-party platform providers: keys protected by the platform's secure hardware.
  - aaguid: fbfc3007-154e-4ecc-8c0b-6e020557d7bd
    name: Apple Passwords
    category: first_party_platform
    tier: 2
  - aaguid: dd4ec289-e01d-41c9-bb89-70fa845d4bf2
    name: iCloud Keychain (Managed)
    category: first_party_platform
    tier: 2
  - aaguid: ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4
    name: Google Password Manager
    category: first_party_platform
    tier: 2
  - aaguid: 08987058-cadc-4b81-b6e1-30de50dcbe96
    name: Windows Hello
    category: first_party_platform
    tier: 2
  - aaguid: 9ddd1817-af5a-4672-a2b9-3e3dd95000a9
    name: Windows Hello
    category: first_party_platform
    tier: 2
  # Windows Hello's software authenticator (no TPM): keys in software, so tier 3.
  - aaguid: 6028b017-b1d4-4c02-b4b3-afcdafc96bb2
    name: Windows Hello
    category: first_party_platform
    tier: 3
  - aaguid: 53414d53-554e-4700-0000-000000000000
    name: Samsung Pass
    category: first_party_platform
    tier: 2
  - aaguid: d3452668-01fd-4c12-926c-83a4204853aa
    name: Microsoft Password Manager
    category: first_party_platform
    tier: 2
  # Browser platform authenticators on macOS (device-bound keys in the Secure Enclave).
  - aaguid: adce0002-35bc-c60a-648b-0b25f1f05503
    name: Chrome on Mac
    category: first_party_platform
    tier: 2
  - aaguid: 771b48fd-d3d4-4f74-9232-fc157ab0507a
    name: Edge on Mac
    category: first_party_platform
    tier: 2
  # Third-party password managers: the keys live in the manager's encrypted vault and sync
  # through its cloud. Tier 3.
  - aaguid: bada5566-a7aa-401f-bd96-45619a55120d
    name: 1Password
    category: password_manager
    tier: 3
  - aaguid: 531126d6-e717-415c-9320-3d9aa6981239
    name: Dashlane
    category: password_manager
    tier: 3
  - aaguid: d548826e-79b4-db40-a3d8-11116f7e8349
    name: Bitwarden
    category: password_manager
    tier: 3
  - aaguid: b84e4048-15dc-4dd0-8640-f4f60813c8af
    name: NordPass
    category: password_manager
    tier: 3
  - aaguid: 0ea242b4-43c4-4a1b-8b17-dd6d0b6baec6
    name: Keeper
    category: password_manager
    tier: 3
  - aaguid: f3809540-7f14-49c1-a8b3-8f813b225541
    name: Enpass
    category: password_manager
    tier: 3
  - aaguid: 50726f74-6f6e-5061-7373-50726f746f6e
    name: Proton Pass
    category: password_manager
    tier: 3
  - aaguid: b78a0a55-6ef8-d246-a042-ba0f6d55050c
    name: LastPass
    category: password_manager
    tier: 3
  - aaguid: fdb141b2-5d84-443e-8a35-4698c205a502
    name: KeePassXC
    category: password_manager
    tier: 3
  - aaguid: eaecdef2-1c31-5634-8639-f1cbd9c00a08
    name: KeePassDX
    category: password_manager
    tier: 3
  - aaguid: b35a26b2-8f6e-4697-ab1d-d44db4da28c6
    name: Zoho Vault
    category: password_manager
    tier: 3
  - aaguid: de503f9c-21a4-4f76-b4b7-558eb55c6f89
    name: Devolutions
    category: password_manager
    tier: 3
  - aaguid: a10c6dd9-465e-4226-8198-c7c44b91c555
    name: Kaspersky Password Manager
    category: password_manager
    tier: 3
  - aaguid: d9be9d39-e6a6-4c28-a581-32b044d986e4
    name: Sticky Password Manager
    category: password_manager
    tier: 3
  - aaguid: fa37f553-f9b6-4adb-ac53-8bbb57ebdf0d
    name: Norton Password Manager
    category: password_manager
    tier: 3
  - aaguid: a4a2d88e-9796-4356-9164-e2a5a8bd019c
    name: Avast Password Manager
    category: password_manager
    tier: 3
  - aaguid: e7db2bd3-f2fe-4d71-ad78-7e7aa166cfd1
    name: Avira Password Manager
    category: password_manager
    tier: 3
  - aaguid: 6bb49926-160a-4306-a100-4eb39ba6ac45
    name: AVG Password Manager
    category: password_manager
    tier: 3

# Models the bank has vetted itself: the tier given here replaces the rules above (but never
# lifts a compromised model out of tier 4, nor a claimed or synced credential into tier 1).
# By default an entry applies only when attestation verified the AAGUID; set
# require_verified_aaguid: false to trust the claim (not recommended for tier 1 or 2).
#   - aaguid: 2fc0579f-8113-47ea-b116-bb5a8db9202a
#     name: YubiKey 5 Series with NFC
#     tier: 1
#     note: issued by the bank to treasury staff
allow_list: []

# Models the bank refuses: registrations are rejected, existing credentials classify as tier 4.
# Applies to the AAGUID as sent, verified or claimed.
#   - aaguid: 00000000-0000-0000-0000-000000000000
#     name: anonymous authenticators
#     note: refuse passkeys that do not say what they are
deny_list: []

# Whether a registration of each tier is accepted.
#   accept               the credential is stored and used normally;
#   accept_with_marking  stored, and marked in the console and the audit log; the transaction
#                        rules below keep it to low-risk actions;
#   reject               the registration fails (the customer is asked for another authenticator).
# Tier 4 is accepted with marking because many real passkeys are anonymous (browsers strip the
# AAGUID; Apple sends a zero AAGUID): they can sign in and view balances, nothing more. A bank
# that issues its own security keys can set tier_4: reject, or only_allow_listed: true.
registration:
  tier_1: accept
  tier_2: accept
  tier_3: accept_with_marking
  tier_4: accept_with_marking
  only_allow_listed: false

# What each kind of action needs. For every transaction type:
#   min_tier              the weakest tier that may authorize it (1 strongest … 4 weakest);
#   max_auth_age_seconds  the passkey ceremony must be at most this old (PSD2 RTS Art. 4: a
#                         session ends after at most 5 minutes = 300 s of inactivity);
#   require_uv            the authenticator must have verified the user (PIN or biometric):
#                         with the passkey (possession) this is the second SCA factor;
#   step_up_methods       what the customer is offered when the requirement is not met:
#                           reauthenticate         a fresh ceremony with the same passkey
#                                                  (fixes age and UV, never the tier);
#                           stronger_passkey       another passkey of the required tier;
#                           bound_device           a signature by the customer's bound device;
#                           out_of_band            confirmation in the bank's app;
#                           identity_verification  the bank's identity check (recovery);
#                         no usable method means the answer is deny;
#   amount_thresholds     per currency (ISO 4217), for amounts strictly above `above` (a decimal
#                         string, exact, in the currency's units): a stronger min_tier, a shorter
#                         max_auth_age_seconds, require_uv, or deny: true (a hard limit).
#                         An amount in a currency without thresholds gets the strictest ones.
transactions:
  login:
    description: Sign in to online banking.
    min_tier: 4
    max_auth_age_seconds: 300
    require_uv: true
    step_up_methods: [reauthenticate]
  view_balance:
    description: See balances and statements.
    min_tier: 4
    max_auth_age_seconds: 300
    require_uv: true
    step_up_methods: [reauthenticate]
  low_value_payment:
    description: A card-not-present or instant payment of a small amount (PSD2 RTS Art. 16 range).
    min_tier: 3
    max_auth_age_seconds: 300
    require_uv: true
    step_up_methods: [reauthenticate, stronger_passkey, bound_device]
    amount_thresholds:
      - currency: EUR
        above: "30.00"
        min_tier: 2
      - currency: GBP
        above: "30.00"
        min_tier: 2
      - currency: USD
        above: "30.00"
        min_tier: 2
  high_value_transfer:
    description: A credit transfer to an existing payee.
    min_tier: 2
    max_auth_age_seconds: 120
    require_uv: true
    step_up_methods: [reauthenticate, stronger_passkey, bound_device]
    amount_thresholds:
      # Above 1000.00 a device-bound, attested hardware key (tier 1), authenticated within a minute.
      - currency: EUR
        above: "1000.00"
        min_tier: 1
        max_auth_age_seconds: 60
      - currency: GBP
        above: "1000.00"
        min_tier: 1
        max_auth_age_seconds: 60
      - currency: USD
        above: "1000.00"
        min_tier: 1
        max_auth_age_seconds: 60
      - currency: CHF
        above: "1000.00"
        min_tier: 1
        max_auth_age_seconds: 60
      - currency: JPY
        above: "150000"
        min_tier: 1
        max_auth_age_seconds: 60
      # Above 100000.00 EUR no online authorization suffices: the bank's manual process applies.
      - currency: EUR
        above: "100000.00"
        deny: true
  payee_add:
    description: Add a new payee (the usual first step of authorized push payment fraud).
    min_tier: 2
    max_auth_age_seconds: 120
    require_uv: true
    step_up_methods: [reauthenticate, stronger_passkey, bound_device, out_of_band]
  beneficiary_change:
    description: Change an existing beneficiary's account details.
    min_tier: 2
    max_auth_age_seconds: 60
    require_uv: true
    step_up_methods: [reauthenticate, stronger_passkey, bound_device, out_of_band]
  profile_change:
    description: Change contact details (e-mail, phone, address).
    min_tier: 3
    max_auth_age_seconds: 300
    require_uv: true
    step_up_methods: [reauthenticate, stronger_passkey, bound_device]
  recovery:
    description: Add a passkey or device after losing one (must be stronger than a password reset).
    min_tier: 2
    max_auth_age_seconds: 60
    require_uv: true
    step_up_methods: [stronger_passkey, bound_device, identity_verification]

# What to do when the FIDO metadata gives an authenticator model a status (a BLOB update):
#   pause_registrations  refuse new registrations of the model;
#   flag_credentials     mark its credentials for the risk team;
#   suspend_credentials  stop accepting its credentials until the risk team decides;
#   revoke_sessions      end the sessions its credentials opened.
# Every compromise status must be listed (write [] to do nothing on purpose).
status_reactions:
  # Someone can pass UV without the user: existing sign-ins are not trustworthy.
  USER_VERIFICATION_BYPASS: [pause_registrations, flag_credentials, revoke_sessions]
  # Attestations of the model can be forged: new registrations prove nothing; existing
  # credentials were registered before the compromise was known and are flagged for review.
  ATTESTATION_KEY_COMPROMISE: [pause_registrations, flag_credentials]
  # Credential keys can be extracted remotely: stop using them now.
  USER_KEY_REMOTE_COMPROMISE: [pause_registrations, suspend_credentials, revoke_sessions]
  # Credential keys can be extracted with the device in hand: review, and ask customers to replace.
  USER_KEY_PHYSICAL_COMPROMISE: [pause_registrations, flag_credentials, revoke_sessions]
  # The FIDO Alliance revoked the model's certification.
  REVOKED: [pause_registrations, suspend_credentials, revoke_sessions]
  # A security-relevant firmware update exists: tell the customers.
  UPDATE_AVAILABLE: [flag_credentials]
  # The vendor no longer supports the model.
  RETIRED: [flag_credentials]
"""#
}
