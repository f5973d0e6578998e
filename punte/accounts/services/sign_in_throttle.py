"""Slowing password guessing down without locking the owner out (ADR 0007).

django-axes locks a (username, address) pair after 5 failures. Two more counters close what the
pair leaves open:

- per account, across addresses: an attacker moving from address to address. From the
  PUNTE_SIGN_IN_ACCOUNT_FREE_FAILURES-th failure on, the account may be tried again only after
  a wait that doubles with each failure (2, 4, 8 ... seconds, at most
  PUNTE_SIGN_IN_MAX_DELAY_SECONDS): the owner is slowed, never shut out, and an attacker gets
  a few hundred guesses a day at most;
- per address, across accounts (password spraying: a few common passwords tried on many
  accounts, under every account's limit): the same doubling wait from the
  PUNTE_SIGN_IN_ADDRESS_FREE_FAILURES-th failure from one address.

An attempt is counted as a failure before the password is checked, atomically, under a row lock
on the counter; a success then takes the count back. So concurrent attempts cannot all slip
through before any of them is counted, and an attempt refused for waiting checks no password
and counts nothing (hammering does not lengthen the wait). A refusal is answered at once (429,
with Retry-After): no worker sleeps. Counters are forgotten PUNTE_SIGN_IN_FORGET_AFTER_SECONDS
after their last failure.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from punte.accounts.models import SignInThrottle
from punte.core import audit

_SALT = "punte.sign_in_throttle"
Kind = SignInThrottle.Kind


@dataclass(frozen=True)
class Wait:
    """An attempt refused until the wait is over; `kind` says which counter refused it."""

    kind: str
    seconds: int


def _key(kind: str, value: str) -> str:
    return salted_hmac(f"{_SALT}.{kind}", value, algorithm="sha256").hexdigest()


def _free_failures(kind: str) -> int:
    if kind == Kind.ACCOUNT:
        return settings.PUNTE_SIGN_IN_ACCOUNT_FREE_FAILURES
    return settings.PUNTE_SIGN_IN_ADDRESS_FREE_FAILURES


def delay_after(kind: str, failures: int) -> int:
    """Seconds to wait after the given number of failures: none before the free ones are used up,
    then 2, 4, 8 ... up to the cap."""
    beyond = failures - _free_failures(kind)
    if beyond < 0:
        return 0
    return min(2 ** min(beyond + 1, 30), settings.PUNTE_SIGN_IN_MAX_DELAY_SECONDS)


def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
    keys = [(Kind.ACCOUNT, _key(Kind.ACCOUNT, username))]
    if address:
        keys.append((Kind.ADDRESS, _key(Kind.ADDRESS, address)))
    return keys


@transaction.atomic
def sign_in_attempt_begin(*, username: str, address: str | None) -> Wait | None:
    """Before a password is checked: a Wait if the account or the address must wait, else None,
    with the attempt counted as a failure on both counters until `sign_in_attempt_succeeded`."""
    now = timezone.now()
    forget = datetime.timedelta(seconds=settings.PUNTE_SIGN_IN_FORGET_AFTER_SECONDS)
    rows = []
    waits = []
    for kind, key in _keys(username, address):
        row, _created = SignInThrottle.objects.select_for_update().get_or_create(
            kind=kind, key=key, defaults={"last_failure_at": now}
        )
        if row.last_failure_at < now - forget:
            row.failures, row.blocked_until = 0, None
        if row.blocked_until is not None and row.blocked_until > now:
            waits.append(Wait(kind, math.ceil((row.blocked_until - now).total_seconds())))
        rows.append(row)
    if waits:
        # Nothing is counted: waiting, not trying again, is what ends the wait.
        transaction.set_rollback(True)
        return max(waits, key=lambda wait: wait.seconds)
    for row in rows:
        row.failures += 1
        row.last_failure_at = now
        delay = delay_after(row.kind, row.failures)
        row.blocked_until = now + datetime.timedelta(seconds=delay) if delay else None
        row.save(update_fields=["failures", "last_failure_at", "blocked_until"])
        if row.failures == _free_failures(row.kind):
            _record_slowed(row.kind, username)
    return None


@transaction.atomic
def sign_in_attempt_succeeded(*, username: str, address: str | None) -> None:
    """The password was right: the owner's account starts afresh; the address keeps its other
    failures (a sprayer's own account must not wipe the count of its guesses at others)."""
    for kind, key in _keys(username, address):
        row = SignInThrottle.objects.select_for_update().filter(kind=kind, key=key).first()
        if row is None:
            continue
        if kind == Kind.ACCOUNT or row.failures <= 1:
            row.delete()
            continue
        row.failures -= 1
        delay = delay_after(kind, row.failures)
        row.blocked_until = (
            row.last_failure_at + datetime.timedelta(seconds=delay) if delay else None
        )
        row.save(update_fields=["failures", "blocked_until"])


def _record_slowed(kind: str, username: str) -> None:
    # Once, when the waits begin: an audit row per refused attempt would let an attacker flood the
    # trail. The typed username is not written (people type passwords into it).
    user = (
        get_user_model().objects.filter(username=username).first() if kind == Kind.ACCOUNT else None
    )
    audit.record(action="auth.sign_in_slowed", actor=user, subject=user, changes={"limit": kind})
