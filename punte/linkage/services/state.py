"""The linkage lock, the stored models and the merging of national persons: the writes that
the analysts' decisions (decisions.py) and the linking runs (runs.py) build on.

The engine's model module (Splink, pandas) is imported inside functions: the web process and
the tests that never link should not pay for it.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING

from django.db import transaction

from punte.accounts.models import Membership
from punte.core import audit
from punte.core.errors import ServiceError
from punte.linkage.models import LinkageModel, LinkageState, NationalPerson, PersonLink

if TYPE_CHECKING:  # pragma: no cover
    from punte.linkage.engine.model import TrainedModel

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


# --------------------------------------------------------------------------- the model


def trained_model_of(stored: LinkageModel) -> TrainedModel:
    """The stored model, its parameters only (a row may hold a file imported before model
    files were checked: its SQL is never used, see model.verified_settings)."""
    from punte.linkage.engine.model import PLAIN, TrainedModel, verified_settings

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
    from punte.linkage.engine.model import PLAIN, ModelMismatchError

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
        actor=actor,
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
    from punte.linkage.engine.model import PLAIN, ModelMismatchError, TrainedModel

    try:
        trained = TrainedModel.load(path, PLAIN)
    except ModelMismatchError as exc:
        raise ServiceError("model", str(exc)) from exc
    return linkagemodel_store(trained=trained, actor=actor)


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
        actor=actor,
        subject_type="linkage.nationalperson",
        subject_id=target_id,
        changes={"merged": source_id, "into": target_id, "records_moved": moved},
    )
