"""The busiest hour, as locust users (bench/load/run.py drives them; see its docstring for the
mix and how it was estimated).

- `StaffApi`: a member's client or another agency's system with the member's API token: the
  worklist, person records (each an audited read), the incoming referrals, short screenings
  started and answered (regional officers), referrals accepted (child protection), signals sent
  by the police's own system (with an Idempotency-Key).
- `StaffPages`: a member in the browser, signed in with password and TOTP code: the home
  worklist, person pages, the referrals inbox.
- `PublicReporter`: a member of the public filling in the anonymous form (it honours the
  form's minimum fill time; each reporter has its own address, as the proxy reports it).

The production cookies are `Secure` (`__Host-`); over the loopback without TLS a client keeps
them itself and sends them back (as the browser would over HTTPS).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import uuid

from django_otp.oath import TOTP
from locust import HttpUser, between, task

DATA = json.loads(open(os.environ["LOAD_DATA"]).read())  # noqa: SIM115
THINK = float(os.environ.get("LOAD_THINK_SECONDS", "2"))
_lock = threading.Lock()
_staff = {kind: itertools.cycle([s for s in DATA["staff"] if s["kind"] == kind]) for kind in
          ("cr", "dgaspc", "ipj")}  # fmt: skip
_kinds = itertools.cycle(["cr", "cr", "dgaspc", "ipj"])
_addresses = (f"198.{18 + (n >> 16) % 2}.{(n >> 8) % 256}.{n % 256}" for n in itertools.count(1))
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_STARTED = re.compile(r'name="started" value="([^"]+)"')


# How many users of the current run have finished on_start (bench/load/run.py waits for them all
# before it measures a step).
SIGNED_IN = [0]
# Members whose sign-in failed (a run with any is not a passing run).
SIGN_IN_FAILURES = [0]


def signed_in() -> int:
    return SIGNED_IN[0]


def _done_signing_in() -> None:
    with _lock:
        SIGNED_IN[0] += 1


def _next_staff() -> dict:
    with _lock:
        return next(_staff[next(_kinds)])


def _think():
    return between(THINK * 0.5, THINK * 1.5)


class StaffApi(HttpUser):
    weight = 9
    wait_time = _think()

    def on_start(self):
        self.me = _next_staff()
        self.headers = {"Authorization": f"Bearer {self.me['token']}"}
        self.persons = list(self.me["persons"])
        _done_signing_in()

    def _person(self) -> str | None:
        return random.choice(self.persons) if self.persons else None

    @task(30)
    def worklist(self):
        self.client.get("/api/v1/worklist", headers=self.headers, name="api worklist")

    @task(25)
    def person(self):
        person = self._person()
        if person is None:  # police and child protection hold no seeded persons
            return self.worklist()
        self.client.get(f"/api/v1/persons/{person}", headers=self.headers, name="api person")

    @task(10)
    def incoming(self):
        self.client.get("/api/v1/referrals/incoming", headers=self.headers, name="api incoming")

    @task(3)
    def screening(self):
        # One screening per person: the member's next unscreened person, whichever of the
        # member's simulated users (or a later phase of the run) starts it.
        with _lock:
            index = self.me.setdefault("screened", 0)
            if self.me["kind"] == "cr" and index < len(self.persons):
                self.me["screened"] = index + 1
            else:
                index = None
        if index is None:
            return self.worklist()
        person = self.persons[index]
        started = self.client.post(
            f"/api/v1/persons/{person}/screenings",
            json={"kind": "short"},
            headers=self.headers,
            name="api screening start",
        )
        if started.status_code == 201:
            self.client.post(
                f"/api/v1/screenings/{started.json()['id']}/answers",
                json={"answers": {"SS-1": "yes", "SS-2": "unsure"}},
                headers=self.headers,
                name="api screening answers",
            )

    @task(2)
    def accept_referral(self):
        if self.me["kind"] != "dgaspc" or not self.me["referrals"]:
            return self.incoming()
        with _lock:
            referral = self.me["referrals"].pop() if self.me["referrals"] else None
        if referral is None:
            return self.incoming()
        self.client.post(
            f"/api/v1/referrals/{referral}/accept", headers=self.headers, name="api accept"
        )

    @task(3)
    def signal(self):
        if self.me["kind"] != "ipj":
            return self.worklist()
        self.client.post(
            "/api/v1/signals",
            json={
                "channel": "agency_system",
                "description": "Synthetic: workers seen locked in at a farm; passports held.",
                "county": self.me["county"],
                "exploitation_forms": ["labour"],
                "external_reference": f"IPJ-{uuid.uuid4().hex[:12]}",
            },
            headers={**self.headers, "Idempotency-Key": str(uuid.uuid4())},
            name="api signal",
        )


class _Browser(HttpUser):
    abstract = True

    def on_start(self):
        self.jar: dict[str, str] = {}

    def _send(self, method: str, path: str, name: str, expect: int = 200, **kwargs):
        """One request with the kept cookies; anything but `expect` counts as an error (a
        page that sends a signed-in member back to the login is a failure, not a success)."""
        headers = kwargs.pop("headers", {})
        if self.jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        with self.client.request(
            method,
            path,
            headers=headers,
            name=name,
            allow_redirects=False,
            catch_response=True,
            **kwargs,
        ) as response:
            self.jar.update(response.cookies.get_dict())
            if response.status_code == expect:
                response.success()
            else:
                response.failure(f"{method} {name}: {response.status_code}, not {expect}")
        return response


class StaffPages(_Browser):
    weight = 10
    wait_time = _think()

    def on_start(self):
        super().on_start()
        self.me = _next_staff()
        try:
            self._sign_in()
        except Exception:
            with _lock:
                SIGN_IN_FAILURES[0] += 1
            raise
        finally:
            _done_signing_in()

    def _sign_in(self) -> None:
        """Password, then the TOTP code, as a member signs in; any other answer is a failure."""
        page = self._send("GET", "/accounts/login/", "page login")
        signed = self._send(
            "POST",
            "/accounts/login/",
            "page login",
            expect=302,
            data={
                "username": self.me["username"],
                "password": DATA["password"],
                "csrfmiddlewaretoken": _CSRF.search(page.text).group(1),
            },
        )
        page = self._send("GET", "/accounts/mfa/", "page mfa")
        code = TOTP(bytes.fromhex(self.me["totp_key"])).token()
        verified = self._send(
            "POST",
            "/accounts/mfa/",
            "page mfa",
            expect=302,
            data={"code": f"{code:06d}", "csrfmiddlewaretoken": _CSRF.search(page.text).group(1)},
        )
        if signed.status_code != 302 or verified.status_code != 302:
            raise RuntimeError(f"{self.me['username']} could not sign in")

    @task(6)
    def home(self):
        self._send("GET", "/", "page worklist")

    @task(4)
    def person(self):
        if not self.me["persons"]:
            return self.inbox()
        self._send("GET", f"/persons/{random.choice(self.me['persons'])}/", "page person")

    @task(2)
    def inbox(self):
        self._send("GET", "/referrals/", "page referrals")


class PublicReporter(_Browser):
    weight = 1
    # Read the form, write for at least the form's minimum fill time, send, leave.
    wait_time = between(4, 8)

    def on_start(self):
        super().on_start()
        _done_signing_in()

    @task
    def report(self):
        address = {"X-Forwarded-For": next(_addresses)}
        page = self._send("GET", "/report/", "public form", headers=dict(address))
        self.wait()
        self._send(
            "POST",
            "/report/",
            "public report",
            expect=302,
            headers=dict(address),
            data={
                "csrfmiddlewaretoken": _CSRF.search(page.text).group(1),
                "started": _STARTED.search(page.text).group(1),
                "description": "Synthetic: a teenager seen begging at the station every day.",
                "county": random.choice(["RO-CJ", "RO-IS", "RO-B", "RO-TM"]),
                "website": "",
            },
        )
