"""Row-level security for persons (ADR 0036): the boundary of person_list_visible_to().

A person is visible to a role of scope "organisation" through an active, unexpired access grant
to the acting organisation, and to a role of scope "own" when its user recorded the person for
that organisation. Every record about a person elsewhere (screenings, decisions, referrals...)
is visible where the person is, through `about_visible_person`.
"""

from punte.core.rls import RowPolicy


def about_visible_person(column: str) -> str:
    """The condition "the person this row is about is visible", for another table's policy:
    `column` names that table's person key, qualified with `{this}`. The persons' own policy
    applies inside the subquery."""
    return (
        "EXISTS (SELECT 1 FROM {table[identification.Person]} visible_person "  # noqa: S608 (model metadata and literals, no values)
        f"WHERE visible_person.id = {column})"
    )


POLICIES = [
    RowPolicy(
        "identification.Person",
        "({scope} = 'organisation' AND EXISTS ("
        "SELECT 1 FROM {table[identification.PersonAccess]} grant_row "
        "WHERE grant_row.person_id = {this}.id AND grant_row.organisation_id = {org} "
        "AND grant_row.revoked_at IS NULL "
        "AND (grant_row.expires_at IS NULL OR grant_row.expires_at > now())))"
        " OR ({scope} = 'own' AND {this}.created_by_id = {user} "
        "AND {this}.owner_organisation_id = {org})",
        why="identity, contact and circumstances of a presumed victim",
    ),
    RowPolicy(
        "identification.PersonAccess",
        "{this}.organisation_id = {org}",
        why="which organisation may open whose record reveals who is assisted where",
    ),
    RowPolicy(
        "identification.PersonCitizenship",
        about_visible_person("{this}.person_id"),
        why="citizenships of a person",
    ),
    RowPolicy(
        "identification.Person_languages",
        about_visible_person("{this}.person_id"),
        why="languages of a person",
    ),
]
