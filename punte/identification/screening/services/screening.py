"""Screenings: start, answer (autosaved draft), stop with a reason, resume, complete.

The answers are checked against the catalogue version the screening started with, and the
result is computed by the pure engine (assessment.py) from that version's rule and stored at
completion with everything that produced it. A completed screening is never changed: screening
a person again is a new screening, so the history stays (ADR 0022).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from punte.accounts.models import Membership
from punte.core import audit
from punte.core.errors import ServiceError
from punte.core.lifecycle import AuditEntry, StateMachine, Step, apply
from punte.identification.persons.models import Person
from punte.identification.screening.assessment import (
    Assessment,
    ShortScreenAnswer,
    ShortScreenResult,
    assess,
    assess_short_screen,
)
from punte.identification.screening.catalogue.store import LoadedCatalogue, catalogue_from_db
from punte.identification.screening.catalogue.vocabulary import (
    LIST_POPULATION,
    IndicatorList,
    Population,
)
from punte.identification.screening.models import (
    SCREENING_TRANSITIONS,
    DraftReason,
    IndicatorCatalogue,
    Screening,
    ScreeningKind,
    ScreeningStatus,
)
from punte.identification.signals.services.signal import signals_enter_screening


@functools.lru_cache(maxsize=8)
def _loaded_catalogue(version: str, checksum: str) -> LoadedCatalogue:
    # Versions are immutable (ADR 0020), and the checksum is part of the key: a cached version
    # is the one in the database. Saves reading 300+ indicators on every autosave.
    return catalogue_from_db(version)


def catalogue_for(screening: Screening) -> LoadedCatalogue:
    catalogue = screening.catalogue
    return _loaded_catalogue(catalogue.version, catalogue.checksum)


def lists_for(*, is_child: bool, catalogue: IndicatorCatalogue) -> list[str]:
    """The lists of this catalogue version a person of this age group may be screened with."""
    wrong = Population.ADULT if is_child else Population.CHILD
    return [
        item["list"]
        for item in catalogue.lists
        if item["list"] != IndicatorList.CLINICAL
        and LIST_POPULATION[IndicatorList(item["list"])] != wrong
    ]


def latest_catalogue() -> IndicatorCatalogue | None:
    return IndicatorCatalogue.objects.order_by("-published_at", "-id").first()


def _catalogue(version: str | None) -> IndicatorCatalogue:
    catalogues = IndicatorCatalogue.objects.all()
    catalogue = (
        catalogues.filter(version=version).first()
        if version
        else catalogues.order_by("-published_at", "-id").first()
    )
    if catalogue is None:
        if version:
            raise ServiceError(
                "catalogue_version",
                _("Catalogue version %(version)s is not loaded.") % {"version": version},
            )
        raise ServiceError("catalogue_version", _("No indicator catalogue is loaded."), status=409)
    return catalogue


@transaction.atomic
def screening_start(
    *,
    actor: Membership,
    person: Person,
    kind: str,
    lists: Iterable[str] = (),
    catalogue_version: str | None = None,
) -> Screening:
    """Start a draft. `person` comes from a selector that checked the actor may see it.

    The age group is the presumption of minority on the day the screening starts; it decides
    which lists may be used and which rule applies at completion.
    """
    if not actor.has_perm("screening.conduct"):
        raise ServiceError(None, _("Your role may not screen persons."), status=403)
    if kind not in ScreeningKind.values:
        raise ServiceError("kind", _("Expected full or short."))
    catalogue = _catalogue(catalogue_version)
    is_child = person.is_treated_as_child(timezone.localdate())
    if kind == ScreeningKind.SHORT:
        chosen = [IndicatorList.CLINICAL.value]
    else:
        chosen = list(dict.fromkeys(lists))
        if not chosen:
            raise ServiceError("lists", _("Choose at least one indicator list."))
        allowed = lists_for(is_child=is_child, catalogue=catalogue)
        for name in chosen:
            if name in allowed:
                continue
            if name in IndicatorList.values and name != IndicatorList.CLINICAL:
                message = (
                    _("%(list)s is for adults; a child is screened with the children's lists.")
                    if is_child
                    else _("%(list)s is for children; an adult is screened with the adults' lists.")
                )
            else:
                message = _("%(list)s is not an indicator list of catalogue version %(version)s.")
            raise ServiceError("lists", message % {"list": name, "version": catalogue.version})
    screening = Screening.objects.create(
        person=person,
        organisation=actor.organisation,
        catalogue=catalogue,
        kind=kind,
        lists=chosen,
        is_child=is_child,
        answers={},
        created_by=actor.user,
        modified_by=actor.user,
    )
    audit.record(
        action="screening.started",
        actor=actor,
        subject=screening,
        person_id=person.pk,
        changes={
            "kind": kind,
            "lists": chosen,
            "catalogue_version": catalogue.version,
            "is_child": is_child,
        },
    )
    signals_enter_screening(actor=actor, person=person, screening_id=str(screening.pk))
    return screening


def _screening_refusal(row: Screening, current: str, wanted: str, allowed: list[str]) -> str:
    return _(
        "This screening was completed on %(date)s and cannot be changed; "
        "start a new screening to screen the person again."
    ) % {"date": date_format(timezone.localtime(row.completed_at), "DATE_FORMAT")}


SCREENING_MACHINE = StateMachine.from_sets(
    SCREENING_TRANSITIONS,
    label=lambda status: ScreeningStatus(status).label,
    refusal=_screening_refusal,
    refusal_status=409,
)


def _locked_draft(screening: Screening) -> Screening:
    locked = Screening.objects.select_for_update().select_related("catalogue").get(pk=screening.pk)
    # A screening that may still be completed is a draft: it may be answered and stopped too.
    SCREENING_MACHINE.check(locked.status, ScreeningStatus.COMPLETED, row=locked)
    return locked


def _check_version(screening: Screening, catalogue_version: str | None) -> None:
    if catalogue_version is not None and catalogue_version != screening.catalogue.version:
        raise ServiceError(
            "catalogue_version",
            _(
                "This screening uses catalogue version %(version)s; answers for version "
                "%(other)s cannot be applied to it."
            )
            % {"version": screening.catalogue.version, "other": catalogue_version},
        )


def _validated_answers(
    screening: Screening, catalogue: LoadedCatalogue, answers: Mapping[str, Any]
) -> dict[str, Any]:
    if not isinstance(answers, Mapping) or not answers:
        raise ServiceError("answers", _("Give at least one answer."))
    version = catalogue.version
    checked = {}
    for code in sorted(answers, key=str):
        value = answers[code]
        indicator = catalogue.indicators.get(code) if isinstance(code, str) else None
        if indicator is None:
            raise ServiceError(
                f"answers.{code}",
                _("%(code)s is not an indicator of catalogue version %(version)s.")
                % {"code": code, "version": version},
            )
        if indicator.list not in screening.lists:
            raise ServiceError(
                f"answers.{code}",
                _("%(code)s belongs to the list %(list)s, which this screening does not use.")
                % {"code": code, "list": indicator.list},
            )
        if screening.kind == ScreeningKind.SHORT:
            if value is not None and value not in ShortScreenAnswer.values:
                raise ServiceError(f"answers.{code}", _("Answer yes, no or unsure."))
        elif value is not None and not isinstance(value, bool):
            raise ServiceError(
                f"answers.{code}", _("Answer true (observed) or false (not observed).")
            )
        checked[code] = value
    return checked


@transaction.atomic
def screening_save_answers(
    *,
    actor: Membership,
    screening: Screening,
    answers: Mapping[str, Any],
    catalogue_version: str | None = None,
) -> Screening:
    """Merge answers into a draft (null clears one). Used by the page's autosave and the API.

    `catalogue_version`, when the client sends it, must be the screening's: answers prepared
    for another version are refused whole rather than matched by code.
    """
    if not actor.has_perm("screening.conduct"):
        raise ServiceError(None, _("Your role may not screen persons."), status=403)
    screening = _locked_draft(screening)
    _check_version(screening, catalogue_version)
    checked = _validated_answers(screening, catalogue_for(screening), answers)
    merged = dict(screening.answers or {})
    for code, value in checked.items():
        if value is None:
            merged.pop(code, None)
        else:
            merged[code] = value
    screening.answers = merged
    screening.modified_by = actor.user
    screening.save(update_fields=["answers", "modified_by", "modified_at"])
    # The answers are about the person (special-category data): the trail counts them only.
    audit.record(
        action="screening.answered",
        actor=actor,
        subject=screening,
        person_id=screening.person_id,
        changes={"answers_changed": len(checked), "answers_held": len(merged)},
    )
    return screening


@transaction.atomic
def screening_suspend(
    *, actor: Membership, screening: Screening, reason: str, note: str | None = None
) -> Screening:
    """Stop a draft for now, saying why; it is resumed later from where it stopped."""
    if not actor.has_perm("screening.conduct"):
        raise ServiceError(None, _("Your role may not screen persons."), status=403)
    if reason not in DraftReason.values:
        raise ServiceError(
            "reason",
            _("Expected one of %(values)s.") % {"values": ", ".join(DraftReason.values)},
        )
    screening = _locked_draft(screening)
    old = screening.draft_reason
    screening.draft_reason = reason
    screening.draft_note = note or None
    screening.modified_by = actor.user
    screening.save(update_fields=["draft_reason", "draft_note", "modified_by", "modified_at"])
    audit.record(
        action="screening.suspended",
        actor=actor,
        subject=screening,
        person_id=screening.person_id,
        changes={"draft_reason": {"old": old, "new": reason}},
    )
    return screening


def assess_screening(screening: Screening) -> Assessment | ShortScreenResult:
    """The engine's result for the screening's answers under its own catalogue version."""
    catalogue = catalogue_for(screening)
    if screening.kind == ScreeningKind.SHORT:
        return assess_short_screen(
            catalogue.rule, catalogue.indicators, screening.answers, is_child=screening.is_child
        )
    return assess(
        catalogue.rule, catalogue.indicators, screening.answers, is_child=screening.is_child
    )


@transaction.atomic
def screening_complete(
    *, actor: Membership, screening: Screening, catalogue_version: str | None = None
) -> Screening:
    """Apply the rule and store the result with what produced it. Final: never done twice."""
    if not actor.has_perm("screening.conduct"):
        raise ServiceError(None, _("Your role may not screen persons."), status=403)

    def update(step: Step) -> list[str]:
        completed = step.row
        _check_version(completed, catalogue_version)
        result = assess_screening(completed)
        completed.outcome = result.outcome.value
        completed.result = result.to_dict()
        completed.completed_at = step.at
        completed.completed_by = actor.user
        completed.draft_reason = ""
        completed.draft_note = None
        return ["outcome", "result", "completed_at", "completed_by", "draft_reason", "draft_note"]

    step = apply(
        SCREENING_MACHINE,
        actor=actor,
        to=ScreeningStatus.COMPLETED,
        queryset=Screening.objects.select_related("catalogue"),
        pk=screening.pk,
        update=update,
        audit_entry=_completed_audit,
    )
    return step.row


def _completed_audit(step: Step) -> AuditEntry:
    screening = step.row
    return AuditEntry(
        "screening.completed",
        changes={
            "status": {"old": step.old, "new": step.new},
            "outcome": screening.outcome,
            "catalogue_version": screening.catalogue.version,
        },
        person_id=screening.person_id,
    )
