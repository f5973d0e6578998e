"""Every write of record linkage inside Punte (see docs/adr/0011-linkage-in-the-database.md).

The linking runs live in punte.linkage.runs (``persons_relink_all``,
``person_link_incremental``, re-exported here); this module holds the stored models and the
analysts' acts (``reviewpair_decide``, ``personlink_separate``). Every write takes the
linkage lock (the LinkageState row) first, then locks the rows it changes.

Audit events carry ids, counts and probabilities, never a name, a date or a reason's text.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from punte.accounts.models import Membership
from punte.core import audit
from punte.core.errors import ServiceError
from punte.identification.persons.models import Person
from punte.linkage.models import (
    DecisionSource,
    LinkageModel,
    LinkageState,
    LinkDecision,
    LinkMethod,
    NationalPerson,
    PersonLink,
    ReviewPair,
    ReviewStatus,
    ordered_pair,
)

if TYPE_CHECKING:  # pragma: no cover
    from punte.linkage.model import TrainedModel
    from punte.linkage.runs import IncrementalResult, Progress, RelinkSummary

logger = logging.getLogger(__name__)


def lock_linkage() -> LinkageState:
    """The linkage lock: every write of links, national persons and decisions takes it first."""
    state = LinkageState.objects.select_for_update().filter(pk=1).first()
    if state is None:  # a database flushed by a test, or created without the data migration
        LinkageState.objects.get_or_create(pk=1)
        state = LinkageState.objects.select_for_update().get(pk=1)
    return state


def _user(actor: Membership | None):
    return actor.user if actor is not None else None


def _organisation(actor: Membership | None):
    return actor.organisation if actor is not None else None


# --------------------------------------------------------------------------- the model


def trained_model_of(stored: LinkageModel) -> TrainedModel:
    """The stored model, its parameters only (a row may hold a file imported before model
    files were checked: its SQL is never used, see model.verified_settings)."""
    from punte.linkage.model import PLAIN, TrainedModel, verified_settings

    data = stored.model_json
    return TrainedModel(
        spec_name=data["spec"],
        settings_hash=data["settings_hash"],
        splink_settings=verified_settings(
            data.get("splink_settings"), PLAIN, f"linkage model {stored.version}"
        ),
        report=data.get("training_report", {}),
        trained_at=data["trained_at"],
    )


def active_model() -> tuple[LinkageModel, TrainedModel] | None:
    """The active model, if one exists and was trained for the comparisons this code makes."""
    from punte.linkage.model import PLAIN, ModelMismatchError

    stored = LinkageModel.objects.filter(is_active=True).first()
    if stored is None:
        return None
    if stored.spec_name != PLAIN.name or stored.settings_hash != PLAIN.settings_hash():
        logger.warning(
            "linkage model %s was trained for other comparisons than this version uses; "
            "retrain it with `manage.py link_persons --train`",
            stored.version,
        )
        return None
    try:
        return stored, trained_model_of(stored)
    except ModelMismatchError as exc:
        logger.warning("linkage model %s is not usable (%s); retrain it", stored.version, exc)
        return None


@transaction.atomic
def linkagemodel_store(
    *, trained: TrainedModel, actor: Membership | None = None, activate: bool = True
) -> LinkageModel:
    """Keep a trained model (the engine's own JSON) as a new version, active by default."""
    import datetime

    if activate:
        LinkageModel.objects.select_for_update().filter(is_active=True).update(is_active=False)
    data = trained.as_dict()
    stored, created = LinkageModel.objects.get_or_create(
        version=trained.version,
        defaults={
            "spec_name": trained.spec_name,
            "model_json": data,
            "settings_hash": trained.settings_hash,
            "trained_at": datetime.datetime.fromisoformat(trained.trained_at),
            "record_count": int(trained.report.get("records", 0) or 0),
            "metrics": trained.report,
            "is_active": activate,
            "created_by": _user(actor),
        },
    )
    if not created and activate and not stored.is_active:
        stored.is_active = True
        stored.save(update_fields=["is_active"])
    audit.record(
        action="linkage.model_stored",
        actor=_user(actor),
        organisation=_organisation(actor),
        subject=stored,
        changes={
            "version": stored.version,
            "records": stored.record_count,
            "active": activate,
            "new": created,
        },
    )
    return stored


def linkagemodel_import(*, path, actor: Membership | None = None) -> LinkageModel:
    """Store a model saved by the engine (TrainedModel.save), e.g. one trained on agencies'
    files or on the synthetic benchmark, when the database is too small to train one."""
    from punte.linkage.model import PLAIN, ModelMismatchError, TrainedModel

    try:
        trained = TrainedModel.load(path, PLAIN)
    except ModelMismatchError as exc:
        raise ServiceError("model", str(exc)) from exc
    return linkagemodel_store(trained=trained, actor=actor)


def _upsert_decision(
    *, a, b, same_person: bool, source: str, actor: Membership, reason: str, now, pair=None
) -> LinkDecision:
    person_a, person_b = ordered_pair(a, b)
    decision, _created = LinkDecision.objects.select_for_update().update_or_create(
        person_a_id=person_a,
        person_b_id=person_b,
        defaults={
            "same_person": same_person,
            "source": source,
            "review_pair": pair,
            "decided_by": actor.user,
            "decided_at": now,
            "reason": reason,
        },
    )
    return decision


def merge_national_persons(
    source_id: str, target_id: str, *, now, actor: Membership | None = None
) -> None:
    """Move every record of one national person to another and retire the first."""
    moved = PersonLink.objects.filter(national_person_id=source_id).update(
        national_person_id=target_id, linked_at=now
    )
    NationalPerson.objects.filter(pk=source_id).update(retired_at=now, merged_into_id=target_id)
    audit.record(
        action="linkage.national_persons_merged",
        actor=_user(actor),
        organisation=_organisation(actor),
        subject_type="linkage.nationalperson",
        subject_id=target_id,
        changes={"merged": source_id, "into": target_id, "records_moved": moved},
    )


# --------------------------------------------------------------------------- analysts' acts


class Verdict:
    ACCEPT = "accept"
    REJECT = "reject"
    CHOICES = (ACCEPT, REJECT)


def _require_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ServiceError("reason", _("Give the reason for the decision."))
    if len(text) > 2000:
        raise ServiceError("reason", _("Keep the reason under 2,000 characters."))
    return text


def _require_reviewer(actor: Membership) -> None:
    if not actor.has_perm("linkage.review"):
        raise ServiceError(None, _("Your role may not review record links."), status=403)


def _link_for_update(person_id, *, now) -> PersonLink:
    """The record's link, locked; a record never linked gets a national person of its own."""
    link = PersonLink.objects.select_for_update().filter(person_id=person_id).first()
    if link is None:
        link = PersonLink.objects.create(
            person_id=person_id,
            national_person=NationalPerson.objects.create(),
            method=LinkMethod.SINGLETON,
            linked_at=now,
        )
    return link


def _audit_both(*, action: str, actor: Membership, pair: ReviewPair, changes: dict) -> None:
    for person_id in (pair.person_a_id, pair.person_b_id):
        audit.record(
            action=action,
            actor=actor.user,
            organisation=actor.organisation,
            subject=pair,
            person_id=person_id,
            changes=changes,
        )


@transaction.atomic
def reviewpair_decide(
    *, actor: Membership, pair: ReviewPair | uuid.UUID | str, decision: str, reason: str
) -> ReviewPair:
    """An analyst says whether a proposed pair is one person (accept) or two (reject).

    Accepting joins the two records' national persons at once (unless a standing decision keeps
    a record of one apart from a record of the other); rejecting keeps them apart in every later
    run, and splits the second record off if the two were linked meanwhile. A pair is decided
    once: deciding it again is a conflict (409).
    """
    _require_reviewer(actor)
    if decision not in Verdict.CHOICES:
        raise ServiceError(
            "decision", _("Unknown decision; expected one of: %s.") % ", ".join(Verdict.CHOICES)
        )
    text = _require_reason(reason)
    lock_linkage()
    pair_id = pair.pk if isinstance(pair, ReviewPair) else pair
    pair = ReviewPair.objects.select_for_update().filter(pk=pair_id).first()
    if pair is None:
        raise ServiceError(None, _("No such review pair."), status=404)
    if pair.status != ReviewStatus.PENDING:
        raise ServiceError(
            "decision",
            _("This pair was already decided (%(status)s); its decision stands.")
            % {"status": pair.status},
            status=409,
        )
    now = timezone.now()
    link_a = _link_for_update(pair.person_a_id, now=now)
    link_b = _link_for_update(pair.person_b_id, now=now)
    before = (str(link_a.national_person_id), str(link_b.national_person_id))
    accepted = decision == Verdict.ACCEPT
    if accepted and link_a.national_person_id != link_b.national_person_id:
        side_a = set(
            PersonLink.objects.filter(national_person_id=link_a.national_person_id).values_list(
                "person_id", flat=True
            )
        )
        side_b = set(
            PersonLink.objects.filter(national_person_id=link_b.national_person_id).values_list(
                "person_id", flat=True
            )
        )
        apart = LinkDecision.objects.filter(same_person=False).filter(
            person_a_id__in=side_a | side_b, person_b_id__in=side_a | side_b
        )
        if any(
            (d.person_a_id in side_a) != (d.person_b_id in side_a)
            for d in apart.only("person_a_id", "person_b_id")
        ):
            raise ServiceError(
                "decision",
                _(
                    "An earlier decision keeps a record of one of these national persons apart "
                    "from a record of the other. Separate that record first, or reject the pair."
                ),
                status=409,
            )
        big, small = (link_a, link_b) if len(side_a) >= len(side_b) else (link_b, link_a)
        merge_national_persons(
            str(small.national_person_id), str(big.national_person_id), now=now, actor=actor
        )
        PersonLink.objects.filter(person_id__in=[pair.person_a_id, pair.person_b_id]).update(
            match_probability=1.0, method=LinkMethod.ANALYST
        )
    elif accepted:
        PersonLink.objects.filter(person_id__in=[pair.person_a_id, pair.person_b_id]).update(
            match_probability=1.0, method=LinkMethod.ANALYST
        )
    elif link_a.national_person_id == link_b.national_person_id:
        # Linked meanwhile: the second record leaves, alone, as a separation would do.
        link_b.national_person = NationalPerson.objects.create()
        link_b.method, link_b.match_probability, link_b.linked_at = LinkMethod.ANALYST, None, now
        link_b.save(update_fields=["national_person", "method", "match_probability", "linked_at"])
    _upsert_decision(
        a=pair.person_a_id,
        b=pair.person_b_id,
        same_person=accepted,
        source=DecisionSource.REVIEW,
        actor=actor,
        reason=text,
        now=now,
        pair=pair,
    )
    old_status = pair.status
    pair.status = ReviewStatus.ACCEPTED if accepted else ReviewStatus.REJECTED
    pair.decided_by, pair.decided_at, pair.decision_reason = actor.user, now, text
    pair.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    after = PersonLink.objects.filter(person_id__in=[pair.person_a_id, pair.person_b_id])
    national = {str(link.person_id): str(link.national_person_id) for link in after}
    _audit_both(
        action="linkage.pair_decided",
        actor=actor,
        pair=pair,
        changes={
            "status": {"old": old_status, "new": pair.status},
            "match_probability": pair.match_probability,
            "national_persons": {
                "old": list(before),
                "new": [national[str(pair.person_a_id)], national[str(pair.person_b_id)]],
            },
            "reason": audit.REDACTED,
        },
    )
    return pair


@dataclasses.dataclass
class Separation:
    person_id: str
    national_person_id: str
    previous_national_person_id: str
    kept_apart_from: int


@transaction.atomic
def personlink_separate(
    *, actor: Membership, person: Person | uuid.UUID | str, reason: str
) -> Separation:
    """Undo a link: the record leaves its national person for a new one of its own, and a
    cannot-link decision against each record it leaves keeps it apart in every later run."""
    _require_reviewer(actor)
    text = _require_reason(reason)
    lock_linkage()
    person_id = person.pk if isinstance(person, Person) else person
    link = PersonLink.objects.select_for_update().filter(person_id=person_id).first()
    if link is None:
        raise ServiceError(
            "person", _("This record is not linked to any other record."), status=409
        )
    others = list(
        PersonLink.objects.select_for_update()
        .filter(national_person_id=link.national_person_id)
        .exclude(person_id=link.person_id)
        .values_list("person_id", flat=True)
    )
    if not others:
        raise ServiceError(
            "person", _("This record is not linked to any other record."), status=409
        )
    now = timezone.now()
    for other in others:
        _upsert_decision(
            a=link.person_id,
            b=other,
            same_person=False,
            source=DecisionSource.SEPARATION,
            actor=actor,
            reason=text,
            now=now,
        )
    previous = str(link.national_person_id)
    link.national_person = NationalPerson.objects.create()
    link.method, link.match_probability, link.linked_at = LinkMethod.ANALYST, None, now
    link.save(update_fields=["national_person", "method", "match_probability", "linked_at"])
    if len(others) == 1:
        PersonLink.objects.filter(person_id=others[0]).update(
            method=LinkMethod.SINGLETON, match_probability=None
        )
    audit.record(
        action="linkage.record_separated",
        actor=actor.user,
        organisation=actor.organisation,
        subject_type="linkage.personlink",
        subject_id=str(link.person_id),
        person_id=link.person_id,
        changes={
            "national_person": {"old": previous, "new": str(link.national_person_id)},
            "kept_apart_from": len(others),
            "reason": audit.REDACTED,
        },
    )
    return Separation(
        person_id=str(link.person_id),
        national_person_id=str(link.national_person_id),
        previous_national_person_id=previous,
        kept_apart_from=len(others),
    )


# --------------------------------------------------------------------------- linking runs


def persons_relink_all(
    *,
    actor: Membership | None = None,
    progress: Progress | None = None,
    train: bool | None = None,
) -> RelinkSummary:
    """Relink every person (see punte.linkage.runs.persons_relink_all)."""
    from punte.linkage import runs

    return runs.persons_relink_all(actor=actor, progress=progress, train=train)


def person_link_incremental(*, person_id: uuid.UUID | str) -> IncrementalResult:
    """Link a new person and every other waiting one (punte.linkage.runs)."""
    from punte.linkage import runs

    return runs.person_link_incremental(person_id=person_id)


def person_relink_after_change(*, person_id: uuid.UUID | str) -> IncrementalResult:
    """Link a person again after its identifying details changed (punte.linkage.runs)."""
    from punte.linkage import runs

    return runs.person_relink_after_change(person_id=person_id)


def bands() -> tuple[float, float]:
    """(threshold, review_from) of the linking runs (punte.linkage.runs.bands)."""
    from punte.linkage import runs

    return runs.bands()
