"""Every read of criminal proceedings, scoped by the acting membership (ADR 0003).

A proceeding is visible, with `proceeding.view`, to whoever may see its case (cases.selectors,
the same rule) and to the members of its prosecuting office. Outside scope it is not found.
Suspects' and offenders' names are read only by those who follow proceedings
(`proceeding.manage`); each opening of a proceeding is audited against the case's person.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from punte.accounts.models import Membership
from punte.cases import selectors as case_selectors
from punte.core import audit
from punte.core.errors import uuid_or_404
from punte.core.models import Country
from punte.proceedings.models import Offender, Proceeding, ProceedingEvent


def proceeding_list_visible_to(*, actor: Membership) -> QuerySet[Proceeding]:
    if not actor.has_perm("proceeding.view"):
        return Proceeding.objects.none()
    visible_cases = case_selectors.case_list_visible_to(actor=actor).values("pk")
    return Proceeding.objects.filter(
        Q(case_id__in=visible_cases) | Q(prosecuting_office_id=actor.organisation_id)
    )


def _with_details(proceedings: QuerySet[Proceeding], *, names: bool) -> QuerySet[Proceeding]:
    offenders = Offender.objects.order_by("created_at")
    if not names:
        # Never decrypted for a reader who may not see them.
        offenders = offenders.defer("name")
    return proceedings.select_related("prosecuting_office", "case").prefetch_related(
        "charges",
        Prefetch("offenders", queryset=offenders),
        Prefetch("events", queryset=ProceedingEvent.objects.select_related("organisation")),
    )


def _name_countries(proceedings) -> None:
    """Each offender's citizenship by its country's name (codes are never shown raw)."""
    offenders = [o for p in proceedings for o in p.offenders.all()]
    codes = {o.profile.get("citizenship") for o in offenders}
    names = dict(Country.objects.filter(pk__in=codes).values_list("alpha2", "name"))
    for offender in offenders:
        code = offender.profile.get("citizenship")
        offender.citizenship_name = names.get(code, code)


def may_read_names(actor: Membership) -> bool:
    return actor.has_perm("proceeding.manage")


def proceeding_get(*, actor: Membership, proceeding_id: uuid.UUID | str) -> Proceeding:
    pk = uuid_or_404(proceeding_id)
    with transaction.atomic():
        proceeding = (
            _with_details(proceeding_list_visible_to(actor=actor), names=may_read_names(actor))
            .filter(pk=pk)
            .first()
        )
        if proceeding is None:
            raise Http404
        _name_countries([proceeding])
        audit.record(
            action="proceeding.viewed",
            actor=actor,
            subject=proceeding,
            person_id=proceeding.case.person_id,
        )
    return proceeding


def proceedings_of_case(*, actor: Membership, case_id: uuid.UUID | str):
    """A case (its opening audited by the case's selector) and its proceedings."""
    if not actor.has_perm("proceeding.view"):
        raise Http404
    case = case_selectors.case_get(actor=actor, case_id=case_id)
    proceedings = list(
        _with_details(Proceeding.objects.filter(case=case), names=may_read_names(actor))
    )
    _name_countries(proceedings)
    return case, proceedings
