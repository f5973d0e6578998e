"""Background tasks of record linkage (django-tasks; a worker runs them: `manage.py db_worker`).

`link_person_task` is enqueued after the commit that created a person (identification
services). It links every person still waiting, so a burst of new records costs one run; the
tasks that follow find their person linked and return at once. `relink_changed_person_task` is
enqueued after a commit that changed what linking compares of a person: the record is detached
from its national person and linked again. Without a trained model both return at once, having
written nothing.
"""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from punte.accounts.models import Membership
from punte.core import rls
from punte.core.errors import ServiceError
from punte.linkage import services
from punte.linkage.models import LinkageState


@task()
@rls.as_system("incremental linking compares the person with every other")
def link_person_task(person_id: str) -> dict:
    return services.person_link_incremental(person_id=person_id).as_dict()


@task()
@rls.as_system("incremental linking compares the person with every other")
def relink_changed_person_task(person_id: str) -> dict:
    return services.person_relink_after_change(person_id=person_id).as_dict()


@task()
@rls.as_system("a relink compares every person (asked for by an analyst with linkage.run)")
def relink_persons_task(membership_id: str) -> dict:
    """A relink asked for from the web by an analyst holding `linkage.run`."""
    actor = Membership.objects.select_related("user", "organisation", "role").get(pk=membership_id)
    try:
        return services.persons_relink_all(actor=actor).as_dict()
    except ServiceError as exc:
        # Shown on the review queue page, where the relink was asked for.
        LinkageState.objects.filter(pk=1).update(
            last_relink_refusal={"at": timezone.now().isoformat(), "message": exc.message}
        )
        return {"refused": exc.message}
