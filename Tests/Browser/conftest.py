"""Fixtures for the end-to-end browser tests.

The server binary comes from $CLAVIGER_BIN (default .build/debug/claviger). It is started once
per test session on a free port with a fresh SQLite database, and every test gets a fresh
browser context and page in Debian's headless Chromium (/usr/lib/chromium/chromium, see
/work/shared/testing/browser.md), with virtual WebAuthn authenticators added through the
Chrome DevTools Protocol.

Optional environment:
  CLAVIGER_BIN       server binary (default: .build/debug/claviger)
  CLAVIGER_ASSETS    passed as `--assets DIR` so the server serves the web files from a folder
  E2E_POLICY         a policy file instead of Tests/Browser/e2e-policy.yaml (for development)
  CHROMIUM_PATH      Chromium binary (default: /usr/lib/chromium/chromium)
  E2E_OUT            output folder for screenshots and logs (default: e2e-out)
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

REPO = Path(__file__).resolve().parents[2]
OUT = Path(os.environ.get("E2E_OUT", REPO / "e2e-out"))
SCREENSHOTS = OUT / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/lib/chromium/chromium")

# The one AAGUID every Chromium virtual authenticator reports.
VIRTUAL_AAGUID = "01020304-0506-0708-0102-030405060708"

PLATFORM = dict(
    protocol="ctap2", ctap2Version="ctap2_1", transport="internal",
    hasResidentKey=True, hasUserVerification=True, isUserVerified=True,
    automaticPresenceSimulation=True,
)
SYNCED = dict(PLATFORM, defaultBackupEligibility=True, defaultBackupState=True)
SECURITY_KEY = dict(PLATFORM, transport="usb")


# --------------------------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, process: subprocess.Popen, port: int, log_path: Path):
        self.process = process
        self.port = port
        self.log_path = log_path
        self.base_url = f"http://localhost:{port}"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0


_server_failure: list[str] = []


@pytest.fixture(scope="session")
def server():
    if _server_failure:  # a session fixture that failed is set up again for every test: fail fast
        pytest.fail(_server_failure[0], pytrace=False)
    binary = os.environ.get("CLAVIGER_BIN", str(REPO / ".build" / "debug" / "claviger"))
    binary_path = Path(binary)
    if not binary_path.is_absolute():
        binary_path = REPO / binary_path
    if not binary_path.exists():
        _server_failure.append(f"server binary not found: {binary_path} (build it, or set CLAVIGER_BIN)")
        pytest.fail(_server_failure[0], pytrace=False)

    port = _free_port()
    tmp = Path(tempfile.mkdtemp(prefix="claviger-e2e-"))
    OUT.mkdir(parents=True, exist_ok=True)
    log_path = OUT / "server.log"
    command = [
        str(binary_path), "serve",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--database", str(tmp / "e2e.sqlite"),
        "--rp-id", "localhost",
        "--rp-name", "Claviger Bank",
        "--origin", f"http://localhost:{port}",
        "--policy", os.environ.get("E2E_POLICY") or str(REPO / "Tests" / "Browser" / "e2e-policy.yaml"),
    ]
    assets = os.environ.get("CLAVIGER_ASSETS")
    if assets:
        command += ["--assets", str(Path(assets) if Path(assets).is_absolute() else REPO / assets)]

    log_file = open(log_path, "wb")
    log_file.write(("$ " + " ".join(command) + "\n").encode())
    log_file.flush()
    process = subprocess.Popen(command, cwd=REPO, stdout=log_file, stderr=subprocess.STDOUT)
    srv = Server(process, port, log_path)

    deadline = time.monotonic() + 90
    ready = False
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    ready = True
                    break
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    if not ready:
        code = process.poll()
        if code is None:
            process.kill()
            process.wait()
        log_file.close()
        _server_failure.append(f"server did not become ready (exit code {code}).\n--- server log ---\n{srv.log()}")
        pytest.fail(_server_failure[0], pytrace=False)

    yield srv

    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log_file.close()


# --------------------------------------------------------------------------------------------
# Browser
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (run scripts/browser-tests)", pytrace=False)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield b
        b.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


def b64url_to_b64(value: str) -> str:
    value = value.replace("-", "+").replace("_", "/")
    return value + "=" * (-len(value) % 4)


def b64_to_b64url(value: str) -> str:
    return value.replace("+", "-").replace("/", "_").rstrip("=")


class Bank:
    """One browser tab on the demo bank, with helpers for its virtual authenticators."""

    def __init__(self, page: Page, server: Server):
        self.page = page
        self.server = server
        self.base_url = server.base_url
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("WebAuthn.enable", {"enableUI": False})
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))

    # -- authenticators ------------------------------------------------------------------------

    def add_authenticator(self, options: dict) -> str:
        return self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})["authenticatorId"]

    def remove_authenticator(self, authenticator_id: str) -> None:
        self.cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator_id})

    def credentials(self, authenticator_id: str) -> list[dict]:
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]

    def add_credential(self, authenticator_id: str, credential: dict) -> None:
        self.cdp.send("WebAuthn.addCredential", {"authenticatorId": authenticator_id, "credential": credential})

    # -- page ----------------------------------------------------------------------------------

    def open(self) -> None:
        self.page.goto(self.base_url + "/")
        expect(self.page.locator("body")).to_have_attribute("data-ready", "true")

    def api(self, method: str, path: str, body=None) -> dict:
        """A fetch from inside the page: same cookies and Origin as the app's own requests."""
        return self.page.evaluate(
            """async ([method, path, body]) => {
                const init = {method, credentials: 'same-origin', headers: {}};
                if (body !== null) { init.body = JSON.stringify(body); init.headers['Content-Type'] = 'application/json'; }
                const r = await fetch(path, init);
                const text = await r.text();
                let json = null; try { json = text ? JSON.parse(text) : null; } catch (e) {}
                return {status: r.status, contentType: r.headers.get('Content-Type'), body: json};
            }""",
            [method, path, body],
        )

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    # -- flows ---------------------------------------------------------------------------------

    @property
    def alert(self):
        return self.page.get_by_test_id("alert")

    @property
    def signed_in(self):
        return self.page.get_by_test_id("view-signed-in")

    @property
    def signed_out(self):
        return self.page.get_by_test_id("view-signed-out")

    def passkeys(self):
        return self.page.locator("#passkey-list li.passkey")

    def passkey(self, credential_id: str):
        return self.page.locator(f'#passkey-list li.passkey[data-credential-id="{credential_id}"]')

    def sign_up(self, username: str, display_name: str) -> None:
        expect(self.signed_out).to_be_visible()
        self.page.get_by_label("Choose a username").fill(username)
        self.page.get_by_label("Your full name").fill(display_name)
        self.page.get_by_test_id("signup-button").click()
        expect(self.signed_in).to_be_visible()
        expect(self.page.get_by_test_id("greeting")).to_contain_text(display_name)
        expect(self.alert).to_be_hidden()
        expect(self.passkeys()).not_to_have_count(0)

    def sign_in_with_username(self, username: str) -> None:
        expect(self.signed_out).to_be_visible()
        self.page.get_by_test_id("signin-username").fill(username)
        self.page.get_by_test_id("signin-button").click()

    def sign_in_usernameless(self) -> None:
        expect(self.signed_out).to_be_visible()
        self.page.get_by_test_id("signin-usernameless").click()

    def sign_out(self) -> None:
        self.page.get_by_test_id("sign-out").click()
        expect(self.signed_out).to_be_visible()
        assert self.api("GET", "/v1/session")["status"] == 401

    def unique(self, prefix: str) -> str:
        return f"{prefix}{int(time.time() * 1000) % 10**9}{os.getpid() % 1000}"


@pytest.fixture
def bank(browser, server, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_start = server.log_size()
    b = Bank(page, server)
    yield b

    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        failures = OUT / "failures"
        failures.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)
        try:
            page.screenshot(path=str(failures / f"{name}.png"), full_page=True)
        except Exception as error:  # noqa: BLE001 - best effort on a failing page
            print(f"(no failure screenshot: {error})")
        print(f"--- server log during {request.node.name} ---")
        print(server.log()[log_start:] if server.log_size() >= log_start else server.log())
        print("--- browser console errors ---")
        print("\n".join(b.console_errors) or "(none)")
    context.close()

    csp = [e for e in b.console_errors if "Content Security Policy" in e or "Refused to" in e]
    assert not csp, f"Content-Security-Policy violations: {csp}"
    assert not b.page_errors, f"uncaught errors in the page: {b.page_errors}"


def credential_for_reimport(credential: dict) -> dict:
    """A WebAuthn.getCredentials entry as a WebAuthn.addCredential argument."""
    keep = ("credentialId", "isResidentCredential", "rpId", "privateKey", "userHandle", "signCount",
            "backupEligibility", "backupState", "userName", "userDisplayName")
    return {k: v for k, v in credential.items() if k in keep and v is not None}
