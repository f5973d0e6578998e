"""Linkage's answers to persons' hooks (punte.identification.persons.hooks), connected in apps.py:
a recorded person is linked to its national person, and a person whose compared fields changed
is detached and linked again, each by a background task."""

from punte.linkage import tasks
from punte.linkage.persons import COMPARED_FIELDS


def link_recorded_person(sender, *, person_id: str, **kwargs) -> None:
    tasks.link_person_task.enqueue(person_id=person_id)


def relink_changed_person(sender, *, person_id: str, fields: frozenset[str], **kwargs) -> None:
    if fields & COMPARED_FIELDS:
        tasks.relink_changed_person_task.enqueue(person_id=person_id)
