"""Synthetic demonstration data: organisations, one login per role, and a few persons.

Everything here is invented. Public bodies carry their real institutional names (ANITP, DIICOT,
the county directorates) because a newcomer should recognise the system they are looking at;
NGOs, service providers and the international organisation have made-up names, and every person
is a synthetic combination of common first and family names.

Loading is idempotent: organisations are keyed by code, users by username, persons by their
creator and name, so running it again changes nothing that is already in place.
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass, field
from typing import TextIO

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from punte.accounts.models import Membership, Organisation, Role, User
from punte.accounts.models import OrganisationType as T
from punte.accounts.permissions import ROLE_DEFINITIONS
from punte.accounts.roles import seed_roles
from punte.core import audit, contract
from punte.identification.persons.models import Person
from punte.identification.persons.services import PersonInput, person_create

# One password and one authenticator secret for every demo login, printed by `make demo`.
# They are public on purpose: the demo runs only where settings.PUNTE_DEMO is True.
DEMO_PASSWORD = "punte-demo-2026!"
DEMO_TOTP_KEY = b"punte-demo-totp-key!".hex()  # 20 bytes, as django-otp makes them
DEMO_DEVICE_NAME = "Demo authenticator"
DEMO_EMAIL_DOMAIN = "demo.punte.invalid"

NATIONAL_AGENCY = "anitp"

# The national agency's 15 regional centres, by the city that seats each and its county.
REGIONAL_CENTRES = [
    ("alba-iulia", "Alba Iulia", "RO-AB"),
    ("bacau", "Bacău", "RO-BC"),
    ("brasov", "Brașov", "RO-BV"),
    ("bucuresti", "București", "RO-B"),
    ("craiova", "Craiova", "RO-DJ"),
    ("constanta", "Constanța", "RO-CT"),
    ("galati", "Galați", "RO-GL"),
    ("iasi", "Iași", "RO-IS"),
    ("cluj-napoca", "Cluj-Napoca", "RO-CJ"),
    ("oradea", "Oradea", "RO-BH"),
    ("pitesti", "Pitești", "RO-AG"),
    ("ploiesti", "Ploiești", "RO-PH"),
    ("suceava", "Suceava", "RO-SV"),
    ("timisoara", "Timișoara", "RO-TM"),
    ("targu-mures", "Târgu Mureș", "RO-MS"),
]


@dataclass(frozen=True)
class Org:
    code: str
    name: str
    type: str
    county: str | None = None
    parent: str | None = None


# code | type | county (ISO 3166-2:RO, empty for national reach) | parent | name
_ORGANISATION_TABLE = """
anitp             | national_agency        |       |                  | Agenția Națională împotriva Traficului de Persoane (ANITP)
igpr              | police                 |       |                  | Inspectoratul General al Poliției Române (IGPR)
igpr-cyber        | police                 |       | igpr             | IGPR — Serviciul de combatere a criminalității informatice
ipj-cj            | police                 | RO-CJ | igpr             | Inspectoratul de Poliție Județean Cluj
ipj-is            | police                 | RO-IS | igpr             | Inspectoratul de Poliție Județean Iași
ipj-ct            | police                 | RO-CT | igpr             | Inspectoratul de Poliție Județean Constanța
dgpmb             | police                 | RO-B  | igpr             | Direcția Generală de Poliție a Municipiului București
igpf              | border_police          |       |                  | Inspectoratul General al Poliției de Frontieră
itpf-is           | border_police          | RO-IS | igpf             | Inspectoratul Teritorial al Poliției de Frontieră Iași
igi               | immigration            |       |                  | Inspectoratul General pentru Imigrări (IGI)
igi-tm            | immigration            | RO-TM | igi              | IGI — Serviciul pentru Imigrări Timiș
inspectia-muncii  | labour_inspectorate    |       |                  | Inspecția Muncii
itm-cj            | labour_inspectorate    | RO-CJ | inspectia-muncii | Inspectoratul Teritorial de Muncă Cluj
diicot            | prosecution            |       |                  | DIICOT — Structura centrală
diicot-cj         | prosecution            | RO-CJ | diicot           | DIICOT — Serviciul Teritorial Cluj
diicot-is         | prosecution            | RO-IS | diicot           | DIICOT — Serviciul Teritorial Iași
diicot-ct         | prosecution            | RO-CT | diicot           | DIICOT — Serviciul Teritorial Constanța
diicot-dj         | prosecution            | RO-DJ | diicot           | DIICOT — Serviciul Teritorial Craiova
dgaspc-cj         | child_protection       | RO-CJ |                  | DGASPC Cluj
dgaspc-is         | child_protection       | RO-IS |                  | DGASPC Iași
dgaspc-ct         | child_protection       | RO-CT |                  | DGASPC Constanța
dgaspc-tm         | child_protection       | RO-TM |                  | DGASPC Timiș
dgaspc-b-s1       | child_protection       | RO-B  |                  | DGASPC Sector 1 București
scju-cj           | hospital               | RO-CJ |                  | Spitalul Clinic Județean de Urgență Cluj — Primiri Urgențe
scju-is           | hospital               | RO-IS |                  | Spitalul Clinic Județean de Urgență Iași — Primiri Urgențe
scju-ct           | hospital               | RO-CT |                  | Spitalul Clinic Județean de Urgență Constanța — Primiri Urgențe
suu-b             | hospital               | RO-B  |                  | Spitalul Universitar de Urgență București — Primiri Urgențe
ngo-adapost-sigur | ngo                    | RO-CJ |                  | Asociația Adăpost Sigur
ngo-pasi-noi      | ngo                    | RO-IS |                  | Fundația Pași Noi
ngo-drum-acasa    | ngo                    | RO-B  |                  | Asociația Drum Acasă
sp-echilibru      | service_provider       | RO-CJ |                  | Centrul de consiliere psihologică Echilibru
sp-lingua         | service_provider       | RO-B  |                  | Biroul de interpretariat Lingua Pontis
intl-migration    | international          |       |                  | International Migration Support Mission — Romania office
isj-cj            | education              | RO-CJ |                  | Inspectoratul Școlar Județean Cluj
fund-commission   | fund_commission        |       |                  | Comisia Fondului Național de Urgență pentru Victime
igsu              | emergency_inspectorate |       |                  | Inspectoratul General pentru Situații de Urgență (IGSU)
evaluator         | evaluator              |       |                  | Independent Strategy Evaluation Consortium
"""  # noqa: E501


def _parse_organisations() -> list[Org]:
    orgs = []
    for line in _ORGANISATION_TABLE.strip().splitlines():
        code, type_, county, parent, name = (cell.strip() for cell in line.split("|", 4))
        orgs.append(Org(code, name, T(type_), county or None, parent or None))
    # The national agency's regional centres follow their agency.
    orgs[1:1] = [
        Org(
            f"anitp-cr-{slug}",
            f"ANITP — Centrul regional {city}",
            T.REGIONAL_CENTRE,
            county,
            NATIONAL_AGENCY,
        )
        for slug, city, county in REGIONAL_CENTRES
    ]
    return orgs


ORGANISATIONS: list[Org] = _parse_organisations()


@dataclass(frozen=True)
class Login:
    username: str
    first_name: str
    last_name: str
    role: str
    organisation: str
    # Further (organisation, role) memberships, to show switching between them.
    also: tuple[tuple[str, str], ...] = ()


# username | first name | last name | role | organisation code
_LOGIN_TABLE = """
system_admin                  | Andrei   | Dumitrescu     | system_admin                | anitp
national_coordinator          | Elena    | Stoica         | national_coordinator        | anitp
regional_officer              | Mihaela  | Pop            | regional_officer            | anitp-cr-cluj-napoca
regional_officer_iasi         | Cristian | Lungu          | regional_officer            | anitp-cr-iasi
first_responder               | Radu     | Moldovan       | first_responder             | itpf-is
first_responder_itm           | Florin   | Sandu          | first_responder             | itm-cj
police_investigator           | Bogdan   | Munteanu       | police_investigator         | ipj-cj
prosecutor                    | Irina    | Constantinescu | prosecutor                  | diicot-cj
child_protection_officer      | Alina    | Rusu           | child_protection_officer    | dgaspc-cj
child_protection_officer_iasi | Oana     | Ciobanu        | child_protection_officer    | dgaspc-is
child_protection_supervisor   | Gabriela | Stan           | child_protection_supervisor | dgaspc-cj
helpline_operator             | Ioana    | Barbu          | helpline_operator           | dgaspc-is
clinician                     | Paul     | Neagu          | clinician                   | scju-cj
ngo_caseworker                | Diana    | Matei          | ngo_caseworker              | ngo-adapost-sigur
service_provider              | Sorin    | Vasilescu      | service_provider            | sp-echilibru
fund_commission_member        | Carmen   | Florea         | fund_commission_member      | fund-commission
fund_commission_member_2      | Victor   | Enache         | fund_commission_member      | fund-commission
cyber_investigator            | Lucian   | Tudor          | cyber_investigator          | igpr-cyber
alert_issuer                  | Marius   | Dobre          | alert_issuer                | igpr
alert_issuer_igsu             | Adrian   | Preda          | alert_issuer                | igsu
evaluator                     | Sofia    | Lindgren       | evaluator                   | evaluator
data_protection_officer       | Raluca   | Ene            | data_protection_officer     | anitp
auditor                       | Daniel   | Ilie           | auditor                     | anitp
"""  # noqa: E501

# A second membership for some logins, to show how a user switches organisation and role.
_SECOND_MEMBERSHIPS = {"service_provider": (("ngo-adapost-sigur", "ngo_caseworker"),)}


def _parse_logins() -> list[Login]:
    rows = [
        [cell.strip() for cell in line.split("|")] for line in _LOGIN_TABLE.strip().splitlines()
    ]
    return [Login(*row, also=_SECOND_MEMBERSHIPS.get(row[0], ())) for row in rows]


LOGINS: list[Login] = _parse_logins()


def logins() -> list[Login]:
    """The demo logins, plus one at the national agency for any role added since."""
    covered = {login.role for login in LOGINS}
    extra = [
        Login(code, "Demo", code.replace("_", " ").title(), code, NATIONAL_AGENCY)
        for code in ROLE_DEFINITIONS
        if code not in covered
    ]
    return LOGINS + extra


@dataclass(frozen=True)
class DemoPerson:
    creator: str  # username of the demo login that records the person
    given_name: str | None
    family_name: str | None
    aliases: tuple[str, ...]
    sex: str
    citizenship: str | None
    born: datetime.date | None  # a full date of birth
    age: int | None  # or an age, kept relative to today so that children stay children
    birth_year_only: bool  # "~34": only an estimated birth year is known


# creator | given name | family name | alias | sex | citizenship | born: date, age, or ~age
_PERSON_TABLE = """
regional_officer              | Maria    | Ionescu    |        | female | RO | 1998-04-12
regional_officer              | Ion      | Rusu       |        | male   | MD | 1989-09-03
regional_officer_iasi         | Mykola   | Shevchuk   |        | male   | UA | 1986-01-27
police_investigator           | Olena    | Kovalenko  |        | female | UA | 1995-11-08
police_investigator           |          |            | Sașa   | male   |    | ~34
child_protection_officer      | Andreea  | Lupu       |        | female | RO | 15
child_protection_officer      | Denis    | Moraru     |        | male   | RO | 13
child_protection_officer_iasi | Nadejda  | Ceban      |        | female | MD | 16
helpline_operator             |          |            | Robi   | male   |    | ~14
ngo_caseworker                | Natalia  | Bondarenko |        | female | UA | 2000-06-21
ngo_caseworker                | Vasile   | Ursu       |        | male   | MD | 1979-02-14
first_responder               |          |            |        | female | UA | ~22
first_responder_itm           | Gheorghe | Popa       |        | male   | RO | 1972-07-30
clinician                     |          |            | Bianca | female |    | ~17
"""


def _parse_persons() -> list[DemoPerson]:
    persons = []
    for line in _PERSON_TABLE.strip().splitlines():
        creator, given, family, alias, sex, citizenship, born = (
            cell.strip() for cell in line.split("|")
        )
        estimated = born.startswith("~")
        persons.append(
            DemoPerson(
                creator=creator,
                given_name=given or None,
                family_name=family or None,
                aliases=(alias,) if alias else (),
                sex=sex,
                citizenship=citizenship or None,
                born=datetime.date.fromisoformat(born) if "-" in born else None,
                age=int(born.lstrip("~")) if "-" not in born else None,
                birth_year_only=estimated,
            )
        )
    return persons


PERSONS: list[DemoPerson] = _parse_persons()


@dataclass
class Summary:
    organisations: int = 0
    users: int = 0
    memberships: int = 0
    devices: int = 0
    persons: int = 0
    signals: int = 0

    @property
    def created(self) -> int:
        return (
            self.organisations
            + self.users
            + self.memberships
            + self.devices
            + self.persons
            + self.signals
        )


def demo_totp_secret() -> str:
    """The authenticator secret in the base32 form that phone apps ask for."""
    return base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode().rstrip("=")


def demo_otpauth_uri() -> str:
    return f"otpauth://totp/Punte:demo?secret={demo_totp_secret()}&issuer=Punte&digits=6&period=30"


def _organisations(summary: Summary) -> None:
    for org in ORGANISATIONS:
        parent = Organisation.objects.get(code=org.parent) if org.parent else None
        _, created = Organisation.objects.update_or_create(
            code=org.code,
            defaults={
                "name": org.name,
                "type": org.type,
                "county_id": org.county,
                "parent": parent,
                "is_active": True,
                "email": f"contact@{org.code}.{DEMO_EMAIL_DOMAIN}",
            },
        )
        summary.organisations += created


def _user(login: Login, summary: Summary) -> User:
    user, created = User.objects.get_or_create(
        username=login.username,
        defaults={
            "first_name": login.first_name,
            "last_name": login.last_name,
            "email": f"{login.username}@{DEMO_EMAIL_DOMAIN}",
        },
    )
    summary.users += created
    # Re-running the demo restores the printed password, so the printed logins always work.
    if created or not user.check_password(DEMO_PASSWORD) or not user.is_active:
        validate_password(DEMO_PASSWORD, user)
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.save()
    device, created = TOTPDevice.objects.get_or_create(
        user=user, name=DEMO_DEVICE_NAME, defaults={"key": DEMO_TOTP_KEY, "confirmed": True}
    )
    summary.devices += created
    if device.key != DEMO_TOTP_KEY or not device.confirmed:
        device.key, device.confirmed = DEMO_TOTP_KEY, True
        device.save(update_fields=["key", "confirmed"])
    return user


def _memberships(summary: Summary) -> dict[str, Membership]:
    primary: dict[str, Membership] = {}
    for login in logins():
        user = _user(login, summary)
        for index, (org_code, role_code) in enumerate(
            [(login.organisation, login.role), *login.also]
        ):
            membership, created = Membership.objects.get_or_create(
                user=user,
                organisation=Organisation.objects.get(code=org_code),
                defaults={"role": Role.objects.get(code=role_code)},
            )
            summary.memberships += created
            if membership.role_id != role_code or not membership.is_active:
                membership.role_id, membership.is_active = role_code, True
                membership.save(update_fields=["role", "is_active"])
            if index == 0:
                primary[login.username] = membership
    return primary


def _birth(person: DemoPerson, today: datetime.date) -> tuple[datetime.date | None, int | None]:
    if person.born:
        return person.born, None
    if person.age is None:
        return None, None
    if person.birth_year_only:
        return None, today.year - person.age
    # A birthday three months ago keeps the stated age true all year round.
    born = today - datetime.timedelta(days=90)
    return born.replace(year=born.year - person.age, day=min(born.day, 28)), None


def _persons(memberships: dict[str, Membership], summary: Summary) -> None:
    today = timezone.localdate()
    creators = {m.user_id: name for name, m in memberships.items()}
    existing = {
        (creators.get(p.created_by_id), p.given_name, p.family_name, tuple(p.aliases or ()), p.sex)
        for p in Person.objects.filter(created_by_id__in=list(creators))
    }
    for person in PERSONS:
        key = (person.creator, person.given_name, person.family_name, person.aliases, person.sex)
        actor = memberships.get(person.creator)
        if key in existing or actor is None or not actor.has_perm("person.create"):
            continue
        born, birth_year = _birth(person, today)
        person_create(
            actor=actor,
            data=PersonInput(
                given_name=person.given_name,
                family_name=person.family_name,
                aliases=list(person.aliases) or None,
                date_of_birth=born,
                birth_year=birth_year,
                sex=person.sex,
                citizenship=person.citizenship,
                identity_unknown=not (person.given_name or person.family_name),
                notes="Synthetic demonstration record.",
            ),
        )
        summary.persons += 1


@dataclass
class DemoContext:
    """What each app's demo steps (`DEMO` in its demo.py) read and add to: the primary
    membership of every demo login by username, and the counts of what was created."""

    summary: Summary
    memberships: dict[str, Membership] = field(default_factory=dict)


def load_organisations_and_logins(context: DemoContext) -> None:
    _organisations(context.summary)
    context.memberships.update(_memberships(context.summary))


def load_persons(context: DemoContext) -> None:
    _persons(context.memberships, context.summary)


@transaction.atomic
def load() -> tuple[Summary, list[tuple[Login, Membership]]]:
    """Load or complete the demo data: every app's demo steps, in their order. Returns what was
    created and the login table."""
    seed_roles()
    context = DemoContext(Summary())
    for step in sorted(contract.collect("demo", "DEMO"), key=lambda step: step.order):
        step.load(context)
    summary, memberships = context.summary, context.memberships
    if summary.created:
        audit.record(
            action="demo.loaded",
            organisation=Organisation.objects.get(code=NATIONAL_AGENCY),
            changes={
                "organisations": summary.organisations,
                "users": summary.users,
                "memberships": summary.memberships,
                "persons": summary.persons,
                "signals": summary.signals,
            },
        )
    return summary, [(login, memberships[login.username]) for login in logins()]


def print_logins(out: TextIO, table: list[tuple[Login, Membership]]) -> None:
    width_user = max(len(login.username) for login, _ in table)
    width_role = max(len(str(m.role.name)) for _, m in table)
    out.write(f"\n{'username'.ljust(width_user)}  {'role'.ljust(width_role)}  organisation\n")
    out.write(f"{'-' * width_user}  {'-' * width_role}  {'-' * 12}\n")
    for login, membership in table:
        out.write(
            f"{login.username.ljust(width_user)}  {str(membership.role.name).ljust(width_role)}"
            f"  {membership.organisation.name}\n"
        )
