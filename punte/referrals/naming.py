"""How a referral is named wherever it is listed (the inbox, the overdue list, worklists): one
name, so that a person recognises the same referral on every page. It never names the person."""

from __future__ import annotations

from django.utils.translation import gettext

from punte.referrals.models import Referral


def referral_name(referral: Referral) -> str:
    """E.g. "Child protection (DGASPC) · Cluj · record 1b4e28ba": what it is for, the case's
    county and the person's record number (telling apart two referrals of one person)."""
    return gettext("%(purpose)s · %(county)s · record %(record)s") % {
        "purpose": referral.purpose_label,
        "county": referral.county.name,
        "record": str(referral.person_id)[:8],
    }
