import FIDOMetadata
import Foundation
import Testing
import WebAuthn
import X509

@Suite("Metadata statements and status reports", .enabled(if: Vectors.available))
struct RealBLOBDecodingTests {
    static let yubiKey5 = AAGUID("ee882879-721c-4913-9775-3dfcce97072a")!

    @Test func yubiKey5StatementDecodesAllFieldsTheBankUses() async throws {
        let catalog = try await RealBLOB.verified().catalog
        let entry = try #require(catalog.entry(aaguid: Self.yubiKey5))
        let statement = try #require(entry.statement)
        #expect(statement.description == "YubiKey 5 Series")
        #expect(statement.protocolFamily == "fido2")
        #expect(statement.keyProtection.contains("hardware"))
        #expect(statement.hasHardwareKeyProtection)
        #expect(!statement.matcherProtection.isEmpty)
        #expect(!statement.attachmentHint.isEmpty)
        #expect(statement.attestationTypes == ["basic_full"])
        #expect(!statement.userVerificationDetails.isEmpty)
        #expect(statement.userVerificationDetails.flatMap { $0 }.contains { $0.method == "presence_internal" })
        #expect(statement.attestationRootCertificates.count == 1)
        #expect(statement.aaguid == Self.yubiKey5)
        #expect(entry.latestStatus?.status == .fidoCertifiedL1)
        #expect(entry.certificationLevel(at: pinnedTime) == .l1)
        #expect(entry.latestStatus?.certificateNumber != nil)
    }

    @Test func everyRealEntryHasAStatusAndAnIdentifier() async throws {
        let catalog = try await RealBLOB.verified().catalog
        for entry in catalog.entries {
            #expect(entry.latestStatus != nil)
            #expect(entry.aaguid != nil || entry.aaid != nil || !entry.attestationCertificateKeyIdentifiers.isEmpty)
            #expect(entry.statement != nil)
        }
        let counts = catalog.statusCounts(at: pinnedTime)
        #expect(counts.values.reduce(0, +) == 98)
        #expect(counts["FIDO_CERTIFIED_L1"] ?? 0 > 0)
    }

    @Test func conformanceBLOBCarriesCompromiseStatusesAsKnownValues() async throws {
        let verified = try await MetadataBLOBVerifier(trustRoots: [try Vectors.certificate(Vectors.fakeRoot)])
            .verify(try Vectors.bytes(Vectors.conformanceBLOB), at: instant("2022-11-01T00:00:00Z"))
        let statuses = verified.catalog.entries.flatMap(\.statusReports).map(\.status)
        #expect(statuses.contains(.attestationKeyCompromise))
        #expect(statuses.contains(.userVerificationBypass))
        #expect(!statuses.contains { if case .unknown = $0 { true } else { false } })
        #expect(verified.catalog.entries.contains { !$0.compromises(at: instant("2022-11-01T00:00:00Z")).isEmpty })
    }
}

@Suite("Status semantics")
struct StatusSemanticsTests {
    static func day(_ text: String) -> Date { MetadataDate.parse(text) ?? .distantPast }

    @Test func mdsDatesParseAsUTCMidnightAndRejectImpossibleDays() {
        #expect(MetadataDate.parse("2021-12-01") == instant("2021-12-01T00:00:00Z"))
        #expect(MetadataDate.parse("2024-02-29") != nil)
        for bad in ["2023-02-29", "2021-13-01", "2021-1-01", "20211201", "2021-12-01T00:00:00Z", ""] { #expect(MetadataDate.parse(bad) == nil) }
        #expect(MetadataDate.format(instant("2021-12-01T23:59:59Z")) == "2021-12-01")
    }

    @Test func statusAtPicksTheReportInForceOnThatDay() {
        let entry = MetadataEntry(statusReports: [
            StatusReport(status: .fidoCertifiedL1, effectiveDate: Self.day("2020-01-01")),
            StatusReport(status: .updateAvailable, effectiveDate: Self.day("2021-06-01")),
            StatusReport(status: .attestationKeyCompromise, effectiveDate: Self.day("2022-01-01")),
        ])
        #expect(entry.status(at: Self.day("2019-12-31")) == nil)
        #expect(entry.status(at: Self.day("2020-06-01"))?.status == .fidoCertifiedL1)
        #expect(entry.status(at: Self.day("2021-06-01"))?.status == .updateAvailable)
        #expect(entry.status(at: Self.day("2023-01-01"))?.status == .attestationKeyCompromise)
        #expect(entry.compromises(at: Self.day("2021-12-31")).isEmpty)
        #expect(entry.compromises(at: Self.day("2022-01-01")).count == 1)
    }

    @Test func sameDayReportsResolveToTheOneListedLast() {
        let entry = MetadataEntry(statusReports: [
            StatusReport(status: .fidoCertified, effectiveDate: Self.day("2020-01-01")),
            StatusReport(status: .fidoCertifiedL1, effectiveDate: Self.day("2020-01-01")),
        ])
        #expect(entry.latestStatus?.status == .fidoCertifiedL1)
    }

    @Test func unknownStatusValuesAreKeptButIgnored() throws {
        let json = """
        {"aaguid":"0132d110-bf4e-4208-a403-ab4f5f12efe5","someFutureMember":{"x":[1,2]},
         "statusReports":[{"status":"FIDO_CERTIFIED_L2","effectiveDate":"2020-01-01"},
                          {"status":"QUANTUM_SAFE_CERTIFIED","effectiveDate":"2021-01-01"},
                          {"status":"RETIRED","effectiveDate":"2022-01-01","sunsetDate":"2023-01-01"}],
         "metadataStatement":{"description":"X","protocolFamily":"fido2","multiDeviceCredentialSupport":"explicit",
                              "supportedExtensions":[{"id":"hmac-secret","fail_if_unknown":false}],"newThing":true}}
        """
        let entry = try #require(MetadataEntry(json: Array(json.utf8)))
        #expect(entry.statusReports.count == 3)
        #expect(entry.statusReports[1].status == .unknown("QUANTUM_SAFE_CERTIFIED"))
        #expect(entry.status(at: Self.day("2021-06-01"))?.status == .fidoCertifiedL2)
        #expect(entry.latestStatus?.status == .retired)
        #expect(entry.latestStatus?.sunsetDate == Self.day("2023-01-01"))
        #expect(entry.statement?.multiDeviceCredentialSupport == "explicit")
        #expect(entry.statement?.supportedExtensions == ["hmac-secret"])
        #expect(entry.certificationLevel(at: Self.day("2021-06-01")) == .l2)
    }
}
