import FIDOMetadata
import Foundation
import Testing
import WebAuthn

@Suite("Catalog diff", .enabled(if: Vectors.available))
struct DiffTests {
    static let yubiKey5 = AAGUID("ee882879-721c-4913-9775-3dfcce97072a")!

    @Test func newAttestationKeyCompromiseIsNamedAndEntriesAppearAndDisappear() async throws {
        let old = try await RealBLOB.verified().catalog
        var entries = old.entries
        let yubiIndex = try #require(entries.firstIndex { $0.aaguid == Self.yubiKey5 })
        let compromise = StatusReport(status: .attestationKeyCompromise, effectiveDate: MetadataDate.parse("2021-11-10"))
        entries[yubiIndex].statusReports.append(compromise)
        let removed = try #require(entries.firstIndex { $0.aaguid != nil && $0.aaguid != Self.yubiKey5 })
        let removedAAGUID = try #require(entries[removed].aaguid)
        entries.remove(at: removed)
        let added = AAGUID("00000000-1111-2222-3333-444444444444")!
        entries.append(MetadataEntry(aaguid: added, statement: MetadataStatement(description: "New Key", protocolFamily: "fido2"),
                                     statusReports: [StatusReport(status: .fidoCertifiedL2, effectiveDate: MetadataDate.parse("2021-11-01"))]))
        let new = MetadataCatalog(serialNumber: 10, nextUpdate: MetadataDate.parse("2021-12-15"), entries: entries)

        let diff = MetadataDiff(from: old, to: new, at: pinnedTime)
        #expect(diff.oldSerialNumber == 9 && diff.newSerialNumber == 10)
        #expect(diff.appeared.map(\.key) == [.aaguid(added)])
        #expect(diff.disappeared.map(\.key) == [.aaguid(removedAAGUID)])
        #expect(diff.statusChanged.count == 1)
        let change = try #require(diff.alerts.first)
        #expect(change.key == .aaguid(Self.yubiKey5))
        #expect(change.oldStatus == .fidoCertifiedL1)
        #expect(change.newStatus == .attestationKeyCompromise)
        #expect(change.newReport == compromise)
        #expect(change.newlyInForceAlerts == [compromise])
    }

    @Test func compromiseDatedInTheFutureIsNotYetInForce() async throws {
        let old = try await RealBLOB.verified().catalog
        var entries = old.entries
        let index = try #require(entries.firstIndex { $0.aaguid == Self.yubiKey5 })
        entries[index].statusReports.append(StatusReport(status: .revoked, effectiveDate: MetadataDate.parse("2022-03-01")))
        let new = MetadataCatalog(serialNumber: 10, nextUpdate: nil, entries: entries)
        #expect(MetadataDiff(from: old, to: new, at: pinnedTime).isEmpty)
        #expect(MetadataDiff(from: old, to: new, at: instant("2022-03-02T00:00:00Z")).alerts.first?.newStatus == .revoked)
    }

    @Test func identicalCatalogsHaveNoDifferencesAndU2FEntriesMatchByKeyIdentifier() async throws {
        let catalog = try await RealBLOB.verified().catalog
        #expect(MetadataDiff(from: catalog, to: catalog, at: pinnedTime).isEmpty)
        var entries = catalog.entries
        let u2f = try #require(entries.firstIndex { $0.aaguid == nil && !$0.attestationCertificateKeyIdentifiers.isEmpty })
        entries[u2f].statusReports.append(StatusReport(status: .retired, effectiveDate: MetadataDate.parse("2021-11-01")))
        let diff = MetadataDiff(from: catalog, to: MetadataCatalog(serialNumber: 10, nextUpdate: nil, entries: entries), at: pinnedTime)
        #expect(diff.alerts.count == 1)
        #expect(diff.alerts.first?.newStatus == .retired)
        if case .attestationCertificateKeyIdentifier = diff.alerts.first?.key {} else { Issue.record("expected a key identifier key") }
        #expect(diff.appeared.isEmpty && diff.disappeared.isEmpty)
    }
}
