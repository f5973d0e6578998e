"""The review queue in the permission matrix. It is national (a pair joins records of any two
organisations), so every endpoint answers by `linkage.review` alone: 200 with it, 404 without,
whatever the caller's scope and the records' organisation (UNSCOPED)."""

from punte.linkage.tests.db_factories import make_linked_record, make_review_pair
from punte.testing.permission_matrix import UNSCOPED, Endpoint

ENDPOINTS = [
    Endpoint(
        name="linkage.review_pairs.list",
        method="GET",
        kind=UNSCOPED,
        permission="linkage.review",
        path=lambda pair: "/linkage/review-pairs",
        make_record=lambda owner: make_review_pair(owner),
    ),
    Endpoint(
        name="linkage.review_pairs.get",
        method="GET",
        kind=UNSCOPED,
        permission="linkage.review",
        path=lambda pair: f"/linkage/review-pairs/{pair.pk}",
        make_record=lambda owner: make_review_pair(owner),
    ),
    Endpoint(
        name="linkage.review_pairs.decide",
        method="POST",
        kind=UNSCOPED,
        permission="linkage.review",
        path=lambda pair: f"/linkage/review-pairs/{pair.pk}/decision",
        make_record=lambda owner: make_review_pair(owner),
        body=lambda pair: {"decision": "reject", "reason": "Different mothers' names."},
    ),
    Endpoint(
        name="linkage.person_links.separate",
        method="POST",
        kind=UNSCOPED,
        permission="linkage.review",
        path=lambda person: f"/linkage/person-links/{person.pk}/separate",
        make_record=lambda owner: make_linked_record(owner),
        body=lambda person: {"reason": "Another person of the same name."},
    ),
]
