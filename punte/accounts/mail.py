"""The one-time link by which a person chooses their password, and the mail that carries it.

Two acts send it: an administrator opening an account or resetting its password
(services.users.user_setup_link_issue), and an administrator removing a person's second factors
(recovery.user_second_factors_reset). Both make the link the same way, and mail it the same way:
in the person's language, only once the transaction has committed, and without undoing the act
when the mail server refuses (the administrator can send a new link from the user's page).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext, ngettext

from punte.accounts.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Letter:
    # (hours the link works, the link) -> (subject, body), called in the person's language.
    compose: Callable[[int, str], tuple[str, str]]
    # What the log says could not be sent: never the address, never the link.
    what: str


def _setup_link(hours: int, url: str) -> tuple[str, str]:
    subject = gettext("Your Punte account: choose your password")
    body = ngettext(
        "An account was opened for you in Punte, or its password was reset.\n\n"
        "Open this link to choose your password. It works once, for %(hours)d hour:\n\n"
        "%(url)s\n\n"
        "At your first sign-in you will set up a second factor (an authenticator app or "
        "a passkey).\nIf you did not expect this message, tell your administrator.",
        "An account was opened for you in Punte, or its password was reset.\n\n"
        "Open this link to choose your password. It works once, for %(hours)d hours:\n\n"
        "%(url)s\n\n"
        "At your first sign-in you will set up a second factor (an authenticator app or "
        "a passkey).\nIf you did not expect this message, tell your administrator.",
        hours,
    ) % {"hours": hours, "url": url}
    return subject, body


def _factors_reset(hours: int, url: str) -> tuple[str, str]:
    subject = gettext("Your Punte account: second factors reset")
    body = ngettext(
        "An administrator removed the second factors of your Punte account (authenticator "
        "apps, passkeys and recovery codes), as is done when a phone or security key is "
        "lost. You were signed out everywhere, and your password no longer works.\n\n"
        "Open this link to choose a new password. It works once, for %(hours)d hour:\n\n"
        "%(url)s\n\n"
        "Then sign in and set up a second factor again.\n"
        "If you did not ask for this, tell your administrator at once.",
        "An administrator removed the second factors of your Punte account (authenticator "
        "apps, passkeys and recovery codes), as is done when a phone or security key is "
        "lost. You were signed out everywhere, and your password no longer works.\n\n"
        "Open this link to choose a new password. It works once, for %(hours)d hours:\n\n"
        "%(url)s\n\n"
        "Then sign in and set up a second factor again.\n"
        "If you did not ask for this, tell your administrator at once.",
        hours,
    ) % {"hours": hours, "url": url}
    return subject, body


SETUP_LINK = Letter(compose=_setup_link, what="the set-password link")
FACTORS_RESET = Letter(compose=_factors_reset, what="the second-factor reset notice")


def password_link_send(*, user: User, build_url: Callable[[str, str], str], letter: Letter) -> str:
    """Make the person's set-password link, mail it once the transaction commits, return it.

    Call it after the password was voided: the token is derived from the password hash, so the
    link works once and every earlier link stops working. `build_url(uidb64, token)` makes the
    absolute URL.
    """
    url = build_url(
        urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
    )
    recipient, language, user_id = user.email, user.preferred_language, user.pk
    transaction.on_commit(lambda: _send(letter, recipient, language, url, user_id))
    return url


def _send(letter: Letter, recipient: str, language: str, url: str, user_id) -> None:
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    with translation.override(language or settings.LANGUAGE_CODE):
        subject, body = letter.compose(hours, url)
    try:
        send_mail(subject, body, None, [recipient])
    except OSError:
        # The act stands; the administrator can send a new link from the user's page.
        logger.warning("could not send %s to user %s", letter.what, user_id)
