"""Synthetic data for the worklist benchmark, made inside PostgreSQL (generate_series), fast.

200 organisations (one child-protection directorate, prosecutor's office and police unit per
county, 15 regional centres, NGOs, hospitals...), 300,000 persons and 1,000,000 referrals
between random organisations over two years, in every state (about 8% sent, 8% accepted, the
rest closed), a third of them by routing rules. Encrypted fields hold a few values encrypted
once with this run's keys and reused (the cost of decrypting is the same; making a million
ciphertexts is not what is measured). Referral events are not generated: the worklist does not
read them.

Columns are derived from the models, so fields added later by other apps get their defaults.
"""

from __future__ import annotations

import random

from django.db import connection
from django.utils import timezone

from punte.accounts.models import Membership, Organisation, OrganisationType, Role, User
from punte.core.models import County
from punte.identification.persons.models import Person
from punte.referrals.models import Referral, RoutingRule, ServiceType
from punte.referrals.rules import current_ruleset, load_default_rules

NAMES = ["Ana", "Ioana", "Olena", "Mihai", "Andrii", "Elena", "Vasile", "Maria"]
NOTES = [
    "Found at the bus station, speaks Ukrainian only.",
    "Needs a safe place tonight; the employer kept her documents.",
    "Asked for a female interpreter.",
]


def literal(value) -> str:
    """A value as an SQL literal (psycopg quotes it), for statements sent without parameters."""
    from psycopg import sql

    connection.ensure_connection()
    return sql.Literal(value).as_string(connection.connection)


def insert_select(model, explicit: dict[str, str], source: str) -> str:
    """INSERT INTO <table> (<every column>) SELECT <expressions> <source>: the SQL given for
    some fields, NULL or the model's default (as a literal) for the others."""
    columns, expressions = [], []
    for field in model._meta.concrete_fields:
        columns.append(connection.ops.quote_name(field.column))
        if field.name in explicit:
            expressions.append(explicit[field.name])
        elif field.null:
            expressions.append("NULL")
        else:
            value = field.get_default()
            if value is None:
                raise ValueError(f"{model.__name__}.{field.name} needs a value")
            expressions.append(literal(field.get_db_prep_save(value, connection)))
    table = connection.ops.quote_name(model._meta.db_table)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(expressions)} {source}"


def _array(values, cast: str) -> str:
    return f"(ARRAY[{', '.join(literal(v) for v in values)}]::{cast}[])"


def organisations() -> tuple[list[Organisation], Organisation]:
    counties = list(County.objects.order_by("code"))
    made = []
    for county in counties:
        for kind in (
            OrganisationType.CHILD_PROTECTION,
            OrganisationType.PROSECUTION,
            OrganisationType.POLICE,
        ):
            made.append(
                Organisation(
                    code=f"{kind}-{county.code}".lower(),
                    name=f"{OrganisationType(kind).label} {county.name}",
                    type=kind,
                    county=county,
                )
            )
    others = [
        (OrganisationType.REGIONAL_CENTRE, 15),
        (OrganisationType.IMMIGRATION, 10),
        (OrganisationType.HOSPITAL, 25),
    ]
    rng = random.Random(7)
    for kind, count in others:
        for i in range(count):
            county = rng.choice(counties)
            made.append(
                Organisation(
                    code=f"{kind}-{i}",
                    name=f"{OrganisationType(kind).label} {i}",
                    type=kind,
                    county=county,
                )
            )
    i = 0
    while len(made) < 200:
        made.append(
            Organisation(
                code=f"ngo-{i}",
                name=f"NGO {i}",
                type=OrganisationType.NGO,
                county=rng.choice(counties),
            )
        )
        i += 1
    Organisation.objects.bulk_create(made)
    target = next(o for o in made if o.code == "child_protection-ro-cj")
    return made, target


def persons(orgs: list[Organisation], count: int) -> None:
    given = Person._meta.get_field("given_name")
    family = Person._meta.get_field("family_name")
    given_values = _array([given.get_prep_value(n) for n in NAMES], "text")
    family_values = _array([family.get_prep_value(n + "escu") for n in NAMES], "text")
    owners = _array([str(o.pk) for o in orgs], "uuid")
    explicit = {
        "id": "gen_random_uuid()",
        "created_at": "now() - (g % 730) * interval '1 day'",
        "modified_at": "now()",
        "owner_organisation": f"{owners}[1 + g % {len(orgs)}]",
        "given_name": f"{given_values}[1 + g % {len(NAMES)}]",
        "family_name": f"{family_values}[1 + (g / 7) % {len(NAMES)}]",
        "birth_year": "1960 + g % 60",
        "sex": "(ARRAY['female','male','female','unknown'])[1 + g % 4]",
    }
    sql = insert_select(Person, explicit, f"FROM generate_series(1, {int(count)}) g")
    with connection.cursor() as cursor:
        cursor.execute(sql)


def referrals(orgs: list[Organisation], count: int) -> None:
    ruleset = current_ruleset() or (load_default_rules() and current_ruleset())
    rules = list(RoutingRule.objects.filter(ruleset=ruleset).order_by("position"))
    note = Referral._meta.get_field("note")
    notes = _array([note.get_prep_value(n) for n in NOTES], "text")
    services = [s for s in ServiceType.values]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_orgs, bench_persons")
        cursor.execute("CREATE TEMP TABLE bench_orgs (n int PRIMARY KEY, id uuid, county text)")
        cursor.execute(
            "INSERT INTO bench_orgs SELECT row_number() OVER (ORDER BY id), id, county_id "
            "FROM accounts_organisation"
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_persons AS SELECT row_number() OVER () AS n, id "
            "FROM identification_person"
        )
        cursor.execute("ALTER TABLE bench_persons ADD PRIMARY KEY (n)")
        cursor.execute("SELECT count(*) FROM bench_persons")
        (persons_count,) = cursor.fetchone()
        cursor.execute("SELECT setseed(0.42)")
    open_due = (
        "CASE WHEN x.st < 0.08 THEN x.created + CASE WHEN x.child THEN interval '24 hours' "
        "ELSE interval '72 hours' END "
        "WHEN x.st < 0.16 THEN x.created + interval '2 days' + interval '30 days' END"
    )
    explicit = {
        "id": "gen_random_uuid()",
        "created_at": "x.created",
        "modified_at": "x.created",
        "person": "p.id",
        "sender_organisation": "s.id",
        "receiver_organisation": "v.id",
        "county": "coalesce(v.county, 'RO-B')",
        "ruleset": str(int(ruleset.pk)),
        "rule": f"CASE WHEN x.by_rule THEN (ARRAY[{', '.join(str(r.pk) for r in rules)}])"
        f"[1 + x.g % {len(rules)}] END",
        "service": "CASE WHEN x.by_rule THEN '' ELSE "
        f"(ARRAY[{', '.join(repr(s) for s in services)}])[1 + x.g % {len(services)}] END",
        "status": "CASE WHEN x.st < 0.08 THEN 'sent' WHEN x.st < 0.16 THEN 'accepted' "
        "WHEN x.st < 0.76 THEN 'completed' WHEN x.st < 0.92 THEN 'rejected' "
        "ELSE 'withdrawn' END",
        "is_child": "x.child",
        "consent_state": "CASE WHEN x.child THEN 'child' ELSE 'consented' END",
        "note": f"{notes}[1 + x.g % {len(NOTES)}]",
        "due_at": open_due,
    }
    source = (
        "FROM (SELECT g, random() AS st, random() < 0.3 AS child, random() < 0.33 AS by_rule, "
        "now() - random() * interval '730 days' AS created, "
        f"1 + floor(random() * {int(persons_count)})::int AS pn, "
        "1 + floor(random() * 200)::int AS rn, "
        f"1 + floor(random() * 200)::int AS sn FROM generate_series(1, {int(count)}) g) x "
        "JOIN bench_persons p ON p.n = x.pn "
        "JOIN bench_orgs v ON v.n = x.rn "
        "JOIN bench_orgs s ON s.n = CASE WHEN x.sn = x.rn THEN x.sn % 200 + 1 ELSE x.sn END"
    )
    # Random draws repeat a (person, receiver, service) now and then; the database holds one open
    # referral per such triple (referral_open_unique_by_service): the repeat is left out.
    sql = insert_select(Referral, explicit, source) + " ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(sql)


def worklist_user(target: Organisation) -> Membership:
    user = User.objects.create(username="bench-dgaspc-cj", email="bench@localhost")
    return Membership.objects.create(
        user=user, organisation=target, role=Role.objects.get(code="child_protection_officer")
    )


def seed(*, persons_count: int, referrals_count: int, log=print) -> Membership:
    started = timezone.now()
    orgs, target = organisations()
    log(f"  {len(orgs)} organisations")
    persons(orgs, persons_count)
    log(f"  {persons_count:,} persons ({(timezone.now() - started).total_seconds():.0f} s)")
    referrals(orgs, referrals_count)
    log(f"  {referrals_count:,} referrals ({(timezone.now() - started).total_seconds():.0f} s)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return worklist_user(target)
