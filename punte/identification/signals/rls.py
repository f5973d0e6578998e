"""Row-level security for signals (ADR 0036): the boundary of signal_list_visible_to() and of
the worklist (the organisations that recorded the signal or must act on it; for a role of scope
"own", those its user recorded), and of the journey (signals about a person one may see)."""

from punte.core.rls import RowPolicy
from punte.identification.persons.rls import about_visible_person


def _party(row: str, org: str, user: str, scope: str) -> str:
    return (
        f"({row}.recording_organisation_id = {org} OR {row}.responsible_organisation_id = {org})"
        f" AND ({scope} = 'organisation' OR ({scope} = 'own' AND {row}.created_by_id = {user}))"
    )


# A signal's people are visible to the signal's parties. Their policy cannot read the signal
# table (the signal's policy reads theirs: PostgreSQL refuses the cycle), so it asks this
# function, which reads the one signal as the system and answers yes or no.
FUNCTIONS = [
    "CREATE OR REPLACE FUNCTION punte_rls_signal_party("  # noqa: S608 (model metadata and literals, no values)
    "signal uuid, org uuid, usr uuid, scope text) RETURNS boolean LANGUAGE sql STABLE "
    "SET punte.actor = 'system' AS $$ "
    "SELECT EXISTS (SELECT 1 FROM {table[identification.Signal]} s WHERE s.id = signal AND "
    + _party("s", "org", "usr", "scope")
    + ") $$",
]

POLICIES = [
    RowPolicy(
        "identification.Signal",
        _party("{this}", "{org}", "{user}", "{scope}")  # noqa: S608 (model metadata and literals, no values)
        + " OR EXISTS (SELECT 1 FROM {table[identification.SignalPerson]} about "
        "WHERE about.signal_id = {this}.id AND about.person_id IS NOT NULL AND "
        + about_visible_person("about.person_id")
        + ")",
        why="what was seen, where, about whom",
    ),
    RowPolicy(
        "identification.SignalPerson",
        "({this}.person_id IS NOT NULL AND "
        + about_visible_person("{this}.person_id")
        + ") OR punte_rls_signal_party({this}.signal_id, {org}, {user}, {scope})",
        why="the people a signal is about, described or linked",
    ),
    RowPolicy(
        "identification.SignalTransition",
        "EXISTS (SELECT 1 FROM {table[identification.Signal]} s WHERE s.id = {this}.signal_id)",
        why="a signal's history",
    ),
]
