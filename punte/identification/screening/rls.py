"""Row-level security for screenings, consent, anonymous notifications, decisions and
reflection periods (ADR 0036): a record about a person is visible where the person is, and to
the organisation that made it (its drafts, its decisions); an anonymous notification, which
names no one, to its organisation (for a role of scope "own", its user's)."""

from punte.core.rls import RowPolicy
from punte.identification.persons.rls import about_visible_person

_MADE_HERE_OR_ABOUT_VISIBLE = "{this}.organisation_id = {org} OR " + about_visible_person(
    "{this}.person_id"
)

POLICIES = [
    RowPolicy(
        "identification.Screening",
        _MADE_HERE_OR_ABOUT_VISIBLE,
        why="answers about exploitation",
    ),
    RowPolicy(
        "identification.ConsentEvent",
        _MADE_HERE_OR_ABOUT_VISIBLE,
        why="a person's decisions about referral",
    ),
    RowPolicy(
        "identification.AnonymousNotification",
        "{this}.organisation_id = {org} "
        "AND ({scope} = 'organisation' OR {this}.created_by_id = {user})",
        why="age group, citizenship group and exploitation of a presumed victim, by county",
    ),
    RowPolicy(
        "identification.IdentificationDecision",
        _MADE_HERE_OR_ABOUT_VISIBLE,
        why="whether a person is a victim, and the grounds",
    ),
    RowPolicy(
        "identification.ReflectionPeriod",
        _MADE_HERE_OR_ABOUT_VISIBLE,
        why="a foreign victim's recovery and reflection period",
    ),
    RowPolicy(
        "identification.ReflectionPeriodEvent",
        "EXISTS (SELECT 1 FROM {table[identification.ReflectionPeriod]} period "
        "WHERE period.id = {this}.period_id)",
        why="extensions and terminations, with reasons",
    ),
    RowPolicy(
        "identification.ReflectionReminder",
        "EXISTS (SELECT 1 FROM {table[identification.ReflectionPeriod]} period "
        "WHERE period.id = {this}.period_id)",
        why="reminders of a period's end",
    ),
]
