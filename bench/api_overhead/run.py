"""API overhead: an authenticated, scoped, audited read of an encrypted person record, side by side
with a bare Django view that fetches one row by primary key and with the same read built on Django
REST framework and django-auditlog, all three served by one gunicorn on PostgreSQL.

    .venv/bin/python bench/api_overhead/run.py [--duration 10] [--rounds 3] [--connections 16]

Creates a fresh database, migrates it with the production settings (secrets generated here),
seeds synthetic data, starts gunicorn, checks that Punte's and the DRF side's answers are equal,
warms up, then rotates the three sides round by round so that drift on the machine touches each.
Prints requests/s, latency percentiles, errors, CPU use and the ratios; drops the database and
stops gunicorn on exit, Ctrl-C included.

Exit status: 0 targets met; 1 a request failed, the two audited sides answered differently or the
audit check failed; 2 bad arguments or the `bench` dependencies missing; 3 a target was missed.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.api_overhead.loadgen import Result, build_requests, run_load  # noqa: E402

READER = "bench-reader"  # seed.py's reader: Punte's token and the DRF side's belong to it
SAME_ANSWER_CHECKS = 20  # persons read through both audited sides and compared before the load

# Issue 10: the audited read must not fall below 0.38 of the bare view (0.40 as measured when
# the first target, 0.60 with a p99 under 100 ms, was closed), and must be at least as fast as
# the same read on DRF and django-auditlog.
TARGET_RATIO = 0.38
TARGET_VS_DRF = 1.0
SIDES = {
    "bare": "bare view (1 row by pk)",
    "api": "audited read (GET /api/v1/persons/<id>)",
    "rls": "audited read, row-level security (ADR 31)",
    "drf": "DRF + django-auditlog (same read)",
}
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- environment


def production_environment(database_url: str) -> dict[str, str]:
    """Every variable punte.settings.production requires, with secrets made for this run only."""
    from punte.settings.keys import new_key

    return {
        "DJANGO_SETTINGS_MODULE": "bench.api_overhead.settings",
        "DJANGO_SECRET_KEY": new_key() + new_key(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUNTE_ENCRYPTION_KEYS": f"bench1:{new_key()}",
        "PUNTE_ENCRYPTION_PRIMARY_KEY_ID": "bench1",
        "PUNTE_BLIND_INDEX_KEY": new_key(),
        "DATABASE_URL": database_url,
        "PUNTE_WEBAUTHN_RP_ID": "localhost",
        "PUNTE_EMAIL_HOST": "localhost",
        "PUNTE_DEFAULT_FROM_EMAIL": "benchmark@localhost",
        # Plain HTTP on the loopback: no proxy in front terminating TLS.
        "PUNTE_SECURE_SSL_REDIRECT": "false",
        "PUNTE_BEHIND_TLS_PROXY": "false",
        # Production keeps connections 60 s; longer here so that no PostgreSQL backend is
        # replaced inside a window, which would hide its CPU from the per-request figures.
        # (Reconnecting once a minute per thread costs both sides alike, and next to nothing.)
        "PUNTE_DB_CONN_MAX_AGE": "3600",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }


def machine() -> dict[str, str]:
    def run(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "?"

    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": run("date"),
        "nproc": run("nproc"),
        "memory": run("free", "-h"),
        "cpu": model,
        "python": platform.python_version(),
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


# --------------------------------------------------------------------------- database


class Database:
    def __init__(self, server_url: str, name: str):
        self.server_url = server_url.rstrip("/")
        self.name = name
        self.url = f"{self.server_url}/{name}"
        self.created = False

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.server_url}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> None:
        self._admin(f'CREATE DATABASE "{self.name}"')
        self.created = True

    def drop(self) -> None:
        if self.created:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.created = False
        self._admin(f'DROP ROLE IF EXISTS "{self.rls_role}"')

    @property
    def rls_role(self) -> str:
        return f"{self.name}_rls"

    def rls_url(self) -> str:
        """A login role as production's (no superuser, no BYPASSRLS), with the application's
        privileges on this database: row-level security restricts it. The other sides connect
        as the superuser, which it never restricts."""
        import psycopg

        role = self.rls_role
        self._admin(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS')
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
            conn.execute(
                f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"'
            )
            conn.execute(
                f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO "{role}"'
            )
        scheme, _, rest = self.url.partition("://")
        return f"{scheme}://{role}@{rest.partition('@')[2]}"


# --------------------------------------------------------------------------- server


class Server:
    def __init__(self, env: dict[str, str], workers: int, threads: int, extra: list[str]):
        self.env = env
        self.workers = workers
        self.threads = threads
        self.extra = extra
        self.proc: subprocess.Popen | None = None
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]

    @property
    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "punte.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(self.threads),
            "--keep-alive",
            "5",
            "--log-level",
            "warning",
            "--chdir",
            str(ROOT),
            *self.extra,
        ]

    def start(self) -> None:
        # Its own session: Ctrl-C reaches only this script, which then stops gunicorn cleanly.
        self.proc = subprocess.Popen(
            self.command, env={**os.environ, **self.env}, cwd=ROOT, start_new_session=True
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.proc.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def process_ids(self) -> list[int]:
        if self.proc is None:
            return []
        return [self.proc.pid, *_descendants(self.proc.pid)]


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat:
                children.setdefault(int(stat[1]), []).append(int(entry))
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the command name, which is in parentheses and may hold spaces.
    return raw[raw.rindex(")") + 2 :].split()


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        stat = _stat(pid)
        if stat:
            total += int(stat[11]) + int(stat[12])  # utime, stime
    return total / CLK_TCK


def system_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    total = sum(fields[:8])
    idle = fields[3] + fields[4]
    return (total - idle) / CLK_TCK, total / CLK_TCK


# --------------------------------------------------------------------------- measurement


@dataclass
class SideRun:
    result: Result
    server_cpu: float
    db_cpu: float
    machine_busy: float


@dataclass
class Side:
    runs: list[SideRun] = field(default_factory=list)

    @property
    def merged(self) -> Result:
        out = Result()
        for run in self.runs:
            out.merge(run.result)
        out.elapsed = sum(r.result.elapsed for r in self.runs)
        return out

    def summary(self) -> dict[str, float]:
        merged = self.merged
        lat = sorted(merged.latencies)
        seconds = merged.elapsed
        n = merged.ok
        per_req = 1000 / n if n else math.nan
        return {
            "requests": n,
            "errors": merged.error_count,
            "rps": n / seconds if seconds else 0.0,
            "p50_ms": percentile(lat, 0.50) * 1000,
            "p95_ms": percentile(lat, 0.95) * 1000,
            "p99_ms": percentile(lat, 0.99) * 1000,
            "max_ms": (lat[-1] if lat else math.nan) * 1000,
            "server_cpu_ms_per_req": sum(r.server_cpu for r in self.runs) * per_req,
            "db_cpu_ms_per_req": sum(r.db_cpu for r in self.runs) * per_req,
            "client_cpu_ms_per_req": merged.cpu * per_req,
            "client_cpu_pct_of_machine": 100 * merged.cpu / (seconds * (os.cpu_count() or 1)),
            "machine_busy_pct": 100
            * sum(r.machine_busy for r in self.runs)
            / (seconds * (os.cpu_count() or 1)),
            "other_load_pct": 100
            * sum(r.machine_busy - r.server_cpu - r.db_cpu - r.result.cpu for r in self.runs)
            / (seconds * (os.cpu_count() or 1)),
            "drained": merged.drained_ok,
        }


def percentile(sorted_values, q: float) -> float:
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def database_backends(db_name: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving `db_name`, found by process title
    ("postgres: 15/main: <user> <database> <host>(<port>) <state>"), without a query."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            title = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, UnicodeDecodeError):
            continue
        if title.startswith("postgres:") and f" {db_name} " in title:
            found[int(entry)] = cpu_seconds([int(entry)])
    return found


def measure(server: Server, db: Database, requests: list[bytes], args, seed: int) -> SideRun:
    """One side for one window; CPU is sampled when the window opens and when it closes."""
    from django.db import connection

    connection.close()  # the runner's own backend must not count
    server_pids = server.process_ids()

    def probe() -> tuple[float, float, dict[int, float]]:
        return system_cpu()[0], cpu_seconds(server_pids), database_backends(db.name)

    result, (busy0, s0, d0), (busy1, s1, d1) = run_load(
        ("127.0.0.1", server.port),
        requests,
        connections=args.connections,
        duration=args.duration,
        processes=args.client_processes,
        seed=seed,
        probe=probe,
    )
    # A backend that appeared during the window counts from its start. One that ended during it
    # would be lost: the runner sets PUNTE_DB_CONN_MAX_AGE above the run's length.
    db_cpu = sum(cpu - d0.get(pid, 0.0) for pid, cpu in d1.items())
    return SideRun(result, s1 - s0, db_cpu, busy1 - busy0)


def fmt(value: float, digits: int = 1) -> str:
    return (
        "-"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else (f"{value:,.{digits}f}")
    )


def report(sides: dict[str, Side], args, info: dict[str, str], server: Server) -> dict:
    print()
    print(
        f"machine: {info['cpu']}, {info['nproc']} cores; {info['date']}; load average before "
        f"the run {info['load_average']}, after {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print("\n".join(f"  {line}" for line in info["memory"].splitlines()))
    print(
        f"server: gunicorn gthread, {server.workers} workers x {server.threads} threads; "
        f"load: {args.connections} keep-alive connections from {args.client_processes} client "
        f"processes; {args.rounds} rounds x {args.duration:g} s per side, interleaved"
    )
    print()
    print("per round (requests/s):")
    for i in range(args.rounds):
        rps = {
            name: side.runs[i].result.ok / side.runs[i].result.elapsed
            for name, side in sides.items()
        }
        print(
            f"  round {i + 1}: bare {rps['bare']:8.1f}   audited {rps['api']:8.1f}   "
            f"with RLS {rps['rls']:8.1f}   DRF {rps['drf']:8.1f}   "
            f"audited/bare {rps['api'] / max(rps['bare'], 1e-9):.3f}   "
            f"audited/DRF {rps['api'] / max(rps['drf'], 1e-9):.3f}   "
            f"RLS/audited {rps['rls'] / max(rps['api'], 1e-9):.3f}"
        )
    summaries = {name: side.summary() for name, side in sides.items()}
    print()
    header = (
        f"{'side':<42}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'errors':>8}{'requests':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, s in summaries.items():
        print(
            f"{SIDES[name]:<42}{fmt(s['rps']):>9}{fmt(s['p50_ms']):>9}{fmt(s['p95_ms']):>9}"
            f"{fmt(s['p99_ms']):>9}{fmt(s['max_ms']):>9}{s['errors']:>8}{s['requests']:>10}"
        )
    print()
    print(
        f"{'CPU per request (ms)':<42}{'gunicorn':>9}{'postgres':>9}{'client':>9}"
        f"{'client %':>9}{'busy %':>9}{'other %':>9}"
    )
    for name, s in summaries.items():
        print(
            f"{SIDES[name]:<42}{fmt(s['server_cpu_ms_per_req'], 2):>9}"
            f"{fmt(s['db_cpu_ms_per_req'], 2):>9}{fmt(s['client_cpu_ms_per_req'], 2):>9}"
            f"{fmt(s['client_cpu_pct_of_machine']):>9}{fmt(s['machine_busy_pct']):>9}"
            f"{fmt(s['other_load_pct']):>9}"
        )
    print(
        "  (%: share of all cores during the window; postgres: this database's backends only;"
        " other: busy minus gunicorn, postgres and client, i.e. anything else on the machine)"
    )

    def rps_ratio(side: str, other: str) -> float:
        theirs = summaries[other]["rps"]
        return summaries[side]["rps"] / theirs if theirs else 0.0

    def cost(s: dict[str, float]) -> float:
        return s["server_cpu_ms_per_req"] + s["db_cpu_ms_per_req"] + s["client_cpu_ms_per_req"]

    ratio, vs_drf = rps_ratio("api", "bare"), rps_ratio("api", "drf")
    with_rls = rps_ratio("rls", "api")
    ratio_ok, vs_drf_ok = ratio >= TARGET_RATIO, vs_drf >= TARGET_VS_DRF
    cpu_ratio = cost(summaries["bare"]) / cost(summaries["api"])
    cpu_vs_drf = cost(summaries["drf"]) / cost(summaries["api"])
    print()
    print(
        f"ratio audited/bare requests/s: {ratio:.3f}   target >= {TARGET_RATIO:.2f}: "
        f"{'met' if ratio_ok else 'MISSED'}"
    )
    print(
        f"ratio audited/DRF requests/s:  {vs_drf:.3f}   target >= {TARGET_VS_DRF:.2f}: "
        f"{'met' if vs_drf_ok else 'MISSED'}"
    )
    print(
        f"ratio with/without row-level security requests/s: {with_rls:.3f}   "
        f"(CPU per request without/with: {cost(summaries['api']) / cost(summaries['rls']):.3f})"
    )
    print(
        "p99 ms: "
        + ", ".join(f"{name} {summaries[name]['p99_ms']:.1f}" for name in SIDES)
        + f"   (closed loop: mean latency = {args.connections} connections / throughput)"
    )
    print(
        f"CPU per request (gunicorn + postgres + client), bare/audited: {cpu_ratio:.3f}, "
        f"DRF/audited: {cpu_vs_drf:.3f}   (the ratios throughput tends to when the cores are "
        "shared by nothing else)"
    )
    return {
        "machine": info,
        "ratio": ratio,
        "ratio_vs_drf": vs_drf,
        "ratio_with_rls": with_rls,
        "cpu_ratio": cpu_ratio,
        "cpu_ratio_vs_drf": cpu_vs_drf,
        "ratio_met": ratio_ok,
        "ratio_vs_drf_met": vs_drf_ok,
        "sides": summaries,
        "args": vars(args),
        "server": {"workers": server.workers, "threads": server.threads},
    }


def check_audit(successes: dict[str, int]) -> list[str]:
    """Every successful read must have left exactly one access entry: on Punte's side an intact,
    chained `person.viewed` event, on the DRF side an auditlog ACCESS entry naming the reader."""
    from auditlog.models import LogEntry

    from punte.core import audit
    from punte.core.models import AuditEvent

    problems = []
    viewed = AuditEvent.objects.filter(action="person.viewed").count()
    reads = successes["api"] + successes["rls"]
    if viewed != reads:
        problems.append(f"{reads} successful reads but {viewed} person.viewed events")
    problems += [str(b) for b in audit.verify()]
    accesses = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
    if accesses.count() != successes["drf"]:
        problems.append(f"{successes['drf']} DRF reads but {accesses.count()} auditlog accesses")
    if accesses.exclude(actor__username=READER).exists():
        problems.append("auditlog access entries without the reader as actor")
    return problems


def check_same_answer(port: int, requests: dict[str, list[bytes]]) -> list[str]:
    """Punte's and the DRF side's answers for the same persons, compared as parsed JSON. The two
    write the creation time differently (Punte in UTC to the millisecond, as Django's JSON encoder
    does; DRF in local time to the microsecond): compared as instants, to the millisecond."""

    def fetch(raw: bytes) -> dict:
        method, path, *_ = raw.split(b" ", 2)
        headers = dict(
            line.split(": ", 1) for line in raw.decode().split("\r\n")[1:] if ": " in line
        )
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request(method.decode(), path.decode(), headers=headers)
            response = conn.getresponse()
            body = json.loads(response.read())
            if response.status != 200:
                raise RuntimeError(f"{path.decode()} answered {response.status}: {body}")
        finally:
            conn.close()
        created = datetime.datetime.fromisoformat(body["created_at"])
        body["created_at"] = created.replace(microsecond=created.microsecond // 1000 * 1000)
        return body

    problems = []
    for api, drf in list(zip(requests["api"], requests["drf"], strict=True))[:SAME_ANSWER_CHECKS]:
        ours, theirs = fetch(api), fetch(drf)
        if ours != theirs:
            differ = sorted(k for k in ours.keys() | theirs.keys() if ours.get(k) != theirs.get(k))
            problems.append(f"{api.split()[1].decode()}: fields differ: {', '.join(differ)}")
    return problems


# --------------------------------------------------------------------------- main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per side per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--organisations", type=int, default=20)
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds per side, not counted")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument(
        "--gunicorn-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra gunicorn argument, e.g. --gunicorn-arg=--config=FILE (applies to both sides)",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("PUNTE_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        help="server URL without database name (default: %(default)s)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    for name in (
        "duration",
        "rounds",
        "connections",
        "persons",
        "organisations",
        "workers",
        "threads",
        "client_processes",
    ):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        import auditlog  # noqa: F401
        import rest_framework  # noqa: F401
    except ImportError:
        print(
            "the DRF side needs the benchmark's own dependencies: .venv/bin/pip install -e "
            "'.[bench]'",
            file=sys.stderr,
        )
        return 2
    info = machine()
    db = Database(args.postgres, f"punte_bench_{os.getpid()}")
    env = production_environment(db.url)
    os.environ.update(env)
    server = Server(env, args.workers, args.threads, args.gunicorn_arg)
    rls_server: Server | None = None

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        print(f"creating database {db.name} and migrating with production settings ...", flush=True)
        db.create()
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        from django.db import connection

        from bench.api_overhead.drf import issue_token
        from bench.api_overhead.seed import seed

        t0 = time.time()
        seeded = seed(persons=args.persons, organisations=args.organisations)
        drf_token = issue_token(username=READER)
        connection.close()
        print(
            f"seeded {seeded.persons:,} persons in {seeded.organisations} organisations "
            f"({time.time() - t0:.0f} s); the reader sees {len(seeded.visible_person_ids):,}",
            flush=True,
        )

        host = "127.0.0.1"
        requests = {
            "bare": build_requests(
                host, [f"/api/bench-bare/{pid}" for pid in seeded.visible_person_ids], {}
            ),
            "api": build_requests(
                host,
                [f"/api/v1/persons/{pid}" for pid in seeded.visible_person_ids],
                {"Authorization": f"Bearer {seeded.token}"},
            ),
            "drf": build_requests(
                host,
                [f"/api/bench-drf/persons/{pid}" for pid in seeded.visible_person_ids],
                {"Authorization": f"Token {drf_token}"},
            ),
        }
        # The same read, served by a second gunicorn whose role row-level security restricts.
        requests["rls"] = requests["api"]
        rls_server = Server(
            {**env, "DATABASE_URL": db.rls_url()}, args.workers, args.threads, args.gunicorn_arg
        )
        servers = {"rls": rls_server}
        server.start()
        rls_server.start()
        print(f"gunicorn up on 127.0.0.1:{server.port}: {' '.join(server.command[1:])}", flush=True)
        print(f"and, as a role subject to row-level security, on 127.0.0.1:{rls_server.port}")
        differences = check_same_answer(server.port, requests)
        if differences:
            print("DIFFERENT ANSWERS: " + "; ".join(differences))
            return 1
        # The comparison's reads were audited too.
        compared = min(SAME_ANSWER_CHECKS, len(seeded.visible_person_ids))
        successes = {"bare": 0, "api": compared, "rls": 0, "drf": compared}

        sides = {name: Side() for name in SIDES}
        if args.warmup:
            for name in SIDES:
                warm_args = argparse.Namespace(**{**vars(args), "duration": args.warmup})
                run = measure(servers.get(name, server), db, requests[name], warm_args, seed=99)
                successes[name] += run.result.ok + run.result.drained_ok
                if run.result.error_count:
                    print(f"warm-up errors on {name}: {run.result.errors}")
        names = list(SIDES)
        for i in range(args.rounds):
            # Each side goes first, second and last in turn.
            order = names[i % len(names) :] + names[: i % len(names)]
            for name in order:
                run = measure(servers.get(name, server), db, requests[name], args, seed=i)
                sides[name].runs.append(run)
                successes[name] += run.result.ok + run.result.drained_ok
                r = run.result
                print(
                    f"round {i + 1} {name:>4}: {r.ok / r.elapsed:8.1f} req/s, "
                    f"errors {r.error_count}",
                    flush=True,
                )

        results = report(sides, args, info, server)
        server.stop()
        rls_server.stop()
        problems = check_audit(successes)
        connection.close()
        errors = {name: side.merged.errors for name, side in sides.items()}
        failed = any(errors.values())
        if failed:
            print(f"FAILED requests: {errors}")
        if problems:
            print("AUDIT CHECK FAILED: " + "; ".join(problems))
        else:
            print(
                f"audit check: {successes['api']:,} reads, as many person.viewed events, every "
                f"chain verifies; {successes['drf']:,} DRF reads, as many auditlog access entries "
                "naming the reader"
            )
        if args.json:
            results["audit_problems"] = problems
            args.json.write_text(json.dumps(results, indent=2, default=str))
        if failed or problems:
            return 1
        return 0 if results["ratio_met"] and results["ratio_vs_drf_met"] else 3
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        server.stop()
        if rls_server is not None:
            rls_server.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001, S110 - Django may not be set up yet
            pass
        db.drop()
        print(f"dropped {db.name}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
