import ClavigerCore
import Foundation
import Logging
import Storage
import Testing
import TrustPolicy
import WebAuthn

/// The store's single-statement guarantees, on each engine.
@Suite("Store")
struct StoreTests {
    static func credential(user: [UInt8], id: [UInt8], signCount: UInt32) -> ClavigerCore.StoredCredential {
        ClavigerCore.StoredCredential(
            id: id, userID: user, name: "Key", publicKey: [1, 2, 3], algorithm: -7, signCount: signCount, backupEligible: false,
            backupState: false, transports: ["usb"], aaguid: .zero, aaguidVerified: false, authenticatorName: nil, tier: .four,
            reasons: [Reason("zero_aaguid_unattested", "test")], decision: "accept_with_marking", attestationFormat: "none",
            attestationType: "none", attestationTrusted: false, paymentEnabled: false, status: .active, createdAt: Date(), lastUsedAt: nil)
    }

    @Test(arguments: Engine.available)
    func counter_update_is_compare_and_set(engine: Engine) async throws {
        let storage = try await StorageEngine.open(try await engine.freshDatabase(), logger: Logger(label: "test"))
        defer { Task { await storage.shutdown() } }
        let store = storage.store
        try await store.migrate()
        try await store.migrate()  // idempotent
        let user: [UInt8] = Array(repeating: 7, count: 16)
        try await store.insert(user: UserRecord(id: user, username: "alice", displayName: "Alice", createdAt: Date()))
        try await store.insert(credential: Self.credential(user: user, id: [9, 9], signCount: 10))
        #expect(try await store.updateAfterSignIn(credentialID: [9, 9], expectedSignCount: 10, newSignCount: 11, backupState: false, at: Date()))
        // A second writer that read the old counter loses.
        #expect(try await !store.updateAfterSignIn(credentialID: [9, 9], expectedSignCount: 10, newSignCount: 11, backupState: false, at: Date()))
        #expect(try await store.credential(id: [9, 9])?.signCount == 11)
        // Unique keys: a second account with the same username, a second credential with the same id.
        await #expect(throws: StoreError.self) {
            try await store.insert(user: UserRecord(id: Array(repeating: 8, count: 16), username: "alice", displayName: "Other", createdAt: Date()))
        }
        await #expect(throws: StoreError.self) { try await store.insert(credential: Self.credential(user: user, id: [9, 9], signCount: 0)) }
        await storage.shutdown()
    }
}
