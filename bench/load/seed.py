"""Synthetic staff and records for bench/load, in every one of the 42 counties. No real data.

Per county: the national agency's regional office (public reports from the county go to it),
the county's child-protection directorate (DGASPC) and its police inspectorate; in each, `staff`
members (regional officers, child protection officers, police investigators). Every member has
a password, a confirmed TOTP authenticator (the load generator signs in with the second factor,
as staff do) and an API token. Each regional office holds `persons` persons (a third of them
children) and has sent referrals of children to its county's DGASPC, which the DGASPC's members
accept under load.

Run in a process with the production settings (bench/load/run.py does):
    python bench/load/seed.py --out staff.json [--staff 2] [--persons 120] [--referrals 12]
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from bench.api_overhead.seed import _person  # noqa: E402
from punte.accounts.models import Membership, Organisation, OrganisationType, Role, User  # noqa: E402
from punte.accounts.services.tokens import apitoken_create  # noqa: E402
from punte.core.models import County  # noqa: E402
from punte.identification.persons.models import (  # noqa: E402
    Person,
    PersonAccess,
    PersonAccessReason,
    PersonCitizenship,
)
from punte.referrals import services as referral_services  # noqa: E402
from punte.referrals.models import ServiceOffering  # noqa: E402
from punte.referrals.rules import current_ruleset, load_default_rules  # noqa: E402

# (organisation type, code prefix, role of its staff, what they do under load)
OFFICES = [
    (OrganisationType.REGIONAL_CENTRE, "cr", "regional_officer"),
    (OrganisationType.CHILD_PROTECTION, "dgaspc", "child_protection_officer"),
    (OrganisationType.POLICE, "ipj", "police_investigator"),
]


def _child_birth(rng: random.Random) -> datetime.date:
    today = datetime.date.today()
    return today - datetime.timedelta(days=rng.randrange(6 * 365, 16 * 365))


def seed(*, staff: int, persons: int, referrals: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    password = secrets.token_urlsafe(18)
    hashed = make_password(password)
    unusable = make_password(None)
    # As a deployment does after migrate: the routing rules and the indicator catalogue.
    if current_ruleset() is None:
        load_default_rules()
    call_command("load_indicator_catalogue", verbosity=0)
    roles = {code: Role.objects.get(code=code) for _t, _p, code in OFFICES}
    counties = list(County.objects.order_by("code"))
    out: dict = {"password": password, "staff": [], "counties": len(counties)}
    with transaction.atomic():
        creator = User.objects.create(username="load-seed", password=unusable)
        # The regional offices belong to the national agency: public reports go to them.
        agency = Organisation.objects.create(
            code="load-anitp", name="Load national agency", type=OrganisationType.NATIONAL_AGENCY
        )
        for county in counties:
            slug = county.code.lower()
            offices = {}
            for type_, prefix, role in OFFICES:
                org = Organisation.objects.create(
                    code=f"load-{prefix}-{slug}",
                    name=f"Load {prefix.upper()} {county.name}",
                    type=type_,
                    county=county,
                    parent=agency if type_ == OrganisationType.REGIONAL_CENTRE else None,
                )
                offices[prefix] = org
                for n in range(staff):
                    user = User.objects.create(
                        username=f"load-{prefix}-{slug}-{n}", password=hashed
                    )
                    key = secrets.token_hex(20)
                    TOTPDevice.objects.create(user=user, name="load", key=key, confirmed=True)
                    membership = Membership.objects.create(
                        user=user, organisation=org, role=roles[role]
                    )
                    token = apitoken_create(actor=None, membership=membership, name="bench/load")
                    out["staff"].append(
                        {
                            "username": user.username,
                            "totp_key": key,
                            "token": token.secret,
                            "kind": prefix,
                            "county": county.code,
                            "membership": str(membership.pk),
                            "persons": [],
                            "referrals": [],
                        }
                    )
            ServiceOffering.objects.create(
                organisation=offices["dgaspc"], service="shelter", county=county
            )
            people = []
            for i in range(persons):
                person = _person(rng, offices["cr"], creator)
                if i % 3 == 0:
                    person.date_of_birth = _child_birth(rng)
                    person.birth_year = person.date_of_birth.year
                    person.citizenship_id = "RO"
                people.append(person)
            Person.objects.bulk_create(people)
            PersonAccess.objects.bulk_create(
                PersonAccess(person=p, organisation=offices["cr"], reason=PersonAccessReason.OWNER)
                for p in people
            )
            PersonCitizenship.objects.bulk_create(
                PersonCitizenship(person=p, country_id=p.citizenship_id, position=0) for p in people
            )
            mine = [s for s in out["staff"] if s["county"] == county.code]
            officers = [s for s in mine if s["kind"] == "cr"]
            for i, person in enumerate(people):
                officers[i % len(officers)]["persons"].append(str(person.pk))
            sender = Membership.objects.get(pk=officers[0]["membership"])
            children = [p for i, p in enumerate(people) if i % 3 == 0][:referrals]
            receivers = [s for s in mine if s["kind"] == "dgaspc"]
            for i, child in enumerate(children):
                result = referral_services.referrals_send(
                    actor=sender,
                    person=child,
                    county_code=county.code,
                    requests=[
                        referral_services.ReferralRequest(
                            receiver_organisation_id=offices["dgaspc"].pk, service="shelter"
                        )
                    ],
                    report_unresolved=False,
                )
                receivers[i % len(receivers)]["referrals"].append(str(result.referrals[0].pk))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--staff", type=int, default=2, help="members per office (3 offices)")
    parser.add_argument("--persons", type=int, default=120, help="persons per county")
    parser.add_argument("--referrals", type=int, default=12, help="referrals per county")
    args = parser.parse_args()
    data = seed(staff=args.staff, persons=args.persons, referrals=args.referrals)
    Path(args.out).write_text(json.dumps(data))
    print(f"seeded {len(data['staff'])} staff in {data['counties']} counties", file=sys.stderr)


if __name__ == "__main__":
    main()
