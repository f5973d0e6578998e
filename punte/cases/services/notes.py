"""Notes in a case's restricted sections (psychological, medical, sexual history)."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from punte.accounts.models import Membership
from punte.cases.models import CaseEvent, RestrictedNote, RestrictedSection
from punte.cases.selectors import case_list_visible_to, sections_readable
from punte.cases.services.common import history, required_text
from punte.core import audit
from punte.core.errors import ServiceError, uuid_or_404


@transaction.atomic
def restricted_note_add(*, actor: Membership, case_id, section: str, text: str) -> RestrictedNote:
    """Write in a restricted section: who may read it may write it (the managing organisation's
    members holding the section's permission, or a team member in a role the section admits).
    Nothing is written on a closed case."""
    if section not in RestrictedSection.values:
        raise Http404
    case = (
        case_list_visible_to(actor=actor)
        .select_for_update(of=("self",))
        .filter(pk=uuid_or_404(case_id))
        .first()
    )
    if case is None or section not in sections_readable(actor=actor, case=case):
        raise Http404
    if not case.is_active:
        raise ServiceError("status", _("This case is closed: it can only be reopened."), 409)
    note = RestrictedNote.objects.create(
        case=case,
        section=section,
        organisation=actor.organisation,
        text=required_text(text, "text", limit=8000),
        created_by=actor.user,
        modified_by=actor.user,
    )
    history(case, CaseEvent.Action.NOTE_ADDED, actor=actor, details={"section": section})
    audit.record(
        action="case.restricted_written",
        actor=actor,
        subject=case,
        person_id=case.person_id,
        changes={"section": section, "note": str(note.pk)},
    )
    return note
