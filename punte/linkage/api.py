"""The review queue of record linkage over the API. National: every endpoint needs
`linkage.review` and answers 404 without it, whatever the caller's organisation."""

from __future__ import annotations

import datetime
import uuid
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from punte.core.api_support import CursorPage, StrictSchema
from punte.linkage import selectors, services
from punte.linkage.models import ReviewStatus

router = Router(tags=["linkage"])


class LevelOut(Schema):
    comparison: str
    level: str
    bayes_factor: float | None = None


class ReviewPairSummary(Schema):
    id: uuid.UUID
    person_a_id: uuid.UUID
    person_b_id: uuid.UUID
    match_probability: float
    reason: str
    status: str
    model_version: str
    proposed_at: datetime.datetime
    decided_at: datetime.datetime | None


class LinkedRecordOut(Schema):
    """One record of a pair, as the analyst compares it. Reading it is audited."""

    id: uuid.UUID
    owner_organisation_id: uuid.UUID
    owner_organisation_name: str
    created_at: datetime.datetime
    given_name: str | None
    family_name: str | None
    aliases: list[str] | None
    date_of_birth: datetime.date | None
    birth_year: int | None
    sex: str
    citizenship: str | None = Field(None, alias="citizenship_id")
    national_person_id: uuid.UUID | None = None

    @staticmethod
    def resolve_owner_organisation_name(person) -> str:
        return person.owner_organisation.name


class ReviewPairOut(ReviewPairSummary):
    comparison: list[LevelOut]
    person_a: LinkedRecordOut
    person_b: LinkedRecordOut


class PairDecisionIn(StrictSchema):
    decision: Literal["accept", "reject"] = Field(
        description="accept: the two records are one person; reject: two persons."
    )
    reason: str = Field(min_length=1, max_length=2000)


class PairDecisionOut(ReviewPairSummary):
    national_person_a: uuid.UUID | None
    national_person_b: uuid.UUID | None


class SeparateIn(StrictSchema):
    reason: str = Field(min_length=1, max_length=2000)


class SeparationOut(Schema):
    person_id: uuid.UUID
    national_person_id: uuid.UUID
    previous_national_person_id: uuid.UUID
    kept_apart_from: int


@router.get(
    "/linkage/review-pairs",
    response=CursorPage[ReviewPairSummary],
    summary="Pairs of records waiting for an analyst",
)
def list_review_pairs(
    request: HttpRequest,
    status: ReviewStatus = ReviewStatus.PENDING,
    cursor: str | None = None,
    limit: int = 50,
):
    """Most probable first. No names: open a pair to compare the records (that is audited)."""
    pairs = selectors.reviewpair_list_visible_to(actor=request.membership, status=status)
    rows, next_cursor = selectors.paginate_by_probability(pairs, cursor=cursor, limit=limit)
    return {"items": rows, "next_cursor": next_cursor}


@router.get(
    "/linkage/review-pairs/{pair_id}",
    response=ReviewPairOut,
    summary="Open a pair: both records side by side",
)
def get_review_pair(request: HttpRequest, pair_id: str):
    """Both records' identifying data and the comparison levels that drove the score. Each
    record's opening is written to its access log ("person.viewed", purpose linkage_review)."""
    found = selectors.reviewpair_get_for_review(actor=request.membership, pair_id=pair_id)
    pair = found.pair
    pair.person_a = found.person_a
    pair.person_b = found.person_b
    found.person_a.national_person_id = found.national_a
    found.person_b.national_person_id = found.national_b
    return pair


@router.post(
    "/linkage/review-pairs/{pair_id}/decision",
    response=PairDecisionOut,
    summary="Accept or reject a pair",
)
def decide_review_pair(request: HttpRequest, pair_id: str, payload: PairDecisionIn):
    """accept joins the two records' national persons at once; reject keeps them apart in every
    later run. A pair is decided once: a second decision is refused with 409."""
    pair = selectors.reviewpair_get(actor=request.membership, pair_id=pair_id)
    pair = services.reviewpair_decide(
        actor=request.membership, pair=pair, decision=payload.decision, reason=payload.reason
    )
    links = selectors.national_persons_of([pair.person_a_id, pair.person_b_id])
    pair.national_person_a = links.get(pair.person_a_id)
    pair.national_person_b = links.get(pair.person_b_id)
    return pair


@router.post(
    "/linkage/person-links/{person_id}/separate",
    response=SeparationOut,
    summary="Separate a record from its national person",
)
def separate_person_link(request: HttpRequest, person_id: str, payload: SeparateIn):
    """Undo a link: the record gets a national person of its own and is kept apart from the
    records it leaves in every later run. 409 if it is not linked to any other record."""
    link = selectors.personlink_get(actor=request.membership, person_id=person_id)
    return services.personlink_separate(
        actor=request.membership, person=link.person_id, reason=payload.reason
    )
