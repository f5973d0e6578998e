"""The analysts' acts on record links (see docs/adr/0011-linkage-in-the-database.md).

``reviewpair_decide`` accepts or rejects a pair the model proposed; ``personlink_separate``
undoes a link. Each takes the linkage lock (the LinkageState row) first, then locks the rows
it changes, and leaves a standing decision that every later run respects.

Audit events carry ids, counts and probabilities, never a name, a date or a reason's text.
"""

from __future__ import annotations

import dataclasses
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from punte.accounts.models import Membership
from punte.core import audit
from punte.core.errors import ServiceError
from punte.identification.persons.models import Person
from punte.linkage.models import (
    DecisionSource,
    LinkDecision,
    LinkMethod,
    NationalPerson,
    PersonLink,
    ReviewPair,
    ReviewStatus,
    ordered_pair,
)
from punte.linkage.services.state import lock_linkage, merge_national_persons


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
            actor=actor,
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
        actor=actor,
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
