"""A state machine is a table: which status may follow which, and one `apply` that follows it.

An app declares its lifecycle once, as data:

    MACHINE = StateMachine(
        transitions={SENT: {ACCEPTED: Transition(permission="referral.respond", side=RECEIVER)}},
        label=lambda status: ReferralStatus(status).label,
        refusal=_("This referral is %(current)s: it cannot become %(wanted)s. ..."),
    )

and every change of status goes through `apply`, which in the caller's transaction locks the
row, checks the table (a move it does not hold raises `TransitionNotAllowed`, answered 409 with
the allowed next states named), saves only the fields that changed, writes the app's event row and
the audit event, then runs the app's in-transaction effects (access grants, notifications: the
notifications app writes its rows in the transaction and mails them after commit). Decisions kept
as events rather than a status column (consent) use `StateMachine.check` alone.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punte.core import audit
from punte.core.errors import ServiceError


class Actor(Protocol):
    """The acting membership (accounts.Membership): core names no app above it."""

    user: Any
    organisation: Any
    organisation_id: Any

    def has_perm(self, permission: str) -> bool: ...


class TransitionNotAllowed(ServiceError):
    """The table does not allow `wanted` from `current`; `allowed` are the states that may follow.

    A ServiceError, so the API answers it as a problem naming them (409 unless the machine says
    otherwise) and pages show the message."""

    def __init__(
        self,
        *,
        current: str,
        wanted: str,
        allowed: list[str],
        message: str,
        field: str | None = "status",
        status: int = 409,
    ):
        super().__init__(field, message, status=status)
        self.current = current
        self.wanted = wanted
        self.allowed = allowed


@dataclass(frozen=True)
class Side:
    """The party that makes a transition: the organisation named by the row's `field`."""

    field: str  # e.g. "receiver_organisation_id"
    label: Any  # e.g. gettext_lazy("the receiving organisation")


@dataclass(frozen=True)
class Transition:
    """One allowed move: the permission it needs (missing: not found, so a role without it
    learns nothing of the row), the side whose organisation makes it, whether a reason is due."""

    permission: str | None = None
    side: Side | None = None
    needs_reason: bool = False


Refusal = Callable[[Any, str, str, list[str]], str]


@dataclass(frozen=True)
class StateMachine:
    """`transitions[current][wanted]`, in the order the allowed states are to be named.

    `refusal` is the message of a move the table does not hold: a template over `current`,
    `wanted` and `allowed` (labels), or a function (row, current, wanted, allowed labels) for
    messages that need the row. `statuses` are the values a caller may ask for at all (default:
    every target of the table); anything else is an input error in `field`, with `unknown`.
    """

    transitions: Mapping[str, Mapping[str, Transition]]
    label: Callable[[str], Any]
    refusal: str | Refusal
    field: str = "status"
    refusal_status: int = 409
    statuses: tuple[str, ...] | None = None
    unknown: Any = gettext_lazy("Unknown status %(status)s.")
    state_field: str = "status"  # the row's attribute holding its state
    none_allowed: Any = gettext_lazy("none")

    @classmethod
    def from_sets(cls, table: Mapping[str, Iterable[str]], **kwargs) -> StateMachine:
        """A table of plain sets (no permission, side or reason), named in sorted order."""
        transitions = {
            current: {wanted: Transition() for wanted in sorted(allowed)}
            for current, allowed in table.items()
        }
        return cls(transitions=transitions, **kwargs)

    def allowed_next(self, current: str) -> list[str]:
        return list(self.transitions.get(current, {}))

    def known(self) -> tuple[str, ...]:
        if self.statuses is not None:
            return self.statuses
        return tuple(dict.fromkeys(to for row in self.transitions.values() for to in row))

    def permission_for(self, wanted: str) -> str | None:
        """The permission `wanted` needs from any state (one per target, as the tables have)."""
        for row in self.transitions.values():
            if wanted in row:
                return row[wanted].permission
        return None

    def check_known(self, wanted: str) -> None:
        known = self.known()
        if wanted not in known:
            values = ", ".join(known)
            raise ServiceError(self.field, str(self.unknown) % {"status": wanted, "values": values})

    def check(self, current: str, wanted: str, *, row: Any = None) -> Transition:
        """The transition from `current` to `wanted`, or TransitionNotAllowed."""
        transition = self.transitions.get(current, {}).get(wanted)
        if transition is not None:
            return transition
        allowed = self.allowed_next(current)
        labels = [str(self.label(s)) for s in allowed]
        if callable(self.refusal):
            message = self.refusal(row, current, wanted, labels)
        else:
            message = str(self.refusal) % {
                "current": self.label(current),
                "wanted": self.label(wanted),
                "allowed": ", ".join(labels) or self.none_allowed,
            }
        raise TransitionNotAllowed(
            current=current,
            wanted=wanted,
            allowed=allowed,
            message=message,
            field=self.field,
            status=self.refusal_status,
        )


@dataclass
class Step:
    """A transition being applied: what the callbacks of `apply` receive."""

    row: models.Model
    old: str
    new: str
    transition: Transition
    actor: Actor
    at: datetime.datetime
    reason: str = ""
    # Filled by `apply`'s `update` callback: whatever the app wants its event and audit to see.
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditEntry:
    action: str
    changes: dict[str, Any]
    person_id: Any = None


def _locked(queryset: models.QuerySet, pk: Any, visible: models.QuerySet | None) -> models.Model:
    row = queryset.select_for_update().filter(pk=pk).first()
    # Scope is checked on the locked row's current state, after any concurrent change commits.
    if row is None or (visible is not None and not visible.filter(pk=pk).exists()):
        raise Http404
    return row


def apply(
    machine: StateMachine,
    *,
    actor: Actor,
    to: str,
    queryset: models.QuerySet | None = None,
    pk: Any = None,
    row: models.Model | None = None,
    visible: models.QuerySet | None = None,
    reason: str | None = None,
    update: Callable[[Step], Iterable[str]] | None = None,
    event: Callable[[Step], Any] | None = None,
    audit_entry: Callable[[Step], AuditEntry],
    effects: Callable[[Step], Any] | None = None,
) -> Step:
    """Move one row to `to`, if the table allows it, in one transaction.

    The row is locked from `queryset` by `pk` (then must also be in `visible`, if given), or is
    `row`, already locked by a `_for_update` selector. In order: the status is known, the actor
    holds the transition's permission (else not found), the table allows the move (else
    TransitionNotAllowed), the actor's organisation is the transition's side (403), a reason is
    given where one is due. Then `update` sets the step's other fields (and may still refuse with
    a ServiceError) and returns their names; the row is saved with exactly those fields, `event`
    writes the app's history row, the audit event is written, and `effects` runs.
    """
    # Without a savepoint, as audit.record: the caller's transaction is the unit, and a refused
    # step must undo the whole service, not only this part of it.
    with transaction.atomic(savepoint=False):
        if row is None:
            if queryset is None:
                raise TypeError("apply() needs a locked row, or a queryset and a pk to lock.")
            row = _locked(queryset, pk, visible)
        machine.check_known(to)
        permission = machine.permission_for(to)
        if permission is not None and not actor.has_perm(permission):
            raise Http404
        old = getattr(row, machine.state_field)
        transition = machine.check(old, to, row=row)
        if transition.side is not None and actor.organisation_id != getattr(
            row, transition.side.field
        ):
            message = _("Only %(who)s may do this.") % {"who": transition.side.label}
            raise ServiceError(machine.field, message, status=403)
        reason = (reason or "").strip()
        if transition.needs_reason and not reason:
            raise ServiceError("reason", _("Give the reason."))
        step = Step(
            row=row,
            old=old,
            new=to,
            transition=transition,
            actor=actor,
            at=timezone.now(),
            reason=reason,
        )
        fields = list(update(step)) if update is not None else []
        setattr(row, machine.state_field, to)
        row.modified_by = actor.user
        row.save(
            update_fields=list(dict.fromkeys([machine.state_field, *fields, "modified_by"]))
            + ["modified_at"]
        )
        if event is not None:
            event(step)
        entry = audit_entry(step)
        audit.record(
            action=entry.action,
            actor=actor,
            subject=row,
            person_id=entry.person_id,
            changes=entry.changes,
        )
        if effects is not None:
            effects(step)
        return step
