import Crypto
import _CryptoExtras
import Testing
@testable import WebAuthn

@Suite struct COSEKeyTests {
    let p256 = P256.Signing.PrivateKey()

    func ec2(alg: Int64 = -7, crv: Int64 = 1, x: [UInt8]? = nil, y: [UInt8]? = nil) -> [UInt8] {
        let point = Array(p256.publicKey.x963Representation)
        return CBOREncoder.encode(.map([
            CBORPair(1, 2), CBORPair(3, .int(alg)), CBORPair(-1, .int(crv)),
            CBORPair(-2, .bytes(x ?? Array(point[1...32]))), CBORPair(-3, .bytes(y ?? Array(point[33...64]))),
        ]))
    }

    func code(_ bytes: [UInt8]) -> WebAuthnError.Code? {
        do { _ = try COSEKey(cose: bytes); return nil } catch { return error.code }
    }

    @Test func es256_key_verifies_its_own_signature_and_not_a_tampered_one() throws {
        let key = try COSEKey(cose: ec2())
        let message = Array("authData || clientDataHash".utf8)
        let signature = Array(try p256.signature(for: message).derRepresentation)
        #expect(key.isValidSignature(signature, over: message))
        #expect(!key.isValidSignature(signature, over: message + [0]))
        var tampered = signature
        tampered[tampered.count - 1] ^= 1
        #expect(throws: WebAuthnError.self) { try key.verify(signature: tampered, over: message) }
    }

    @Test func point_off_the_curve_is_rejected() {
        var y = Array(p256.publicKey.x963Representation[33...64])
        y[31] ^= 1
        #expect(code(ec2(y: y)) == .malformedPublicKey)
    }

    @Test func alg_that_does_not_fit_the_curve_is_rejected() {
        #expect(code(ec2(alg: -7, crv: 2)) == .malformedPublicKey)   // ES256 on P-384
        #expect(code(ec2(alg: -35, crv: 1)) == .malformedPublicKey)  // ES384 on P-256
        #expect(code(ec2(alg: -8)) == .malformedPublicKey)           // EdDSA on an EC2 key
        #expect(code(ec2(alg: -257)) == .malformedPublicKey)         // RS256 on an EC2 key
    }

    @Test func short_coordinates_and_unknown_algorithms_are_rejected() {
        #expect(code(ec2(x: [1, 2, 3])) == .malformedPublicKey)
        #expect(code(ec2(alg: -260)) == .unsupportedAlgorithm)
        #expect(code([0xA0]) == .malformedPublicKey)
        #expect(code([0x01]) == .malformedPublicKey)
        #expect(code([0xA1, 0x01]) == .malformedCBOR)
    }

    @Test func ed25519_and_rsa_keys_verify() throws {
        let ed = Curve25519.Signing.PrivateKey()
        let edKey = try COSEKey(cose: CBOREncoder.encode(.map([CBORPair(1, 1), CBORPair(3, -8), CBORPair(-1, 6), CBORPair(-2, .bytes(Array(ed.publicKey.rawRepresentation)))])))
        let message = Array("hello".utf8)
        #expect(edKey.isValidSignature(Array(try ed.signature(for: message)), over: message))

        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let primitives = try rsa.publicKey.getKeyPrimitives()
        for (alg, padding) in [(Int64(-257), _RSA.Signing.Padding.insecurePKCS1v1_5), (-37, .PSS)] {
            let key = try COSEKey(cose: CBOREncoder.encode(.map([CBORPair(1, 3), CBORPair(3, .int(alg)), CBORPair(-1, .bytes(Array(primitives.modulus))), CBORPair(-2, .bytes(Array(primitives.publicExponent)))])))
            let signature = try rsa.signature(for: SHA256.hash(data: message), padding: padding)
            #expect(key.isValidSignature(Array(signature.rawRepresentation), over: message))
        }
    }

    @Test func rsa_modulus_below_2048_bits_is_insecure() throws {
        let n = [UInt8](repeating: 0xC3, count: 128)  // 1024 bits
        let bytes = CBOREncoder.encode(.map([CBORPair(1, 3), CBORPair(3, -257), CBORPair(-1, .bytes(n)), CBORPair(-2, .bytes([1, 0, 1]))]))
        #expect(code(bytes) == .insecureAlgorithm)
    }
}
