"""The catalogue in the database: load a checked file once, read a version back for the engine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction

from punte.core import audit
from punte.identification.screening.assessment import IndicatorDef
from punte.identification.screening.catalogue.schema import (
    CatalogueData,
    CatalogueError,
    read_catalogue,
)
from punte.identification.screening.models import Indicator, IndicatorCatalogue


class CatalogueVersionChanged(CatalogueError):
    """The version exists with other content: versions are immutable."""


class CatalogueNotLoaded(LookupError):
    pass


@dataclass(frozen=True)
class LoadResult:
    version: str
    created: bool
    indicators: int
    checksum: str


@dataclass(frozen=True)
class LoadedCatalogue:
    """What the engine needs: `assess(c.rule, c.indicators, answers, is_child=...)`."""

    version: str
    rule: dict[str, Any]
    indicators: dict[str, IndicatorDef]


def load_catalogue_file(path: Path | str) -> LoadResult:
    return load_catalogue(read_catalogue(path))


def load_catalogue(data: CatalogueData) -> LoadResult:
    """Create the version if it is new; do nothing if it is loaded with the same content.

    Raises CatalogueVersionChanged when the version exists with different content. Two loaders
    racing on a new version: the unique version makes one of them fail, and it then reports
    the version as it finds it.
    """
    try:
        return _load(data)
    except IntegrityError:
        return _load(data)


@transaction.atomic
def _load(data: CatalogueData) -> LoadResult:
    existing = IndicatorCatalogue.objects.filter(version=data.version).first()
    if existing is not None:
        if existing.checksum != data.checksum:
            raise CatalogueVersionChanged(
                data.version,
                f"already loaded with different content (checksum {existing.checksum[:12]} in "
                f"the database, {data.checksum[:12]} in the file). Versions are immutable: give "
                "the changed catalogue a new version id.",
            )
        return LoadResult(data.version, False, existing.indicators.count(), data.checksum)

    catalogue = IndicatorCatalogue.objects.create(
        version=data.version,
        title=data.title,
        title_ro=data.title_ro,
        published_at=data.published_at,
        sources=data.sources,
        lists=data.lists,
        rule=data.rule,
        checksum=data.checksum,
    )
    Indicator.objects.bulk_create(
        Indicator(
            catalogue=catalogue,
            code=ind.code,
            list=ind.list,
            dimension=ind.dimension,
            grade=ind.grade,
            concept=ind.concept,
            position=position,
            text_en=ind.text_en,
            text_ro=ind.text_ro,
            maps_to=list(ind.maps_to),
        )
        for position, ind in enumerate(data.indicators.values(), start=1)
    )
    audit.record(
        action="indicator_catalogue.loaded",
        subject=catalogue,
        changes={
            "version": data.version,
            "checksum": data.checksum,
            "indicators": len(data.indicators),
        },
    )
    return LoadResult(data.version, True, len(data.indicators), data.checksum)


def latest_version() -> str:
    catalogue = IndicatorCatalogue.objects.order_by("-published_at", "-id").first()
    if catalogue is None:
        raise CatalogueNotLoaded(
            "No indicator catalogue is loaded (manage.py load_indicator_catalogue)."
        )
    return catalogue.version


def catalogue_from_db(version: str) -> LoadedCatalogue:
    """Read one version for the engine: one query for the rule, one for the indicators."""
    catalogue = IndicatorCatalogue.objects.filter(version=version).first()
    if catalogue is None:
        raise CatalogueNotLoaded(f"Indicator catalogue {version} is not loaded.")
    indicators = {
        row.code: IndicatorDef(
            catalogue_version=version,
            code=row.code,
            list=row.list,
            dimension=row.dimension,
            grade=row.grade,
            concept=row.concept,
            text_en=row.text_en,
            text_ro=row.text_ro,
            maps_to=tuple(row.maps_to or ()),
        )
        for row in catalogue.indicators.order_by("position")
    }
    return LoadedCatalogue(version=version, rule=catalogue.rule, indicators=indicators)
