#!/usr/bin/env python3
"""Verify ClavigerTesting's software-authenticator output with py_webauthn (an independent RP library).

Usage: verify_with_py_webauthn.py CASES.json

CASES.json is a JSON array of cases:
  {
    "name": "packed-x5c",                       # free text, echoed back
    "kind": "registration" | "authentication",
    "rp_id": "bank.example",
    "origin": "https://bank.example",
    "challenge_b64url": "...",
    "response": {...},                          # PublicKeyCredential.toJSON() form
    "credential_public_key_b64url": "...",      # authentication only: COSE_Key bytes
    "sign_count": 0,                            # authentication only: stored counter
    "require_uv": true,
    "pem_root_certs_by_fmt": {"packed": ["-----BEGIN CERTIFICATE-----..."]},   # optional
    "skip_safetynet_timestamp": false           # optional
  }

Prints one JSON array to stdout: [{"name", "kind", "ok", "error"?, "fmt"?, "sign_count"?}], same order.
Exit status 0 when the file was processed (whatever the verdicts), 2 on usage or input errors.
"""

import base64
import json
import sys
import traceback


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        import webauthn
        from webauthn.helpers.cose import COSEAlgorithmIdentifier
        from webauthn.helpers.structs import AttestationFormat
    except ImportError as exc:
        print(json.dumps({"error": f"py_webauthn is not installed: {exc}"}))
        return 2

    with open(sys.argv[1], "r", encoding="utf-8") as handle:
        cases = json.load(handle)

    all_algs = list(COSEAlgorithmIdentifier)
    results = []
    for case in cases:
        result = {"name": case.get("name"), "kind": case.get("kind"), "ok": False}
        try:
            challenge = b64url_decode(case["challenge_b64url"])
            if case["kind"] == "registration":
                roots = None
                if case.get("pem_root_certs_by_fmt"):
                    roots = {
                        # py_webauthn compares an android-key chain's root with these as PEM
                        # bytes in OpenSSL's layout, so normalize to it (trailing newline).
                        AttestationFormat(fmt): [(pem.strip() + "\n").encode("ascii") for pem in pems]
                        for fmt, pems in case["pem_root_certs_by_fmt"].items()
                    }
                if case.get("skip_safetynet_timestamp"):
                    import webauthn.registration.formats.android_safetynet as safetynet

                    safetynet.verify_safetynet_timestamp = lambda _ts: None
                verified = webauthn.verify_registration_response(
                    credential=case["response"],
                    expected_challenge=challenge,
                    expected_rp_id=case["rp_id"],
                    expected_origin=case["origin"],
                    require_user_verification=bool(case.get("require_uv", False)),
                    supported_pub_key_algs=all_algs,
                    pem_root_certs_bytes_by_fmt=roots,
                )
                result["ok"] = True
                result["fmt"] = verified.fmt.value if hasattr(verified.fmt, "value") else str(verified.fmt)
                result["sign_count"] = verified.sign_count
                result["credential_public_key_b64url"] = base64.urlsafe_b64encode(
                    verified.credential_public_key
                ).decode("ascii").rstrip("=")
            elif case["kind"] == "authentication":
                verified = webauthn.verify_authentication_response(
                    credential=case["response"],
                    expected_challenge=challenge,
                    expected_rp_id=case["rp_id"],
                    expected_origin=case["origin"],
                    credential_public_key=b64url_decode(case["credential_public_key_b64url"]),
                    credential_current_sign_count=int(case.get("sign_count", 0)),
                    require_user_verification=bool(case.get("require_uv", False)),
                )
                result["ok"] = True
                result["sign_count"] = verified.new_sign_count
            else:
                result["error"] = f"unknown kind {case['kind']!r}"
        except Exception as exc:  # report every failure, keep going
            result["error"] = f"{type(exc).__name__}: {exc}"
            cause = exc.__cause__
            while cause is not None:
                result["error"] += f" <- {type(cause).__name__}: {cause}"
                cause = cause.__cause__
            if case.get("debug"):
                result["traceback"] = traceback.format_exc()
        results.append(result)

    json.dump(results, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
