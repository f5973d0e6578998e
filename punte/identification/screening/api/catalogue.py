"""The indicator catalogue, as the API publishes it."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from punte.identification.screening.catalogue.store import CatalogueNotLoaded, catalogue_from_db
from punte.identification.screening.catalogue.vocabulary import LIST_POPULATION, IndicatorList
from punte.identification.screening.models import (
    IndicatorCatalogue,
)

# Operation ids are published in the OpenAPI document: they keep the module they were first
# published from (punte.core.api_support.PunteAPI).
OPERATION_ID_PREFIX = "punte_identification_api_mechanism"

router = Router()


class IndicatorOut(Schema):
    code: str
    list: str
    dimension: str
    grade: str
    text_en: str
    text_ro: str
    maps_to: list[str]


class CatalogueListOut(Schema):
    list: str
    population: str
    text_en: str
    text_ro: str


class CatalogueOut(Schema):
    version: str
    title: str
    lists: list[CatalogueListOut]
    indicators: list[IndicatorOut]


@router.get(
    "/indicator-catalogues/{version}",
    response=CatalogueOut,
    summary="An indicator catalogue version ('latest' for the newest)",
)
def get_catalogue(request: HttpRequest, version: str):
    """The codes a screening's answers use, their lists, dimensions, grades and texts."""
    if not request.membership.has_perm("screening.view"):
        raise Http404
    row = (
        IndicatorCatalogue.objects.order_by("-published_at", "-id").first()
        if version == "latest"
        else IndicatorCatalogue.objects.filter(version=version).first()
    )
    if row is None:
        raise Http404
    try:
        loaded = catalogue_from_db(row.version)
    except CatalogueNotLoaded as exc:
        raise Http404 from exc
    return {
        "version": row.version,
        "title": row.title,
        "lists": [
            {
                "list": item["list"],
                "population": LIST_POPULATION[IndicatorList(item["list"])].value,
                "text_en": item["text_en"],
                "text_ro": item["text_ro"],
            }
            for item in row.lists
        ],
        "indicators": [
            {
                "code": i.code,
                "list": i.list,
                "dimension": i.dimension,
                "grade": i.grade,
                "text_en": i.text_en,
                "text_ro": i.text_ro,
                "maps_to": list(i.maps_to),
            }
            for i in loaded.indicators.values()
        ],
    }
