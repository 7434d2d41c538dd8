"""End-to-end tests of the Claviger Bank demo in real headless Chromium.

Each test drives the page like a customer (labels, buttons) with Chromium's virtual WebAuthn
authenticators standing in for the passkey provider, and checks what the page shows against
what the API says (`fetch` from the page, so with the page's own session cookie).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from conftest import (
    PLATFORM,
    SECURITY_KEY,
    SYNCED,
    VIRTUAL_AAGUID,
    Bank,
    b64_to_b64url,
    credential_for_reimport,
)


def api_credentials(bank: Bank) -> list[dict]:
    answer = bank.api("GET", "/v1/credentials")
    assert answer["status"] == 200, answer
    return answer["body"]["credentials"]


def api_session(bank: Bank) -> dict:
    answer = bank.api("GET", "/v1/session")
    assert answer["status"] == 200, answer
    return answer["body"]


def only_credential_id(bank: Bank, authenticator_id: str) -> str:
    credentials = bank.credentials(authenticator_id)
    assert len(credentials) == 1, credentials
    return b64_to_b64url(credentials[0]["credentialId"])


def expect_passkey_shown(bank: Bank, credential: dict, tier_text: str, backup_text: str) -> None:
    item = bank.passkey(credential["id"])
    expect(item).to_have_count(1)
    expect(item.get_by_test_id("passkey-tier")).to_have_text(re.compile(rf"^{re.escape(tier_text)}"))
    expect(item.get_by_test_id("passkey-tier")).to_have_text(re.compile(rf"^Tier {credential['tier']} · "))
    expect(item.get_by_test_id("passkey-backup")).to_have_text(backup_text)
    expect(item.get_by_test_id("passkey-name")).to_have_text(credential["name"])
    # The provider is named once: in the name (the default) or on the line below it.
    provider = item.locator('[data-testid="passkey-name"], [data-testid="passkey-authenticator"]')
    expect(provider.filter(has_text=credential["authenticatorName"])).not_to_have_count(0)
    expect(item.get_by_test_id("passkey-created")).not_to_be_empty()


def test_platform_passkey_sign_up_and_sign_in(bank: Bank):
    authenticator = bank.add_authenticator(PLATFORM)
    bank.open()
    expect(bank.signed_out).to_be_visible()
    expect(bank.page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(bank.page.get_by_role("heading", name="Open an account")).to_be_visible()
    bank.screenshot("01-signed-out")

    username = bank.unique("ada")
    bank.sign_up(username, "Ada Lovelace")
    credential_id = only_credential_id(bank, authenticator)

    [credential] = api_credentials(bank)
    assert credential["id"] == credential_id
    assert credential["tier"] == 2
    assert credential["backupEligible"] is False and credential["backupState"] is False
    assert credential["aaguid"] == VIRTUAL_AAGUID
    assert "internal" in credential["transports"]
    expect(bank.passkeys()).to_have_count(1)
    expect_passkey_shown(bank, credential, "Tier 2 · Platform passkey", "Device-bound")

    session = api_session(bank)
    assert session["username"] == username and session["displayName"] == "Ada Lovelace"
    assert session["credentialId"] == credential_id and session["tier"] == 2
    info = bank.page.get_by_test_id("session-info")
    expect(info).to_have_attribute("data-idle-timeout-seconds", str(session["idleTimeoutSeconds"]))
    expect(info).to_contain_text("inactivity")

    bank.sign_out()
    expect(bank.page.get_by_test_id("notice")).to_contain_text("signed out")

    bank.sign_in_with_username(username)
    expect(bank.signed_in).to_be_visible()
    expect(bank.page.get_by_test_id("greeting")).to_contain_text("Ada Lovelace")
    expect(bank.alert).to_be_hidden()
    session = api_session(bank)
    assert session["credentialId"] == credential_id and session["username"] == username
    item = bank.passkey(credential_id)
    expect(item.get_by_test_id("passkey-current")).to_be_visible()
    expect(item.get_by_test_id("passkey-last-used")).not_to_have_text("Not yet")

    bank.sign_out()
    bank.sign_in_usernameless()
    expect(bank.signed_in).to_be_visible()
    expect(bank.page.get_by_test_id("greeting")).to_contain_text("Ada Lovelace")
    assert api_session(bank)["credentialId"] == credential_id


def test_synced_passkey_shows_a_lower_tier_and_synced_state(bank: Bank):
    synced = bank.add_authenticator(SYNCED)
    bank.open()
    bank.sign_up(bank.unique("grace"), "Grace Hopper")
    synced_id = only_credential_id(bank, synced)

    [credential] = api_credentials(bank)
    assert credential["id"] == synced_id
    assert credential["tier"] == 3
    assert credential["backupEligible"] is True and credential["backupState"] is True
    assert credential["aaguid"] == VIRTUAL_AAGUID
    expect_passkey_shown(bank, credential, "Tier 3 · Password manager", "Synced")
    assert api_session(bank)["tier"] == 3

    # A device-bound passkey beside it, for the side-by-side screenshot.
    bank.remove_authenticator(synced)
    device_bound = bank.add_authenticator(PLATFORM)
    bank.page.get_by_test_id("add-passkey").click()
    expect(bank.passkeys()).to_have_count(2)
    expect(bank.alert).to_be_hidden()
    device_bound_id = only_credential_id(bank, device_bound)
    by_id = {c["id"]: c for c in api_credentials(bank)}
    assert by_id[synced_id]["tier"] == 3 and by_id[device_bound_id]["tier"] == 2
    expect_passkey_shown(bank, by_id[device_bound_id], "Tier 2 · Platform passkey", "Device-bound")
    expect_passkey_shown(bank, by_id[synced_id], "Tier 3 · Password manager", "Synced")
    expect(bank.page.get_by_test_id("notice")).to_contain_text("Passkey added")
    bank.screenshot("02-signed-in-passkeys")


def test_security_key_sign_up_and_sign_in(bank: Bank):
    key = bank.add_authenticator(SECURITY_KEY)
    bank.open()
    username = bank.unique("alan")
    bank.sign_up(username, "Alan Turing")
    credential_id = only_credential_id(bank, key)

    [credential] = api_credentials(bank)
    assert credential["id"] == credential_id
    assert credential["backupEligible"] is False and credential["backupState"] is False
    assert "usb" in credential["transports"]
    assert credential["tier"] in (1, 2, 3, 4)
    tier_labels = {1: "Tier 1 · Attested hardware key", 2: "Tier 2 · Platform passkey",
                   3: "Tier 3 · Password manager", 4: "Tier 4 · Unverified"}
    expect_passkey_shown(bank, credential, tier_labels[credential["tier"]], "Device-bound")
    expect(bank.passkey(credential_id).get_by_test_id("passkey-authenticator")).to_contain_text(re.compile("security key", re.I))

    bank.sign_out()
    bank.sign_in_with_username(username)
    expect(bank.signed_in).to_be_visible()
    expect(bank.page.get_by_test_id("greeting")).to_contain_text("Alan Turing")
    session = api_session(bank)
    assert session["credentialId"] == credential_id and session["username"] == username


def test_second_passkey_added_from_signed_in_session(bank: Bank):
    first = bank.add_authenticator(PLATFORM)
    bank.open()
    username = bank.unique("katherine")
    bank.sign_up(username, "Katherine Johnson")
    first_id = only_credential_id(bank, first)

    # An authenticator belongs to the tab: swap A for B, then add a passkey from the session.
    bank.remove_authenticator(first)
    second = bank.add_authenticator(SECURITY_KEY)
    bank.page.get_by_test_id("add-passkey").click()
    expect(bank.passkeys()).to_have_count(2)
    expect(bank.alert).to_be_hidden()
    second_id = only_credential_id(bank, second)
    assert second_id != first_id
    assert {c["id"] for c in api_credentials(bank)} == {first_id, second_id}
    # The session is still the one made with the first passkey.
    assert api_session(bank)["credentialId"] == first_id
    expect(bank.passkey(first_id).get_by_test_id("passkey-current")).to_be_visible()
    expect(bank.passkey(second_id).get_by_test_id("passkey-current")).to_be_hidden()

    # Rename the second one inline.
    item = bank.passkey(second_id)
    item.get_by_test_id("rename").click()
    field = item.get_by_test_id("rename-input")
    expect(field).to_be_focused()
    field.fill("Blue office key")
    item.get_by_test_id("rename-save").click()
    expect(item.get_by_test_id("passkey-name")).to_have_text("Blue office key")
    expect(bank.alert).to_be_hidden()

    # Still there after a reload, and in the API.
    bank.page.reload()
    expect(bank.signed_in).to_be_visible()
    expect(bank.passkeys()).to_have_count(2)
    expect(bank.passkey(second_id).get_by_test_id("passkey-name")).to_have_text("Blue office key")
    names = {c["id"]: c["name"] for c in api_credentials(bank)}
    assert names[second_id] == "Blue office key"
    assert names[first_id] != "Blue office key"

    # Names are 1–64 characters: the server refuses longer ones.
    answer = bank.api("PATCH", f"/v1/credentials/{first_id}", {"name": "x" * 65})
    assert answer["status"] == 400 and answer["body"]["code"] == "invalid_name", answer


def test_sign_in_refused_after_its_passkey_is_deleted(bank: Bank):
    a = bank.add_authenticator(PLATFORM)
    bank.open()
    username = bank.unique("hedy")
    bank.sign_up(username, "Hedy Lamarr")
    [saved_a] = bank.credentials(a)
    a_id = b64_to_b64url(saved_a["credentialId"])
    assert saved_a.get("privateKey"), "WebAuthn.getCredentials should export the private key"

    bank.remove_authenticator(a)
    b = bank.add_authenticator(PLATFORM)
    bank.page.get_by_test_id("add-passkey").click()
    expect(bank.passkeys()).to_have_count(2)
    b_id = only_credential_id(bank, b)

    # Delete A (the passkey this session was made with) from the signed-in page.
    item = bank.passkey(a_id)
    item.get_by_test_id("remove").click()
    expect(item.get_by_test_id("remove-confirm")).to_be_visible()
    item.get_by_test_id("remove-confirm-button").click()
    expect(bank.passkeys()).to_have_count(1)
    expect(bank.passkey(b_id)).to_have_count(1)
    expect(bank.page.get_by_test_id("notice")).to_contain_text("removed")
    assert [c["id"] for c in api_credentials(bank)] == [b_id]

    bank.sign_out()

    # Only A present again: its key still exists on the authenticator, but not on the server.
    bank.remove_authenticator(b)
    a_again = bank.add_authenticator(PLATFORM)
    bank.add_credential(a_again, credential_for_reimport(saved_a))
    assert only_credential_id(bank, a_again) == a_id

    bank.sign_in_usernameless()
    expect(bank.alert).to_be_visible()
    expect(bank.signed_out).to_be_visible()
    title = bank.page.get_by_test_id("alert-title").inner_text()
    detail = bank.page.get_by_test_id("alert-detail").inner_text()
    assert title == "We couldn’t sign you in", title
    expect(bank.page.get_by_role("alert")).to_contain_text(title)
    # Generic: never which element failed.
    for leak in ("deleted", "removed", "not found", "unknown", "credential", "signature", "revoked"):
        assert leak not in (title + " " + detail).lower(), (title, detail)
    assert bank.api("GET", "/v1/session")["status"] == 401
    bank.screenshot("03-error-sign-in-refused")

    # The username path refuses too (the server no longer offers A; the browser has nothing else).
    answer = bank.api("POST", "/v1/authentication/options", {"username": username})
    assert answer["status"] == 200, answer
    allowed = [c["id"] for c in answer["body"]["publicKey"].get("allowCredentials", [])]
    assert a_id not in allowed
    assert bank.api("GET", "/v1/session")["status"] == 401


def test_conditional_ui_autofill_sign_in(bank: Bank):
    # Record how the page calls navigator.credentials.get (init scripts are not subject to CSP).
    bank.page.add_init_script(
        """(() => {
            const get = navigator.credentials.get.bind(navigator.credentials);
            window.__mediations = [];
            navigator.credentials.get = (options) => {
                window.__mediations.push((options && options.mediation) || 'optional');
                return get(options);
            };
        })();"""
    )
    authenticator = bank.add_authenticator(PLATFORM)
    bank.open()
    field = bank.page.get_by_test_id("signin-username")
    expect(field).to_have_attribute("autocomplete", "username webauthn")
    assert bank.page.evaluate("PublicKeyCredential.isConditionalMediationAvailable()") is True

    username = bank.unique("mary")
    bank.sign_up(username, "Mary Jackson")
    credential_id = only_credential_id(bank, authenticator)
    bank.sign_out()

    # A fresh page load arms autofill sign-in; Chromium's virtual authenticator picks the
    # passkey at once, as a customer would from the username field's suggestions.
    option_requests = []
    bank.page.on(
        "request",
        lambda r: r.url.endswith("/v1/authentication/options") and option_requests.append(r.post_data_json),
    )
    bank.page.reload()
    expect(bank.signed_in).to_be_visible()
    expect(bank.page.get_by_test_id("greeting")).to_contain_text("Mary Jackson")
    assert bank.page.evaluate("window.__mediations") == ["conditional"]
    assert option_requests == [{}], option_requests  # discoverable: no username sent
    session = api_session(bank)
    assert session["credentialId"] == credential_id and session["username"] == username


def test_last_passkey_cannot_be_removed(bank: Bank):
    authenticator = bank.add_authenticator(PLATFORM)
    bank.open()
    bank.sign_up(bank.unique("annie"), "Annie Easley")
    credential_id = only_credential_id(bank, authenticator)

    item = bank.passkey(credential_id)
    item.get_by_test_id("remove").click()
    item.get_by_test_id("remove-confirm-button").click()

    expect(bank.alert).to_be_visible()
    answer = bank.api("DELETE", f"/v1/credentials/{credential_id}")
    assert answer["status"] == 409, answer
    assert answer["contentType"].startswith("application/problem+json")
    problem = answer["body"]
    assert problem["code"] == "last_credential"
    expect(bank.page.get_by_test_id("alert-title")).to_have_text(problem["title"])
    if problem.get("detail"):  # shown as a sentence: capital first letter, final full stop
        detail = problem["detail"].strip().rstrip(".")
        expect(bank.page.get_by_test_id("alert-detail")).to_have_text(
            re.compile(rf"^{re.escape(detail[0].upper() + detail[1:])}\.?$"))
    expect(bank.passkeys()).to_have_count(1)
    expect(item.get_by_test_id("remove-confirm")).to_be_hidden()
    assert [c["id"] for c in api_credentials(bank)] == [credential_id]
    bank.screenshot("04-error-last-passkey")

    bank.page.reload()
    expect(bank.signed_in).to_be_visible()
    expect(bank.passkeys()).to_have_count(1)


def test_sdk_works_without_the_browser_json_helpers(bank: Bank):
    # Browsers before WebAuthn Level 3 lack parse*OptionsFromJSON and toJSON(): the SDK then
    # converts base64url and serializes the credential itself. Remove them and run both ceremonies.
    bank.page.add_init_script(
        """(() => {
            delete PublicKeyCredential.parseCreationOptionsFromJSON;
            delete PublicKeyCredential.parseRequestOptionsFromJSON;
            delete PublicKeyCredential.prototype.toJSON;
        })();"""
    )
    authenticator = bank.add_authenticator(PLATFORM)
    bank.open()
    assert bank.page.evaluate(
        "typeof PublicKeyCredential.parseCreationOptionsFromJSON + typeof PublicKeyCredential.prototype.toJSON"
    ) == "undefinedundefined"
    username = bank.unique("dorothy")
    bank.sign_up(username, "Dorothy Vaughan")
    credential_id = only_credential_id(bank, authenticator)
    [credential] = api_credentials(bank)
    assert credential["id"] == credential_id and "internal" in credential["transports"]

    bank.sign_out()
    bank.sign_in_with_username(username)
    expect(bank.signed_in).to_be_visible()
    assert api_session(bank)["credentialId"] == credential_id
