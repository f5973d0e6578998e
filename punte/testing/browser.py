"""Browser tests: Playwright (sync API) drives Debian's Chromium against the live test server.

Fixtures (registered by the root conftest.py):
- `chromium`: one headless Chromium per test session, from /usr/bin/chromium (never
  `playwright install`: that downloads a browser). Missing Chromium skips the browser tests with
  a loud reason on a developer's machine and fails them on CI (env CI=true).
- `page`: a fresh browser context and page on the live server, addressed as http://localhost:PORT
  (passkeys need a secure context and `localhost` is one; 127.0.0.1 is not the relying party).
  A page that breaks the Content Security Policy fails the test.
- `add_virtual_authenticator(page)`: a CDP virtual passkey authenticator for WebAuthn ceremonies.

Mark the tests `@pytest.mark.browser`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous: CI runs two test workers, each with its own Chromium and live server, on two cores.
# A waiting step costs nothing when the page is quick; it only delays a real failure.
DEFAULT_TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    if not os.path.exists(CHROMIUM):
        reason = (
            f"BROWSER TESTS NOT RUN: no Chromium at {CHROMIUM}. "
            "Install it with `apt-get install chromium` (never `playwright install`)."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        warnings.warn(reason, stacklevel=1)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django refuses database calls
    # from a thread with a running loop unless told that this is intended.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from django.db import connections

    wrappers = {alias: connections[alias] for alias in connections}
    playwright = sync_playwright().start()
    # From here on this thread runs inside Playwright's event-loop context, where Django's
    # per-context registry of connections starts empty. Hand it the connections the test
    # database was set up on, or the tests would get fresh ones that lack the state
    # pytest-django keeps on them (serialized_rollback's saved data, for one).
    for alias, wrapper in wrappers.items():
        connections[alias] = wrapper
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(chromium, live_server, settings) -> Iterator:
    host = urlsplit(live_server.url).hostname
    assert host == "localhost", f"browser tests need http://localhost, got {live_server.url}"
    # The passkey ceremony checks the page's origin, which carries the live server's port.
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    from playwright.sync_api import expect

    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        yield page
    finally:
        context.close()
    if csp_violations:
        pytest.fail("The page broke the Content Security Policy:\n" + "\n".join(csp_violations))


@dataclass
class VirtualAuthenticator:
    """A platform passkey authenticator (CDP WebAuthn domain) that verifies the user."""

    cdp: object
    authenticator_id: str

    def user_present(self, answer: bool) -> None:
        """Whether the authenticator answers at once. Off, ceremonies wait: use it while a page
        would otherwise complete a pending passkey request (the login page's autofill) before
        the test means it to."""
        self.cdp.send(
            "WebAuthn.setAutomaticPresenceSimulation",
            {"authenticatorId": self.authenticator_id, "enabled": answer},
        )

    def credentials(self) -> list[dict]:
        found = self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator_id})
        return found["credentials"]


def add_virtual_authenticator(page) -> VirtualAuthenticator:
    """Give the page's browser context a passkey authenticator (resident keys, user verified)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    created = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return VirtualAuthenticator(cdp=cdp, authenticator_id=created["authenticatorId"])
