"""The worklist of a county child-protection user (first page, cursor pagination) on 1,000,000
referrals, through the real code path, side by side with the bare indexed SQL query.

    .venv/bin/python bench/worklist/run.py [--persons 300000] [--referrals 1000000]
                                           [--rounds 5] [--requests 200]

Creates a fresh PostgreSQL database, migrates it with the production settings (secrets made
here), seeds synthetic data inside PostgreSQL, then measures in one process, interleaved call by
call (rounds x requests calls per side), three sides:

  sql   the bare indexed SQL query for the page (one statement, no Django request)
  bare  that statement served by a bare Django view under /api/ (same middleware, no auth,
        no ORM, no schema, no audit)
  api   GET /api/v1/referrals/incoming with a bearer token: authentication, permission,
        the scoped selector, keyset pagination, the response schema's JSON (on PostgreSQL the
        page travels with the token's check, one round trip: ADR 0013)

and prints the latency of each (median, p95), the ratios api/sql and api/bare, and checks that
all three return the same rows in the same order and that the api's reads wrote nothing to the
audit trail (a list that names no one is not audited, ADR 0025). Drops the database on exit.

Exit status: 0 target met (api within 2x of the comparison named by --target), 1 a check
failed, 3 the target was missed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.api_overhead.run import Database, machine, production_environment  # noqa: E402

TARGET_RATIO = 2.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=300_000)
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200, help="per side and round")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument(
        "--blocks",
        action="store_true",
        help="call each side --requests times in a row, round by round (the runs until 5 Dec), "
        "instead of interleaving the sides call by call",
    )
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--profile", action="store_true", help="also profile 100 api requests (cProfile)"
    )
    parser.add_argument(
        "--through",
        choices=["wsgi", "client"],
        default="wsgi",
        help="how the Django sides are called: the WSGI handler, as the production server calls "
        "it (default), or Django's test client (what the first runs measured)",
    )
    parser.add_argument(
        "--target",
        choices=["sql", "bare"],
        default="sql",
        help="which side the 2x target compares the api with (default: the bare SQL query)",
    )
    return parser.parse_args(argv)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def call_order(sides: list[str], rounds: int, requests: int, *, blocks: bool) -> list[str]:
    """Which side to call next, rounds x requests times each. By default interleaved call by call
    (each side once per turn, the order rotating), so that whatever else the shared machine does
    at a given moment falls on every side alike. With `blocks`, as the runs until 5 Dec did:
    `requests` calls of one side after another, the order of the sides reversed every round;
    a busy spell then lands on one side's block, and a side called in a tight loop runs with
    caches warmed by itself alone."""
    if blocks:
        return [
            name
            for round_number in range(rounds)
            for name in (sides if round_number % 2 == 0 else sides[::-1])
            for _ in range(requests)
        ]
    turns = [sides[i:] + sides[:i] for i in range(len(sides))]
    return [name for turn in range(rounds * requests) for name in turns[turn % len(turns)]]


def wsgi_environ(path: str, headers: dict[str, str]) -> dict:
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def count_statements(fn) -> int:
    """Statements sent to the database by one call (execute_wrapper sees each one, pipelined or
    not; a health check, which production makes only after idle time, would go around it)."""
    from django.db import connection

    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        fn()
    return len(seen)


def main(argv=None) -> int:
    args = parse_args(argv)
    info = machine()
    db = Database(args.postgres, f"punte_bench_worklist_{os.getpid()}")
    db.create()
    try:
        return run(args, db, info)
    finally:
        from django.db import connections

        connections.close_all()
        db.drop()
        # The role row-level security restricts (api_rls): gone with its grants in the dropped
        # database, unless a test run elsewhere holds it too, which then keeps it.
        with contextlib.suppress(Exception):
            db._admin("DROP ROLE IF EXISTS punte_rls_subject")


def run(args, db: Database, info: dict[str, str]) -> int:
    env = production_environment(db.url)
    env["DJANGO_SETTINGS_MODULE"] = "bench.worklist.settings"
    env["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ.update(env)
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.worklist.seed import seed
    from bench.worklist.views import bare_rows
    from punte.accounts.services.tokens import apitoken_create
    from punte.core.models import AuditEvent
    from punte.referrals.rules import load_default_rules
    from punte.testing.rls import SUBJECT_ROLE, prepare_subject_role

    print(f"database {db.name}: migrating...", flush=True)
    call_command("migrate", verbosity=0)
    load_default_rules()
    print("seeding...", flush=True)
    started = time.perf_counter()
    membership = seed(persons_count=args.persons, referrals_count=args.referrals)
    print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    token = apitoken_create(actor=None, membership=membership, name="bench").secret
    organisation_id = membership.organisation_id
    client = Client()
    headers = {"Authorization": f"Bearer {token}"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM referrals_referral WHERE receiver_organisation_id = %s "
            "AND status IN ('sent', 'accepted')",
            [organisation_id],
        )
        (open_incoming,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM referrals_referral")
        (total,) = cursor.fetchone()
        from bench.worklist.views import BARE_SQL

        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + BARE_SQL, [organisation_id, 51])
        plan = "\n".join("    " + row[0] for row in cursor.fetchall())

    handler = WSGIHandler()

    def get(path: str, headers: dict[str, str]) -> bytes:
        # What a production server does with a request: the WSGI handler, the body read in full.
        if args.through == "client":
            response = client.get(path, headers=headers)
            assert response.status_code == 200, response.content[:300]
            return response.content
        status: list[str] = []
        body = handler(wsgi_environ(path, headers), lambda s, h, exc_info=None: status.append(s))
        content = b"".join(body)
        body.close()
        assert status and status[0].startswith("200"), (status, content[:300])
        return content

    bare_path = f"/api/bench-bare-worklist/{organisation_id}"

    # The timed calls do only what a caller needs for an answer; the rows are compared once,
    # outside the timing, from the same calls.
    def side_sql():
        return bare_rows(organisation_id)

    def side_bare():
        return get(bare_path, {})

    def side_api():
        return get("/api/v1/referrals/incoming", headers)

    def side_api_client():
        response = client.get("/api/v1/referrals/incoming", headers=headers)
        assert response.status_code == 200, response.content[:300]
        return response.content

    # The same call with the connection switched, outside the timing, to a role that row-level
    # security restricts (the others connect as the superuser, which it never restricts).
    sides = {"sql": side_sql, "bare": side_bare, "api": side_api, "api_rls": side_api}
    with connection.cursor() as cursor:
        prepare_subject_role(cursor)

    def as_subject(name: str) -> None:
        if name == "api_rls":
            with connection.cursor() as cursor:
                cursor.execute(f"SET ROLE {SUBJECT_ROLE}")

    def as_superuser(name: str) -> None:
        if name == "api_rls":
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")

    if args.through == "wsgi":
        # For comparison with the runs before the WSGI handler was measured directly.
        sides["api_tc"] = side_api_client
    api_body = json.loads(side_api())
    as_subject("api_rls")
    rls_body = json.loads(side_api())
    as_superuser("api_rls")
    answers = {
        "sql": [str(row[0]) for row in side_sql()[:50]],
        "bare": [item["id"] for item in json.loads(side_bare())["items"]],
        "api": [item["id"] for item in api_body["items"]],
        "api_rls": [item["id"] for item in rls_body["items"]],
    }
    same = answers["sql"] == answers["bare"] == answers["api"] == answers["api_rls"]
    same = same and len(answers["api"]) == min(50, open_incoming)
    same = same and bool(api_body["next_cursor"]) == (open_incoming > 50)
    statements = {name: count_statements(fn) for name, fn in sides.items()}
    for _ in range(args.warmup):
        for name, fn in sides.items():
            as_subject(name)
            fn()
            as_superuser(name)
    audit_before = AuditEvent.objects.count()
    timings: dict[str, list[float]] = {name: [] for name in sides}
    # CPU time of this process (Python, psycopg, the kernel on its behalf): the rest of a call's
    # wall time is waiting, for PostgreSQL's answers and for a turn on the shared cores.
    cpu: dict[str, list[float]] = {name: [] for name in sides}
    for name in call_order(list(sides), args.rounds, args.requests, blocks=args.blocks):
        fn = sides[name]
        as_subject(name)
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        timings[name].append((time.perf_counter() - t0) * 1000)
        cpu[name].append((time.process_time() - c0) * 1000)
        as_superuser(name)
    audited = AuditEvent.objects.count() - audit_before
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(100):
            side_api()
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)

    print()
    print("bench/worklist: the incoming referrals of a county child-protection directorate")
    print(f"  data: {total:,} referrals, {args.persons:,} persons, 200 organisations; ")
    print(f"        {open_incoming:,} open referrals to DGASPC Cluj; first page = 50 rows")
    print(
        f"  machine: {info['cpu']}, {info['nproc']} cores (shared with other work), "
        f"load average {info['load_average']}, Python {info['python']}"
    )
    print(f"  date: {info['date']}")
    print(
        f"  {args.rounds * args.requests} requests per side, "
        + (
            f"in blocks of {args.requests} per side, the order reversed every round"
            if args.blocks
            else "interleaved call by call in rotating order"
        )
        + ", one process, sequential"
    )
    print()
    print(f"  {'side':<7}{'median ms':>11}{'p95 ms':>10}{'mean ms':>10}{'cpu ms (mean)':>15}")
    medians = {}
    for name, values in timings.items():
        medians[name] = statistics.median(values)
        print(
            f"  {name:<7}{medians[name]:>11.3f}{percentile(values, 0.95):>10.3f}"
            f"{statistics.fmean(values):>10.3f}{statistics.fmean(cpu[name]):>15.3f}"
        )
    ratio_sql = medians["api"] / medians["sql"]
    ratio_bare = medians["api"] / medians["bare"]
    print()
    print(
        "  statements sent per call: "
        + ", ".join(f"{name} {count}" for name, count in statements.items())
        + " (api: the token and the page with its JSON written by PostgreSQL, sent together in"
        " one round trip; no connection health check on a connection used in the last 5 s,"
        " ADR 0026)"
    )
    print(f"  Django sides called through: {args.through}")
    print(f"  ratio api / sql  (median): {ratio_sql:.2f}")
    print(f"  ratio api / bare (median): {ratio_bare:.2f}")
    print(
        "  ratio api with / without row-level security (median): "
        f"{medians['api_rls'] / medians['api']:.2f}"
    )
    print(f"  target: api within {TARGET_RATIO:.0f}x of {args.target}")
    print()
    print("  plan of the bare query:")
    print(plan)
    print()
    failures = []
    if not same:
        failures.append("the three sides did not return the same 50 rows in the same order")
    if audited:
        failures.append(f"the api's reads wrote {audited} audit events; a worklist writes none")
    for failure in failures:
        print(f"  CHECK FAILED: {failure}")
    if not failures:
        print("  checks: the same rows in the same order on every side; no audit event written")
    if failures:
        return 1
    ratio = ratio_sql if args.target == "sql" else ratio_bare
    if ratio > TARGET_RATIO:
        print(f"  TARGET MISSED: {ratio:.2f} > {TARGET_RATIO:.1f}")
        return 3
    print(f"  target met: {ratio:.2f} <= {TARGET_RATIO:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
