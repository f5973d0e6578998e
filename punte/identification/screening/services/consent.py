"""Consent to referral and to data sharing, and the anonymous notification without consent.

An adult is told their rights in their language and decides; each decision is an event, never
changed, and the state on a day is the last decision made by then. A child needs no consent
(presumption of minority: `Person.is_treated_as_child`): children are always referred to child
protection. Without consent, the case is still counted by an anonymous notification that holds
nothing that identifies the person (ADR 0022).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punte.accounts.models import Membership
from punte.core import audit
from punte.core.errors import ServiceError
from punte.core.lifecycle import StateMachine
from punte.core.models import County
from punte.identification.persons.models import Person, Sex
from punte.identification.screening.models import (
    AgeGroup,
    AnonymousNotification,
    CitizenshipGroup,
    ConsentDecision,
    ConsentEvent,
    ConsentPurpose,
    RightsLanguage,
)
from punte.identification.signals.models import ExploitationForm


class ConsentState:
    CHILD = "child"
    CONSENTED = "consented"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    NOT_ASKED = "not_asked"


# The states as people read them (the consent page, a referral's page).
CONSENT_STATE_LABELS = {
    ConsentState.CHILD: gettext_lazy("Not needed (child)"),
    ConsentState.CONSENTED: gettext_lazy("Consented"),
    ConsentState.REFUSED: gettext_lazy("Refused"),
    ConsentState.WITHDRAWN: gettext_lazy("Withdrew consent"),
    ConsentState.NOT_ASKED: gettext_lazy("Not asked yet"),
}


# The decisions an adult may record from each state (one table, checked by consent_record).
CONSENT_TRANSITIONS: dict[str, set[str]] = {
    ConsentState.NOT_ASKED: {ConsentDecision.CONSENTED, ConsentDecision.REFUSED},
    ConsentState.CONSENTED: {ConsentDecision.WITHDRAWN},
    ConsentState.REFUSED: {ConsentDecision.CONSENTED},
    ConsentState.WITHDRAWN: {ConsentDecision.CONSENTED},
}


def _state_label(state: str) -> str:
    if state == ConsentState.NOT_ASKED:
        return _("not asked")
    return str(ConsentDecision(state).label)


def _consent_refusal(row: None, current: str, wanted: str, allowed: list[str]) -> str:
    return _("%(decision)s cannot follow the current state (%(state)s).") % {
        "decision": ConsentDecision(wanted).label,
        "state": _state_label(current),
    }


# No status column: the state is the last decision, so the table is checked, never applied.
CONSENT_MACHINE = StateMachine.from_sets(
    CONSENT_TRANSITIONS,
    label=_state_label,
    refusal=_consent_refusal,
    field="decision",
    refusal_status=422,
)


def _last_event(person: Person, purpose: str, on: datetime.date | None) -> ConsentEvent | None:
    events = ConsentEvent.objects.filter(person=person, purpose=purpose)
    if on is not None:
        events = events.filter(decided_on__lte=on)
    return events.order_by("-decided_on", "-recorded_at").first()


def consent_state(person: Person, purpose: str, on: datetime.date) -> str:
    """One of ConsentState's values for `purpose` on the day `on`."""
    if person.is_treated_as_child(on):
        return ConsentState.CHILD
    last = _last_event(person, purpose, on)
    return last.decision if last is not None else ConsentState.NOT_ASKED


def referral_consent_state(person: Person, on: datetime.date) -> str:
    """ "child" (no consent needed), "consented", "refused", "withdrawn" or "not_asked".

    A referral of an adult may be sent only when this answers "consented" (or "child").
    """
    return consent_state(person, ConsentPurpose.REFERRAL, on)


def data_sharing_consent_state(person: Person, on: datetime.date) -> str:
    return consent_state(person, ConsentPurpose.DATA_SHARING, on)


def consent_history(person: Person) -> list[ConsentEvent]:
    """Every decision, oldest first. The caller has already opened the person's record."""
    return list(
        ConsentEvent.objects.filter(person=person)
        .select_related("recorded_by", "organisation")
        .order_by("decided_on", "recorded_at")
    )


@transaction.atomic
def consent_record(
    *,
    actor: Membership,
    person: Person,
    purpose: str,
    decision: str,
    decided_on: datetime.date,
    rights_language: str,
    note: str | None = None,
) -> ConsentEvent:
    """Record an adult's decision after they were told their rights in `rights_language`.

    `person` must come from a selector that checked the actor may see it.
    """
    if not actor.has_perm("consent.record"):
        raise ServiceError(None, _("Your role may not record consent."), status=403)
    if purpose not in ConsentPurpose.values:
        raise ServiceError("purpose", _("Unknown purpose; expected referral or data_sharing."))
    if decision not in ConsentDecision.values:
        raise ServiceError(
            "decision", _("Unknown decision; expected consented, refused or withdrawn.")
        )
    if rights_language not in RightsLanguage.values:
        raise ServiceError(
            "rights_language",
            _("The rights information exists in Romanian, English and Ukrainian."),
        )
    today = timezone.localdate()
    if decided_on > today:
        raise ServiceError("decided_on", _("The date of the decision is in the future."))
    # Lock the person so that two decisions recorded at once are ordered, not interleaved.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if person.is_treated_as_child(decided_on):
        raise ServiceError(
            "person",
            _(
                "A child needs no consent: children are always referred to child protection "
                "(a person whose age is unknown is treated as a child)."
            ),
        )
    last = _last_event(person, purpose, None)
    if last is not None and decided_on < last.decided_on:
        raise ServiceError(
            "decided_on",
            _("A later decision is already recorded (%(date)s); record decisions in order.")
            % {"date": date_format(last.decided_on, "DATE_FORMAT")},
        )
    current = last.decision if last is not None else ConsentState.NOT_ASKED
    CONSENT_MACHINE.check(current, decision)
    event = ConsentEvent.objects.create(
        person=person,
        organisation=actor.organisation,
        purpose=purpose,
        decision=decision,
        decided_on=decided_on,
        rights_language=rights_language,
        note=note or None,
        recorded_by=actor.user,
    )
    audit.record(
        action="consent.recorded",
        actor=actor,
        subject=event,
        person_id=person.pk,
        changes={
            "purpose": purpose,
            "decision": {"old": current, "new": decision},
            "decided_on": decided_on.isoformat(),
            "rights_language": rights_language,
        },
    )
    return event


# --- Anonymous notification ------------------------------------------------------------------


def citizenship_group(person: Person) -> str:
    if person.citizenship_id is None:
        return CitizenshipGroup.UNKNOWN
    if person.citizenship_id == "RO":
        return CitizenshipGroup.NATIONAL
    return CitizenshipGroup.EU if person.citizenship.is_eu_member else CitizenshipGroup.NON_EU


def _validated_forms(forms: Iterable[str]) -> list[str]:
    forms = list(forms)
    if not forms:
        raise ServiceError("exploitation_forms", _("Name at least one form of exploitation."))
    for form in forms:
        if form not in ExploitationForm.values:
            raise ServiceError(
                "exploitation_forms",
                _("Unknown form of exploitation: %(form)s.") % {"form": form},
            )
    return sorted(set(forms), key=ExploitationForm.values.index)


@transaction.atomic
def anonymous_notification_record(
    *,
    actor: Membership,
    sex: str,
    age_group: str,
    citizenship_group: str,
    exploitation_forms: Iterable[str],
    county: str | None = None,
    notified_on: datetime.date,
) -> AnonymousNotification:
    """Count a presumed victim who did not consent to referral, without identifying them.

    The county defaults to the notifying organisation's.
    """
    if not actor.has_perm("consent.record"):
        raise ServiceError(None, _("Your role may not record anonymous notifications."), status=403)
    if sex not in Sex.values:
        raise ServiceError(
            "sex",
            _("Unknown value; expected one of %(values)s.") % {"values": ", ".join(Sex.values)},
        )
    if age_group not in AgeGroup.values:
        raise ServiceError("age_group", _("Expected child or adult."))
    if citizenship_group not in CitizenshipGroup.values:
        raise ServiceError("citizenship_group", _("Expected national, eu, non_eu or unknown."))
    forms = _validated_forms(exploitation_forms)
    if notified_on > timezone.localdate():
        raise ServiceError("notified_on", _("The date of the notification is in the future."))
    county_code = county or actor.organisation.county_id
    if county_code is None or not County.objects.filter(code=county_code).exists():
        raise ServiceError("county", _("Not a county code (ISO 3166-2:RO, e.g. RO-CJ)."))
    notification = AnonymousNotification.objects.create(
        sex=sex,
        age_group=age_group,
        citizenship_group=citizenship_group,
        exploitation_forms=forms,
        county_id=county_code,
        organisation=actor.organisation,
        notified_on=notified_on,
        created_by=actor.user,
        modified_by=actor.user,
    )
    # No person_id: the notification and its event must not lead back to anyone.
    audit.record(
        action="anonymous_notification.recorded",
        actor=actor,
        subject=notification,
        changes={"exploitation_forms": forms, "county": county_code},
    )
    return notification


def anonymous_notification_from_person(
    *,
    actor: Membership,
    person: Person,
    exploitation_forms: Iterable[str],
    notified_on: datetime.date,
) -> AnonymousNotification:
    """The statistical facts of a person who did not consent, copied without any link to them."""
    state = referral_consent_state(person, notified_on)
    if state == ConsentState.CHILD:
        raise ServiceError(
            "person",
            _("A child is referred to child protection; an anonymous notification is for adults."),
        )
    if state == ConsentState.CONSENTED:
        raise ServiceError(
            "person",
            _("The person consented to referral: refer them instead of notifying anonymously."),
        )
    return anonymous_notification_record(
        actor=actor,
        sex=person.sex,
        age_group=AgeGroup.ADULT,
        citizenship_group=citizenship_group(person),
        exploitation_forms=exploitation_forms,
        notified_on=notified_on,
    )
