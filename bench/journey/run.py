"""The composed worklist (punte/journey, ADR 0025) on bench/worklist's synthetic data, side by
side with the referrals app's own incoming list and the bare indexed SQL query.

    bench/journey/run [--persons 300000] [--referrals 1000000] [--rounds 3] [--requests 60]

Creates a fresh PostgreSQL database, migrates it with the production settings, seeds it with
bench/worklist's seed (inside PostgreSQL), then measures in one process, round by round and
alternating the order, four sides for the same DGASPC child-protection officer:

  sql               the bare indexed SQL query of the first page (bench/worklist's)
  referrals_api     GET /api/v1/referrals/incoming (the referrals app's hand-written SQL page)
  worklist_section  GET /api/v1/worklist/referrals.incoming (the composed section: its
                    selector as a queryset, keyset page, count, items)
  worklist_all      GET /api/v1/worklist (every section of the role: counts and first items)

It checks that the first three return the same rows in the same order, prints median and p95
latencies and the ratios to `sql`, and drops the database on exit. Nothing is asserted about
time: it reports.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.api_overhead.run import Database, machine, production_environment  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=300_000)
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=60, help="per side and round")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    db = Database(args.postgres, f"punte_bench_journey_{os.getpid()}")
    db.create()
    try:
        return run(args, db)
    finally:
        from django.db import connections

        connections.close_all()
        db.drop()


def run(args, db: Database) -> int:
    env = production_environment(db.url)
    env["DJANGO_SETTINGS_MODULE"] = "bench.worklist.settings"
    env["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from bench.worklist.seed import seed
    from bench.worklist.views import bare_rows
    from punte.accounts.services.tokens import apitoken_create
    from punte.referrals.rules import load_default_rules

    print(f"database {db.name}: migrating and seeding...", flush=True)
    call_command("migrate", verbosity=0)
    load_default_rules()
    started = time.perf_counter()
    membership = seed(persons_count=args.persons, referrals_count=args.referrals)
    print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    token = apitoken_create(actor=None, membership=membership, name="bench").secret
    client = Client()
    headers = {"Authorization": f"Bearer {token}"}
    organisation_id = membership.organisation_id

    def get(path: str) -> dict:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.content[:300]
        return response.json()

    sides = {
        "sql": lambda: [str(row[0]) for row in bare_rows(organisation_id)[:50]],
        "referrals_api": lambda: [i["id"] for i in get("/api/v1/referrals/incoming")["items"]],
        "worklist_section": lambda: [
            i["id"] for i in get("/api/v1/worklist/referrals.incoming")["items"]
        ],
        "worklist_all": lambda: get("/api/v1/worklist"),
    }
    first = {name: fn() for name, fn in sides.items()}
    same = first["sql"] == first["referrals_api"] == first["worklist_section"]
    counts = [(s["key"], s["count"]) for s in first["worklist_all"]["sections"]]
    for fn in sides.values():
        for _ in range(10):
            fn()
    timings: dict[str, list[float]] = {name: [] for name in sides}
    for round_number in range(args.rounds):
        order = list(sides) if round_number % 2 == 0 else list(reversed(sides))
        for name in order:
            for _ in range(args.requests):
                t0 = time.perf_counter()
                sides[name]()
                timings[name].append((time.perf_counter() - t0) * 1000)
    info = machine()
    print()
    print("bench/journey: the composed worklist of a county child-protection officer")
    print(f"  data: {args.referrals:,} referrals, {args.persons:,} persons; sections {counts}")
    print(f"  machine: {info['cpu']}, {info['nproc']} cores, load {info['load_average']}")
    print(f"  date: {info['date']}; {args.rounds} rounds x {args.requests} requests per side")
    print(f"  same rows on the three first pages: {same}")
    print(f"  {'side':<18}{'median ms':>11}{'p95 ms':>10}{'/ sql':>8}")
    sql_median = statistics.median(timings["sql"])
    for name, values in timings.items():
        values.sort()
        median = statistics.median(values)
        p95 = values[int(0.95 * (len(values) - 1))]
        print(f"  {name:<18}{median:>11.2f}{p95:>10.2f}{median / sql_median:>8.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
