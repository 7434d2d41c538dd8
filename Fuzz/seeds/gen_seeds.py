#!/usr/bin/env python3
"""Writes the seed corpus of one fuzz target into a directory, at run time.

Seeds come from two places:
  * the shared vectors (/work/shared/vectors, or $CLAVIGER_VECTORS): attestation objects,
    authenticator data, client data, certificates, TPM structures and SafetyNet JWSs, sliced out
    of the vector JSON. Nothing from the vectors is committed: run.sh calls this script into
    Fuzz/out/seeds-<target>/ before every run.
  * synthetic objects built here with `cryptography` (when installed): one attestation object per
    format that *verifies* (so the fuzzer starts past the signature checks it cannot forge), and
    ceremony responses that carry the harness's fixed RP ID, origin, challenge and credential.

The fixed values must match Fuzz/Sources/FuzzSupport/FuzzSupport.swift (FuzzFixtures).

usage: gen_seeds.py TARGET OUTDIR
"""

import base64
import datetime
import glob
import hashlib
import json
import os
import struct
import sys

VECTORS = os.environ.get("CLAVIGER_VECTORS", "/work/shared/vectors")

RP_ID = "localhost"
ORIGIN = "https://localhost"
CHALLENGE = bytes(range(32))
NOW_MS = 1_700_000_000_000
CREDENTIAL_ID = b"claviger-fuzz-credential"
USER_HANDLE = b"fuzz-user"
CREDENTIAL_PRIVATE_SCALAR = int.from_bytes(bytes(range(1, 33)), "big")
APP_ID = "https://localhost/appid"

# ----------------------------------------------------------------------------- encodings


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64std(data):
    return base64.b64encode(data).decode()


class Tagged:
    def __init__(self, tag, value):
        self.tag, self.value = tag, value


def cbor_head(major, value):
    if value < 24:
        return bytes([major << 5 | value])
    for info, fmt, limit in ((24, ">B", 0xFF), (25, ">H", 0xFFFF), (26, ">I", 0xFFFFFFFF), (27, ">Q", 2**64 - 1)):
        if value <= limit:
            return bytes([major << 5 | info]) + struct.pack(fmt, value)
    raise ValueError(value)


def cbor(value):
    """Minimal CBOR encoder; dicts keep insertion order (callers give CTAP2 canonical order)."""
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if value is None:
        return b"\xf6"
    if isinstance(value, int):
        return cbor_head(0, value) if value >= 0 else cbor_head(1, -1 - value)
    if isinstance(value, (bytes, bytearray)):
        return cbor_head(2, len(value)) + bytes(value)
    if isinstance(value, str):
        raw = value.encode()
        return cbor_head(3, len(raw)) + raw
    if isinstance(value, list):
        return cbor_head(4, len(value)) + b"".join(cbor(v) for v in value)
    if isinstance(value, dict):
        return cbor_head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())
    if isinstance(value, Tagged):
        return cbor_head(6, value.tag) + cbor(value.value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    raise TypeError(type(value))


def cbor_decode(data, offset=0):
    """Minimal CBOR decoder for well-formed vector data: returns (value, end)."""
    initial = data[offset]
    major, info = initial >> 5, initial & 0x1F
    offset += 1
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg = int.from_bytes(data[offset:offset + size], "big")
        offset += size
    elif info == 31:
        arg = None
    else:
        raise ValueError("reserved info")
    if major == 0:
        return arg, offset
    if major == 1:
        return -1 - arg, offset
    if major in (2, 3):
        if arg is None:
            chunks = []
            while data[offset] != 0xFF:
                chunk, offset = cbor_decode(data, offset)
                chunks.append(chunk)
            joined = (b"" if major == 2 else "").join(chunks)
            return joined, offset + 1
        raw = bytes(data[offset:offset + arg])
        return (raw if major == 2 else raw.decode("utf-8", "replace")), offset + arg
    if major == 4:
        items = []
        while (arg is None and data[offset] != 0xFF) or (arg is not None and len(items) < arg):
            item, offset = cbor_decode(data, offset)
            items.append(item)
        return items, offset + (1 if arg is None else 0)
    if major == 5:
        result = {}
        count = 0
        while (arg is None and data[offset] != 0xFF) or (arg is not None and count < arg):
            key, offset = cbor_decode(data, offset)
            value, offset = cbor_decode(data, offset)
            result[key if not isinstance(key, list) else tuple(key)] = value
            count += 1
        return result, offset + (1 if arg is None else 0)
    if major == 6:
        inner, offset = cbor_decode(data, offset)
        return Tagged(arg, inner), offset
    if info == 20:
        return False, offset
    if info == 21:
        return True, offset
    if info == 22 or info == 23:
        return None, offset
    if info == 25:
        return 0.0, offset
    if info in (26, 27):
        return struct.unpack(">f" if info == 26 else ">d", data[offset - (4 if info == 26 else 8):offset])[0], offset
    return None, offset


def der(tag, content):
    if len(content) < 0x80:
        length = bytes([len(content)])
    else:
        raw = len(content).to_bytes((len(content).bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content if isinstance(tag, int) else tag + length + content


def der_int(value):
    raw = value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big", signed=True)
    return der(0x02, raw)


def der_context(number, content):
    """EXPLICIT [number], context-specific constructed (high tag numbers for >= 31)."""
    if number < 31:
        return der(0xA0 | number, content)
    digits = []
    n = number
    while True:
        digits.insert(0, n & 0x7F)
        n >>= 7
        if n == 0:
            break
    tag = bytes([0xBF] + [d | 0x80 for d in digits[:-1]] + [digits[-1]])
    return der(tag, content)


# ----------------------------------------------------------------------------- vectors


def vector_files(kind):
    return sorted(glob.glob(os.path.join(VECTORS, kind, "*", "*.json")))


def load(path):
    with open(path) as handle:
        return json.load(handle)


def registration_vectors():
    for path in vector_files("registration"):
        vector = load(path)
        try:
            attestation = b64url_decode(vector["response"]["response"]["attestationObject"])
            client_data = b64url_decode(vector["response"]["response"]["clientDataJSON"])
        except Exception:
            continue
        yield vector, attestation, client_data


def authentication_vectors():
    for path in vector_files("authentication"):
        vector = load(path)
        try:
            response = vector["response"]["response"]
            yield vector, b64url_decode(response["authenticatorData"]), b64url_decode(response["clientDataJSON"])
        except Exception:
            continue


def decoded_attestation(raw):
    try:
        value, _ = cbor_decode(raw)
        return value if isinstance(value, dict) else None
    except Exception:
        return None


# ----------------------------------------------------------------------------- synthetic objects

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
    from cryptography.x509.oid import NameOID
    HAVE_CRYPTO = True
except ImportError:  # seeds from the vectors only
    HAVE_CRYPTO = False


def sha256(data):
    return hashlib.sha256(data).digest()


class Keys:
    """Keys made once per run. EC keys come from fixed scalars; RSA keys are generated."""

    def __init__(self):
        self.credential = ec.derive_private_key(CREDENTIAL_PRIVATE_SCALAR, ec.SECP256R1())
        self.attestation = ec.derive_private_key(0x1234567890ABCDEF, ec.SECP256R1())
        self.ca = ec.derive_private_key(0xCAFEBABE, ec.SECP256R1())
        self.p384 = ec.derive_private_key(0x384, ec.SECP384R1())
        self.p521 = ec.derive_private_key(0x521, ec.SECP521R1())
        self.ed = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(100, 132)))
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.aik = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def cose_key(private):
    public = private.public_key()
    if isinstance(public, ec.EllipticCurvePublicKey):
        numbers = public.public_numbers()
        size = (public.curve.key_size + 7) // 8
        alg, crv = {256: (-7, 1), 384: (-35, 2), 521: (-36, 3)}[public.curve.key_size]
        return {1: 2, 3: alg, -1: crv, -2: numbers.x.to_bytes(size, "big"), -3: numbers.y.to_bytes(size, "big")}, alg
    if isinstance(public, ed25519.Ed25519PublicKey):
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {1: 1, 3: -8, -1: 6, -2: raw}, -8
    numbers = public.public_numbers()
    return {1: 3, 3: -257, -1: numbers.n.to_bytes(256, "big"), -2: numbers.e.to_bytes(3, "big")}, -257


def sign(private, data, alg=None):
    if isinstance(private, ec.EllipticCurvePrivateKey):
        digest = {256: hashes.SHA256(), 384: hashes.SHA384(), 521: hashes.SHA512()}[private.curve.key_size]
        return private.sign(data, ec.ECDSA(digest))
    if isinstance(private, ed25519.Ed25519PrivateKey):
        return private.sign(data)
    if alg == -37:
        return private.sign(data, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
    return private.sign(data, padding.PKCS1v15(), hashes.SHA256())


def auth_data(rp_id_hash, credential_private, aaguid=bytes(16), flags=0x45, sign_count=0, extensions=None, cose=None):
    key = cose if cose is not None else cose_key(credential_private)[0]
    data = rp_id_hash + bytes([flags | (0x80 if extensions is not None else 0)]) + struct.pack(">I", sign_count)
    data += aaguid + struct.pack(">H", len(CREDENTIAL_ID)) + CREDENTIAL_ID + cbor(key)
    if extensions is not None:
        data += cbor(extensions)
    return data


def certificate(subject, public_key, issuer_key, issuer_name=None, extensions=(), serial=1000):
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer_name if issuer_name is not None else subject)
               .public_key(public_key)
               .serial_number(serial)
               .not_valid_before(datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc))
               .not_valid_after(datetime.datetime(2040, 1, 1, tzinfo=datetime.timezone.utc)))
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    algorithm = None if isinstance(issuer_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(issuer_key, algorithm).public_bytes(serialization.Encoding.DER)


def name(**parts):
    oids = {"C": NameOID.COUNTRY_NAME, "O": NameOID.ORGANIZATION_NAME, "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
            "CN": NameOID.COMMON_NAME}
    return x509.Name([x509.NameAttribute(oids[k], v) for k, v in parts.items()])


def ca_certificate(keys):
    subject = name(C="US", O="Claviger Fuzz", CN="Claviger Fuzz Root")
    return subject, certificate(subject, keys.ca.public_key(), keys.ca,
                                extensions=[(x509.BasicConstraints(ca=True, path_length=None), True)], serial=1)


def unrecognized(oid, value):
    return x509.UnrecognizedExtension(x509.ObjectIdentifier(oid), value)


def statements(keys, rp_id_hash, client_data_hash):
    """(fmt, attStmt, authData) for every format, each verifying against client_data_hash."""
    ca_name, ca_der = ca_certificate(keys)
    aaguid = bytes.fromhex("f8a011f38c0a4d15800617111f9edc7d")
    out = []

    # none
    data = auth_data(rp_id_hash, keys.credential)
    out.append(("none", {}, data))

    # packed, self attestation, one per credential key type
    for private in (keys.credential, keys.p384, keys.p521, keys.ed, keys.rsa):
        key, alg = cose_key(private)
        data = auth_data(rp_id_hash, private, aaguid=aaguid, cose=key)
        out.append(("packed", {"alg": alg, "sig": sign(private, data + client_data_hash)}, data))
    # packed self with PS256 and an extension map (credProtect)
    key, _ = cose_key(keys.rsa)
    key[3] = -37
    data = auth_data(rp_id_hash, keys.rsa, aaguid=aaguid, cose=key, extensions={"credProtect": 2})
    out.append(("packed", {"alg": -37, "sig": sign(keys.rsa, data + client_data_hash, -37)}, data))

    # packed, full attestation with x5c (basic), AAGUID extension and §8.2.1 subject
    leaf = certificate(name(C="US", O="Claviger Fuzz", OU="Authenticator Attestation", CN="Fuzz Packed"),
                       keys.attestation.public_key(), keys.ca, ca_name,
                       [(x509.BasicConstraints(ca=False, path_length=None), True),
                        (unrecognized("1.3.6.1.4.1.45724.1.1.4", der(0x04, aaguid)), False)])
    data = auth_data(rp_id_hash, keys.credential, aaguid=aaguid)
    packed_x5c = {"alg": -7, "sig": sign(keys.attestation, data + client_data_hash), "x5c": [leaf, ca_der]}
    out.append(("packed", packed_x5c, data))

    # compound: packed x5c + packed self over the same authData
    packed_self = {"alg": -7, "sig": sign(keys.credential, data + client_data_hash)}
    out.append(("compound", [{"fmt": "packed", "attStmt": packed_x5c}, {"fmt": "packed", "attStmt": packed_self}], data))

    # fido-u2f
    u2f_leaf = certificate(name(CN="Fuzz U2F"), keys.attestation.public_key(), keys.ca, ca_name, serial=1001)
    data = auth_data(rp_id_hash, keys.credential)
    point = keys.credential.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    signed = b"\x00" + rp_id_hash + client_data_hash + CREDENTIAL_ID + point
    out.append(("fido-u2f", {"sig": sign(keys.attestation, signed), "x5c": [u2f_leaf]}, data))

    # apple: leaf key = credential key, nonce extension = SHA-256(authData || clientDataHash)
    data = auth_data(rp_id_hash, keys.credential)
    nonce = sha256(data + client_data_hash)
    apple_leaf = certificate(name(CN="Fuzz Apple Credential"), keys.credential.public_key(), keys.ca, ca_name,
                             [(unrecognized("1.2.840.113635.100.8.2", der(0x30, der_context(1, der(0x04, nonce)))), False)],
                             serial=1002)
    out.append(("apple", {"alg": -7, "x5c": [apple_leaf, ca_der]}, data))

    # android-key: leaf key = credential key, key description with challenge = clientDataHash
    def authorization_list(origin=True, purpose=True, all_apps=False):
        members = b""
        if purpose:
            members += der_context(1, der(0x31, der_int(2)))
        members += der_context(2, der_int(3)) + der_context(3, der_int(256))
        if all_apps:
            members += der_context(600, der(0x05, b""))
        members += der_context(701, der_int(1_700_000_000_000))
        if origin:
            members += der_context(702, der_int(0))
        return der(0x30, members)
    key_description = der(0x30, der_int(200) + der(0x0A, b"\x01") + der_int(200) + der(0x0A, b"\x01")
                          + der(0x04, client_data_hash) + der(0x04, b"")
                          + authorization_list(origin=False, purpose=False) + authorization_list())
    android_leaf = certificate(name(CN="Android Keystore Key"), keys.credential.public_key(), keys.ca, ca_name,
                               [(unrecognized("1.3.6.1.4.1.11129.2.1.17", key_description), False)], serial=1003)
    data = auth_data(rp_id_hash, keys.credential, aaguid=bytes.fromhex("b93fd961f2e6462f b12282002247de78".replace(" ", "")))
    out.append(("android-key", {"alg": -7, "sig": sign(keys.credential, data + client_data_hash), "x5c": [android_leaf, ca_der]}, data))

    # tpm: ECC credential pubArea, certInfo signed by an RSA AIK with a §8.3.1 certificate
    numbers = keys.credential.public_key().public_numbers()
    pub_area = (struct.pack(">HHI", 0x0023, 0x000B, 0x00060472) + struct.pack(">H", 0)
                + struct.pack(">HHHH", 0x0010, 0x0010, 0x0003, 0x0010)
                + struct.pack(">H", 32) + numbers.x.to_bytes(32, "big") + struct.pack(">H", 32) + numbers.y.to_bytes(32, "big"))
    data = auth_data(rp_id_hash, keys.credential, aaguid=bytes.fromhex("08987058cadc4b81b6e130de50dcbe96"))
    attested_name = struct.pack(">H", 0x000B) + sha256(pub_area)
    signer = struct.pack(">H", 0x000B) + sha256(b"claviger-fuzz-aik")
    cert_info = (struct.pack(">IH", 0xFF544347, 0x8017) + struct.pack(">H", len(signer)) + signer
                 + struct.pack(">H", 32) + sha256(data + client_data_hash)
                 + struct.pack(">QIIB", 0x123456789, 17, 3, 1) + struct.pack(">Q", 0x0007000200000000)
                 + struct.pack(">H", len(attested_name)) + attested_name
                 + struct.pack(">H", len(attested_name)) + struct.pack(">H", 0x000B) + sha256(attested_name))
    tpm_names = x509.DirectoryName(x509.Name([x509.RelativeDistinguishedName([
        x509.NameAttribute(x509.ObjectIdentifier("2.23.133.2.1"), "id:FFFFF1D0"),
        x509.NameAttribute(x509.ObjectIdentifier("2.23.133.2.2"), "FIDO Fuzz TPM"),
        x509.NameAttribute(x509.ObjectIdentifier("2.23.133.2.3"), "id:13"),
    ])]))
    aik = certificate(x509.Name([]), keys.aik.public_key(), keys.ca, ca_name,
                      [(x509.SubjectAlternativeName([tpm_names]), True),
                       (x509.ExtendedKeyUsage([x509.ObjectIdentifier("2.23.133.8.3")]), False),
                       (x509.BasicConstraints(ca=False, path_length=None), True)], serial=1004)
    out.append(("tpm", {"ver": "2.0", "alg": -257, "x5c": [aik, ca_der], "sig": sign(keys.aik, cert_info),
                        "certInfo": cert_info, "pubArea": pub_area}, data))

    # android-safetynet: RS256 JWS from a certificate issued to attest.android.com
    data = auth_data(rp_id_hash, keys.credential)
    sn_leaf = certificate(name(C="US", O="Google LLC", CN="attest.android.com"), keys.rsa.public_key(), keys.ca, ca_name,
                          [(x509.SubjectAlternativeName([x509.DNSName("attest.android.com")]), False)], serial=1005)
    header = {"alg": "RS256", "x5c": [b64std(sn_leaf), b64std(ca_der)]}
    payload = {"nonce": b64std(sha256(data + client_data_hash)), "timestampMs": NOW_MS, "apkPackageName": "com.google.android.gms",
               "ctsProfileMatch": True, "basicIntegrity": True, "evaluationType": "BASIC"}
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                     b64url(json.dumps(payload, separators=(",", ":")).encode())).encode()
    jws = signing_input + b"." + b64url(sign(keys.rsa, signing_input)).encode()
    out.append(("android-safetynet", {"ver": "14366018", "response": jws}, data))
    return out


def attestation_object(fmt, statement, data):
    return cbor({"fmt": fmt, "attStmt": statement, "authData": data})


# ----------------------------------------------------------------------------- per target


def client_data_json(kind, **extra):
    members = {"type": kind, "challenge": b64url(CHALLENGE), "origin": ORIGIN, "crossOrigin": False}
    members.update(extra)
    return json.dumps(members, separators=(",", ":")).encode()


def registration_json(credential_id, client_data, attestation, **extra):
    response = {"id": b64url(credential_id), "rawId": b64url(credential_id), "type": "public-key",
                "response": {"clientDataJSON": b64url(client_data), "attestationObject": b64url(attestation),
                             "transports": ["usb", "internal"]},
                "clientExtensionResults": {"credProps": {"rk": True}}, "authenticatorAttachment": "cross-platform"}
    response.update(extra)
    return json.dumps(response, separators=(",", ":")).encode()


def seeds_cbor(keys):
    for _, attestation, _ in registration_vectors():
        yield attestation
    for vector, _, _ in authentication_vectors():
        record = vector.get("credential_record", {}).get("public_key_cose")
        if record:
            yield b64url_decode(record)
    yield bytes.fromhex("f97e00")                          # half NaN
    yield bytes.fromhex("fa7f800000")                      # single +inf
    yield bytes.fromhex("fb3ff199999999999a")              # double 1.1
    yield bytes.fromhex("c249010000000000000000")          # tag 2 bignum
    yield bytes.fromhex("9f018202039f0405ffff")            # indefinite arrays
    yield bytes.fromhex("bf6346756ef563416d7421ff")        # indefinite map
    yield bytes.fromhex("7f657374726561646d696e67ff")      # indefinite text
    yield bytes.fromhex("5f42010243030405ff")              # indefinite bytes
    yield bytes.fromhex("a201020326")                      # canonical small map
    yield bytes.fromhex("f8ff")                            # simple 255
    yield bytes.fromhex("e0")                              # simple 0
    yield bytes.fromhex("1bffffffffffffffff")              # uint64 max
    yield bytes.fromhex("3bffffffffffffffff")              # nint min
    if keys:
        for fmt, statement, data in statements(keys, sha256(RP_ID.encode()), bytes(32)):
            yield attestation_object(fmt, statement, data)


def seeds_authdata(keys):
    for _, attestation, _ in registration_vectors():
        decoded = decoded_attestation(attestation)
        if decoded and isinstance(decoded.get("authData"), bytes):
            yield decoded["authData"]
    for _, data, _ in authentication_vectors():
        yield data
    if keys:
        for _, _, data in statements(keys, sha256(RP_ID.encode()), bytes(32)):
            yield data


def seeds_attestation(keys):
    for _, attestation, _ in registration_vectors():
        yield attestation
    if keys:
        for fmt, statement, data in statements(keys, sha256(RP_ID.encode()), bytes(32)):
            yield attestation_object(fmt, statement, data)


def certificates_in(statement):
    if isinstance(statement, dict):
        for cert in statement.get("x5c", []) or []:
            if isinstance(cert, bytes):
                yield cert
    elif isinstance(statement, list):
        for entry in statement:
            if isinstance(entry, dict):
                yield from certificates_in(entry.get("attStmt"))


def seeds_attestation_parts(keys):
    objects = [decoded_attestation(a) for _, a, _ in registration_vectors()]
    if keys:
        objects += [{"fmt": f, "attStmt": s, "authData": d}
                    for f, s, d in statements(keys, sha256(RP_ID.encode()), bytes(32))]
    seen = set()
    for obj in objects:
        if not obj:
            continue
        statement = obj.get("attStmt")
        if isinstance(statement, dict):
            if isinstance(statement.get("pubArea"), bytes):
                yield b"\x00" + statement["pubArea"]
            if isinstance(statement.get("certInfo"), bytes):
                yield b"\x01" + statement["certInfo"]
            if isinstance(statement.get("response"), bytes):
                yield b"\x04" + statement["response"]
                try:
                    header = json.loads(b64url_decode(statement["response"].split(b".")[0].decode()))
                    for cert in header.get("x5c", []):
                        yield b"\x03" + base64.b64decode(cert)
                except Exception:
                    pass
        for cert in certificates_in(statement):
            if cert in seen:
                continue
            seen.add(cert)
            yield b"\x03" + cert
            description = android_key_description(cert)
            if description:
                yield b"\x02" + description


def android_key_description(cert_der):
    if not HAVE_CRYPTO:
        return None
    try:
        cert = x509.load_der_x509_certificate(cert_der)
        ext = cert.extensions.get_extension_for_oid(x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.1.17"))
        return ext.value.value
    except Exception:
        return None


def seeds_registration_json(keys):
    rp_id_hash = sha256(RP_ID.encode())
    for vector, attestation, client_data in registration_vectors():
        # The vector as sent (fails early on RP/challenge) ...
        yield json.dumps(vector["response"], separators=(",", ":")).encode()
        # ... and rewritten to the fixed RP ID hash, origin and challenge: signatures no longer
        # verify, but the ceremony gets to the attestation statement.
        decoded = decoded_attestation(attestation)
        old_hash = decoded.get("authData", b"")[:32] if decoded and isinstance(decoded.get("authData"), bytes) else b""
        patched = attestation.replace(old_hash, rp_id_hash, 1) if len(old_hash) == 32 else attestation
        response = dict(vector["response"])
        inner = dict(response.get("response", {}))
        inner["clientDataJSON"] = b64url(client_data_json("webauthn.create"))
        inner["attestationObject"] = b64url(patched)
        response["response"] = inner
        yield json.dumps(response, separators=(",", ":")).encode()
    if keys:
        variants = [client_data_json("webauthn.create"),
                    client_data_json("webauthn.create", crossOrigin=True, topOrigin="https://top.localhost"),
                    client_data_json("webauthn.create", tokenBinding={"status": "supported"})]
        for index, client_data in enumerate(variants):
            for fmt, statement, data in statements(keys, rp_id_hash, sha256(client_data)):
                if index > 0 and fmt not in ("none", "packed"):
                    continue
                yield registration_json(CREDENTIAL_ID, client_data, attestation_object(fmt, statement, data))


def assertion(keys, data, client_data, **extensions):
    return json.dumps({
        "id": b64url(CREDENTIAL_ID), "rawId": b64url(CREDENTIAL_ID), "type": "public-key",
        "response": {"clientDataJSON": b64url(client_data), "authenticatorData": b64url(data),
                     "signature": b64url(sign(keys.credential, data + sha256(client_data))),
                     "userHandle": b64url(USER_HANDLE)},
        "clientExtensionResults": extensions, "authenticatorAttachment": "platform"}, separators=(",", ":")).encode()


def seeds_authentication_json(keys):
    rp_id_hash = sha256(RP_ID.encode())
    for vector, data, _ in authentication_vectors():
        yield json.dumps(vector["response"], separators=(",", ":")).encode()
        if keys and len(data) >= 37:
            # Re-targeted at the fixed RP and credential, and re-signed with the fixed key.
            yield assertion(keys, rp_id_hash + data[32:], client_data_json("webauthn.get"))
    if keys:
        base = rp_id_hash + bytes([0x05]) + struct.pack(">I", 6)
        yield assertion(keys, base, client_data_json("webauthn.get"))
        yield assertion(keys, rp_id_hash + bytes([0x1D]) + struct.pack(">I", 0), client_data_json("webauthn.get"))
        yield assertion(keys, rp_id_hash + bytes([0x85]) + struct.pack(">I", 9) + cbor({"credProtect": 1}),
                        client_data_json("webauthn.get"))
        yield assertion(keys, sha256(APP_ID.encode()) + bytes([0x01]) + struct.pack(">I", 7),
                        client_data_json("webauthn.get"), appid=True)
        yield assertion(keys, base, client_data_json("webauthn.get", crossOrigin=True, topOrigin="https://top.localhost"))
        yield assertion(keys, base, client_data_json("payment.get", payment={"rpId": RP_ID, "topOrigin": ORIGIN}))


def seeds_client_data(keys):
    for _, _, client_data in registration_vectors():
        yield client_data
    for _, _, client_data in authentication_vectors():
        yield client_data
    yield client_data_json("webauthn.create", tokenBinding={"status": "present", "id": "AAAA"})
    yield client_data_json("webauthn.get", crossOrigin=True, topOrigin="https://top.localhost")
    yield b'{"type":"webauthn.get","challenge":"\\u0041\\ud83d\\ude00","origin":"https://x","n":[1.5e300,-0,0.25,true,null]}'
    yield b64url(bytes(range(256))).encode()
    yield b"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"


TARGETS = {
    "fuzz-cbor": seeds_cbor,
    "fuzz-authdata": seeds_authdata,
    "fuzz-attestation": seeds_attestation,
    "fuzz-attestation-parts": seeds_attestation_parts,
    "fuzz-registration-json": seeds_registration_json,
    "fuzz-authentication-json": seeds_authentication_json,
    "fuzz-client-data": seeds_client_data,
}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in TARGETS:
        sys.exit("usage: gen_seeds.py {%s} OUTDIR" % "|".join(TARGETS))
    target, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    keys = Keys() if HAVE_CRYPTO else None
    if not HAVE_CRYPTO:
        print("gen_seeds: python 'cryptography' not installed; vector seeds only", file=sys.stderr)
    count = 0
    for seed in TARGETS[target](keys):
        if not seed:
            continue
        path = os.path.join(outdir, "seed-" + hashlib.sha1(seed).hexdigest())
        with open(path, "wb") as handle:
            handle.write(seed)
        count += 1
    print(f"gen_seeds: {count} seeds for {target} in {outdir}")


if __name__ == "__main__":
    main()
