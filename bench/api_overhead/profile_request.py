"""Where one request's time goes, in process: Python calls, SQL statements and CPU per request
for each side of the benchmark (bare view, Punte's audited read, the DRF side), through the same
WSGI handler gunicorn calls, on PostgreSQL with the production settings.

    .venv/bin/python bench/api_overhead/profile_request.py [--requests 500] [--top 40] [--side api]

Counts that do not depend on the load on the machine - Python function calls (cProfile) and SQL
statements - are the figures to compare two versions of the code by on a shared machine; the CPU
time is the minimum over batches (interference only ever adds time). `--top N` prints the
functions that cost most (cumulative), `--callgrind` runs the requests with no profiler, for
`valgrind --tool=callgrind --instr-atstart=no` instruction counts (repeatable under load; one
dump per side).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.api_overhead.run import Database, production_environment  # noqa: E402


def environ(path: str, headers: dict[str, str], port: int = 8000) -> dict:
    env = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": str(port),
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
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def _package(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0]
    if str(ROOT) in filename:
        return filename.replace(str(ROOT) + "/", "")
    return "builtins" if filename == "~" else Path(filename).name


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500, help="requests per side")
    parser.add_argument("--batches", type=int, default=10, help="timed batches (minimum taken)")
    parser.add_argument("--top", type=int, default=0, help="print the N costliest functions")
    parser.add_argument("--side", choices=("api", "bare", "drf", "all"), default="all")
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--callgrind", action="store_true", help="no profiler: for valgrind")
    parser.add_argument("--by-package", action="store_true", help="own time (profiled) per package")
    parser.add_argument("--sql", action="store_true", help="print the statements of one request")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("PUNTE_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
    )
    parser.add_argument("--settings", help="another settings module (an experiment's)")
    args = parser.parse_args(argv)

    db = Database(args.postgres, f"punte_profile_{os.getpid()}")
    env = production_environment(db.url)
    if args.settings:
        env["DJANGO_SETTINGS_MODULE"] = args.settings
    os.environ.update(env)
    try:
        db.create()
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        from bench.api_overhead.drf import issue_token
        from bench.api_overhead.run import READER
        from bench.api_overhead.seed import seed
        from punte.wsgi import application

        seeded = seed(persons=args.persons, organisations=4)
        drf_token = issue_token(username=READER)
        ids = seeded.visible_person_ids
        sides = {
            "bare": (lambda i: environ(f"/api/bench-bare/{ids[i % len(ids)]}", {})),
            "api": (
                lambda i: environ(
                    f"/api/v1/persons/{ids[i % len(ids)]}",
                    {"Authorization": f"Bearer {seeded.token}"},
                )
            ),
            "drf": (
                lambda i: environ(
                    f"/api/bench-drf/persons/{ids[i % len(ids)]}",
                    {"Authorization": f"Token {drf_token}"},
                )
            ),
        }
        chosen = list(sides) if args.side == "all" else [args.side]

        def call(make, i) -> None:
            status = []
            body = application(make(i), lambda s, h, exc_info=None: status.append(s))
            b"".join(body)
            if hasattr(body, "close"):
                body.close()
            if not status or not status[0].startswith("200"):
                raise SystemExit(f"request {i} answered {status}")

        for name in chosen:  # warm up: imports, prepared statements, caches
            for i in range(50):
                call(sides[name], i)

        if args.callgrind:
            # Run under `valgrind --tool=callgrind --instr-atstart=no`: only these requests are
            # counted (setup, migrations and seeding are not).
            for name in chosen:
                subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True)
                for i in range(args.requests):
                    call(sides[name], i)
                subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], check=True)
                subprocess.run(["callgrind_control", "-d", name, str(os.getpid())], check=True)
            return 0

        print(
            f"{'side':<8}{'calls/req':>11}{'SQL/req':>9}{'CPU ms/req (min)':>18}"
            f"{'PostgreSQL CPU (min)':>22}"
        )
        for name in chosen:
            make = sides[name]
            with CaptureQueriesContext(connection) as queries:
                for i in range(100):
                    call(make, i)
            statements = len(queries) / 100
            if args.sql:
                for query in queries.captured_queries[-int(statements) :]:
                    print(f"  {query['sql'][:160]}")
            reset_queries()
            profiler = cProfile.Profile(time.thread_time)
            profiler.enable()
            for i in range(args.requests):
                call(make, i)
            profiler.disable()
            stats = pstats.Stats(profiler)
            calls = stats.total_calls / args.requests
            best = best_postgres = float("inf")
            per_batch = max(1, args.requests // args.batches)
            for b in range(args.batches):
                backend = _backend_cpu_seconds(connection)
                t0 = time.process_time()
                for i in range(per_batch):
                    call(make, b * per_batch + i)
                best = min(best, (time.process_time() - t0) / per_batch)
                best_postgres = min(
                    best_postgres, (_backend_cpu_seconds(connection) - backend) / per_batch
                )
            print(
                f"{name:<8}{calls:>11,.0f}{statements:>9.1f}{best * 1000:>18.3f}"
                f"{best_postgres * 1000:>22.3f}"
            )
            if args.by_package:
                totals: dict[str, float] = {}
                for (filename, _line, _name), row in stats.stats.items():
                    totals[_package(filename)] = totals.get(_package(filename), 0.0) + row[2]
                for package, seconds in sorted(totals.items(), key=lambda kv: -kv[1])[:15]:
                    print(f"    {package:<40}{seconds / args.requests * 1000:8.3f} ms/req")
            if args.top:
                out = io.StringIO()
                stats.stream = out
                stats.sort_stats("cumulative").print_stats(args.top)
                print(out.getvalue())
        return 0
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001, S110 - Django may not be set up yet
            pass
        db.drop()


def _backend_cpu_seconds(connection) -> float:
    """CPU time so far of the PostgreSQL backend serving `connection` (same machine: /proc)."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    sys.exit(main())
