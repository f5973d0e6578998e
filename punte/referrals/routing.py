"""Which referrals a person must have (the rules in force) and to whom: proposals, explained.

Nothing here writes. The route page and the API show the proposals; `services.referrals_send`
checks the same rules again when the referrals are sent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from punte.accounts.models import Organisation
from punte.core.models import County
from punte.identification.persons.models import Person
from punte.referrals.models import (
    OPEN_STATUSES,
    Referral,
    RoutingCondition,
    RoutingRule,
    RoutingRuleSet,
    ServiceOffering,
)


def rule_applies(rule: RoutingRule, *, person: Person, on: datetime.date) -> bool:
    if rule.when == RoutingCondition.CHILD:
        return person.is_treated_as_child(on)
    if rule.when == RoutingCondition.FOREIGN_NATIONAL:
        return person.is_foreign_national
    return rule.when == RoutingCondition.PRESUMED_VICTIM


def target_candidates(*, target_type: str, county: County) -> list[Organisation]:
    """Active organisations of the type for the county: those in the county; failing that,
    those offering a service there (an office covering several counties); failing that, those
    with national reach (no county)."""
    active = Organisation.objects.filter(type=target_type, is_active=True)
    in_county = list(active.filter(county=county))
    if in_county:
        return in_county
    offering = ServiceOffering.objects.filter(
        organisation=OuterRef("pk"), county=county, archived_at__isnull=True
    )
    covering = list(active.filter(Exists(offering)))
    if covering:
        return covering
    return list(active.filter(county__isnull=True))


@dataclass
class Proposal:
    rule: RoutingRule
    deadlines: dict[str, int]
    candidates: list[Organisation] = field(default_factory=list)
    # The sender is itself the body the rule asks for: nothing to send.
    satisfied_by_sender: bool = False
    # An open referral by this rule already exists for the person.
    already_open: Referral | None = None

    @property
    def unresolved(self) -> bool:
        return not (self.candidates or self.satisfied_by_sender or self.already_open)

    @property
    def to_send(self) -> bool:
        return bool(self.candidates) and not (self.satisfied_by_sender or self.already_open)

    @property
    def problem(self) -> str:
        if not self.unresolved:
            return ""
        return _(
            "No active organisation of type “%(type)s” is registered for this county. This "
            "referral is mandatory: the national agency is told when you send the others; ask "
            "its administrator to register the organisation."
        ) % {"type": self.rule.target_label}


@dataclass
class Routing:
    ruleset: RoutingRuleSet
    county: County
    is_child: bool
    is_foreign_national: bool
    proposals: list[Proposal]

    @property
    def unresolved(self) -> list[Proposal]:
        return [p for p in self.proposals if p.unresolved]


def route(
    *,
    person: Person,
    county: County,
    sender: Organisation,
    ruleset: RoutingRuleSet,
    on: datetime.date,
) -> Routing:
    is_child = person.is_treated_as_child(on)
    open_by_rule = {
        referral.rule.code: referral
        for referral in Referral.objects.filter(
            person=person, status__in=OPEN_STATUSES, rule__isnull=False
        ).select_related("rule", "receiver_organisation")
    }
    proposals = []
    for rule in ruleset.rules.order_by("position"):
        if not rule_applies(rule, person=person, on=on):
            continue
        proposal = Proposal(rule=rule, deadlines=rule.deadlines["child" if is_child else "adult"])
        proposal.already_open = open_by_rule.get(rule.code)
        if sender.type == rule.target_type and (
            sender.county_id == county.code or sender.county_id is None
        ):
            proposal.satisfied_by_sender = True
        else:
            proposal.candidates = [
                org
                for org in target_candidates(target_type=rule.target_type, county=county)
                if org.pk != sender.pk
            ]
        proposals.append(proposal)
    return Routing(
        ruleset=ruleset,
        county=county,
        is_child=is_child,
        is_foreign_national=person.is_foreign_national,
        proposals=proposals,
    )


def service_offerings_for(*, county: County, exclude: Organisation | None = None):
    """The registry's active offerings in a county, by active organisations."""
    offerings = ServiceOffering.objects.filter(
        county=county, archived_at__isnull=True, organisation__is_active=True
    ).select_related("organisation")
    if exclude is not None:
        offerings = offerings.filter(~Q(organisation=exclude))
    return offerings.order_by("service", "organisation__name")
