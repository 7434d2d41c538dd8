import FIDOMetadata
import Foundation
import Testing
import X509

/// The FIDO conformance MDS PKI from fido2-net-lib: Root → CA-1 → "Metadata TOC Signer 3",
/// with a CRL from each CA (no revoked certificates; CA-1's CRL valid 2018-08-07 to 2018-09-15).
@Suite("CRLs of the FIDO conformance MDS PKI", .enabled(if: Vectors.available))
struct ConformanceCRLTests {
    static let folder = "mds/fido2-net-lib/"

    static func chain() throws -> [Certificate] {
        try ["mdsSigning.cer", "mdsCA.cer", "mdsRoot.cer"].map { try Vectors.certificate(folder + $0) }
    }

    static func crls() throws -> [CertificateRevocationList] {
        try ["mdsCA.crl", "mdsRoot.crl"].map { try CertificateRevocationList(bytes: try Vectors.bytes(folder + $0)) }
    }

    @Test func conformanceCRLsParseWithTheirIssuersAndDates() throws {
        let crls = try Self.crls()
        let chain = try Self.chain()
        #expect(crls[0].issuer == chain[1].subject)
        #expect(crls[1].issuer == chain[2].subject)
        #expect(MetadataDate.format(crls[0].thisUpdate) == "2018-08-07")
        #expect(crls[0].nextUpdate.map(MetadataDate.format) == "2018-09-15")
        #expect(crls[0].revoked.isEmpty && crls[1].revoked.isEmpty)
    }

    @Test func conformanceCRLsAreSignedByTheirIssuersOnly() throws {
        let crls = try Self.crls()
        let chain = try Self.chain()
        #expect(crls[0].isSigned(by: chain[1]))
        #expect(crls[1].isSigned(by: chain[2]))
        #expect(!crls[0].isSigned(by: chain[2]))
        #expect(!crls[1].isSigned(by: chain[1]))
    }

    @Test func chainIsNotRevokedWhileTheCRLsAreCurrent() throws {
        try MetadataBLOBVerifier.checkRevocation(chain: try Self.chain(), crls: try Self.crls(), at: instant("2018-08-10T00:00:00Z"), requireCoverage: true)
    }

    @Test func crlPastItsNextUpdateIsInvalid() throws {
        #expect(throws: MetadataError.self) {
            try MetadataBLOBVerifier.checkRevocation(chain: try Self.chain(), crls: try Self.crls(), at: instant("2018-10-01T00:00:00Z"))
        }
    }

    @Test func tamperedCRLNoLongerVerifies() throws {
        var der = try Self.crls()[0].derEncoded
        // Flip a bit inside the issuer name of tbsCertList: the signature must fail.
        der[40] ^= 0x01
        if let tampered = try? CertificateRevocationList(bytes: der) {
            #expect(!tampered.isSigned(by: try Self.chain()[1]))
        }
    }

    @Test func garbageIsNotACRL() {
        for bytes in [[], [0x30], [0x30, 0x03, 0x02, 0x01, 0x01], Array("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----".utf8)] as [[UInt8]] {
            #expect(throws: MetadataError.self) { _ = try CertificateRevocationList(bytes: bytes) }
        }
    }
}
