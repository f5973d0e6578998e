"""The permission matrix: every role × every endpoint × a record of one's own or another
organisation, with the status each combination must answer.

An app plugs its endpoints in by listing `Endpoint`s in `punte/<app>/tests/endpoints.py` as
`ENDPOINTS`. The expected status is derived from the Role table (the same data the server
checks), not repeated by hand, so a change of a role's permissions changes the expectation:

- the role lacks the permission: object endpoints answer 404 (existence must not leak), list
  endpoints answer an empty list, create endpoints 403;
- the record belongs to another organisation: 404 unless the role's scope is "all";
- a role of scope "own" sees only what its user recorded, so a colleague's record is 404 too;
- an UNSCOPED endpoint (e.g. the access log of any person, for the data protection officer)
  answers by permission alone: the role's scope and the record's organisation do not matter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from punte.accounts.permissions import Scope
from punte.core import contract

OBJECT = "object"  # GET/POST on one record: 200/404
LIST = "list"  # GET a collection: 200, the record present or absent
CREATE = "create"  # POST a new record: 201/403
UNSCOPED = "unscoped"  # GET about one record, national by nature: 200 with the permission, else 404


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    kind: str
    permission: str
    # path(record) -> URL path under /api/v1; the record is made by `make_record`.
    path: Callable[[Any], str]
    # make_record(owner_membership) -> the record the endpoint is tried on.
    make_record: Callable[[Any], Any] | None = None
    body: Callable[[Any], Any] | None = None
    success_status: int = 200
    record_id: Callable[[Any], str] = field(default=lambda record: str(record.pk))


def all_endpoints() -> list[Endpoint]:
    return contract.collect("tests.endpoints", "ENDPOINTS")


def expected_status(
    *,
    endpoint: Endpoint,
    permissions: frozenset[str],
    scope: str,
    same_organisation: bool,
    own_record: bool,
) -> int | str:
    allowed = endpoint.permission in permissions
    if endpoint.kind == CREATE:
        return endpoint.success_status if allowed else 403
    if endpoint.kind == UNSCOPED:
        return endpoint.success_status if allowed else 404
    visible = allowed and (
        scope == Scope.ALL
        or (scope == Scope.ORGANISATION and same_organisation)
        or (scope == Scope.OWN and same_organisation and own_record)
    )
    if endpoint.kind == LIST:
        return "listed" if visible else "not listed"
    return endpoint.success_status if visible else 404
