"""API tokens: issued to one membership, revoked.

These take the acting User, not a Membership: they are also called from the command line
(create_api_token), where nobody acts for an organisation. The administration pages pass
`actor=membership.user`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from punte.accounts import auth
from punte.accounts.models import ApiToken, Membership, User
from punte.core import audit
from punte.core.errors import ServiceError


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


@transaction.atomic
def apitoken_create(
    *, actor: User | None, membership: Membership, name: str, days: int | None = None
) -> IssuedToken:
    """Issue a bearer token bound to one membership. The secret is returned once, never stored."""
    if days is not None and not 1 <= days <= 366:
        raise ServiceError("days", _("A token lives between 1 and 366 days."))
    if not name.strip():
        raise ServiceError("name", _("Name the token after the system that will use it."))
    if len(name.strip()) > ApiToken._meta.get_field("name").max_length:
        raise ServiceError("name", _("A token's name is at most 100 characters."))
    if not (
        membership.is_active and membership.user.is_active and membership.organisation.is_active
    ):
        raise ServiceError("membership", _("Tokens can only be issued to an active membership."))
    secret, prefix = auth.new_token_secret()
    token = ApiToken.objects.create(
        membership=membership,
        name=name.strip(),
        prefix=prefix,
        token_hash=auth.hash_token(secret),
        expires_at=auth.token_expiry(days),
    )
    audit.record(
        action="apitoken.created",
        actor=actor,
        organisation=membership.organisation,
        subject=token,
        changes={"name": token.name, "prefix": prefix, "expires_at": token.expires_at.isoformat()},
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def apitoken_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        action="apitoken.revoked",
        actor=actor,
        organisation=token.membership.organisation,
        subject=token,
        changes={"prefix": token.prefix},
    )
    return token
