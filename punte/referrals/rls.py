"""Row-level security for referrals (ADR 0036): the boundary of referral_list_visible_to() (the
sending organisation, for a role of scope "own" its user's referrals; the receiving
organisation) and of the journey (referrals about a person one may see)."""

from punte.core.rls import RowPolicy
from punte.identification.persons.rls import about_visible_person

POLICIES = [
    RowPolicy(
        "referrals.Referral",
        "({this}.sender_organisation_id = {org} "
        "AND ({scope} = 'organisation' OR {this}.created_by_id = {user}))"
        " OR {this}.receiver_organisation_id = {org} OR "
        + about_visible_person("{this}.person_id"),
        why="who is referred where, with a note about the person",
    ),
    RowPolicy(
        "referrals.ReferralEvent",
        "EXISTS (SELECT 1 FROM {table[referrals.Referral]} referral "
        "WHERE referral.id = {this}.referral_id)",
        why="a referral's history, with reasons",
    ),
]
