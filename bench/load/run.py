"""bench/load: the country's busiest hour replayed against gunicorn and PostgreSQL.

    bench/load/run [--start-users 10] [--step-users 10] [--step-seconds 30] [--think 2] ...

Creates a fresh database, migrates it with the production settings (secrets made for the run),
seeds staff of all 42 counties (bench/load/seed.py), starts gunicorn (production settings,
prometheus-client's multiprocess mode as documented), signs every simulated member in (API
token, or password and TOTP code for pages), then raises the number of concurrent users step by
step, each step measured on its own after its users have signed in, until the 99th percentile
passes 500 ms, a request fails, or --max-users is reached. Then, in the same run and under the
same gunicorn, the mix and the bare view (`/healthz`: no session, no database) each sent back to
back by as many users; then /metrics (read with its monitoring token: the audit appends the
server counted) and `verify_audit` (every audit chain verifies). Drops the database and stops
gunicorn on exit.

The mix (what a simulated user does, by weight; docs/PERFORMANCE.md "Load" says why):
  staff on the API (9 of 20 users): worklist 30, person record 25, incoming referrals 10,
    short screening started and answered 3 (regional officers), referral accepted 2 (child
    protection), signal from the police's own system 3 (others read their worklist instead)
  staff in the browser (10 of 20): home worklist 6, person page 4, referrals inbox 2
  members of the public (1 of 20): the anonymous report form, read then sent after 4-8 s
Each staff user waits --think seconds on average (uniform 0.5-1.5x) between actions.

Exit status: 0 the run completed with a passing step and the audit verifying; 1 no step passed,
or the audit did not verify; 2 bad arguments or locust missing.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

P99_LIMIT_MS = 500.0
# The busiest hour's estimate (docs/PERFORMANCE.md, "Load"): about 500 staff signed in across the
# country, each acting every 30 s on average, plus partner systems and a public-report campaign.
BUSIEST_HOUR_RPS = 20.0


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--start-users", type=int, default=20)
    parser.add_argument("--step-users", type=int, default=20)
    parser.add_argument("--max-users", type=int, default=1000)
    parser.add_argument("--step-seconds", type=float, default=60)
    parser.add_argument(
        "--warmup", type=float, default=20, help="seconds at the first step before measuring"
    )
    parser.add_argument("--spawn-rate", type=float, default=10, help="users signed in per second")
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds between actions")
    parser.add_argument("--staff", type=int, default=2, help="members per office per county")
    parser.add_argument("--persons", type=int, default=120, help="persons per county")
    parser.add_argument("--referrals", type=int, default=40, help="referrals to accept per county")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("PUNTE_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        help="server URL without database name (default: %(default)s)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    for name in ("start_users", "step_users", "max_users", "staff", "persons", "workers"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    if args.step_seconds < 5 or args.think <= 0 or args.spawn_rate <= 0:
        parser.error("--step-seconds must be at least 5, --think and --spawn-rate positive")
    return args


def _manage(env: dict[str, str], *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *command],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def _stats(env_stats, seconds: float, failures: int) -> dict:
    total = env_stats.total
    return {
        "requests": total.num_requests,
        "rps": total.num_requests / seconds,
        "p50_ms": total.get_response_time_percentile(0.50) or 0.0,
        "p95_ms": total.get_response_time_percentile(0.95) or 0.0,
        "p99_ms": total.get_response_time_percentile(0.99) or 0.0,
        "errors": total.num_failures + failures,
    }


def _settle(runner, users: int, gevent, signed_in=None) -> None:
    """Until every user is spawned and, with `signed_in` (how many users have finished signing
    in), has signed in: locust counts a user before its on_start has run, and sign-ins are not
    part of a measured step."""
    deadline = time.time() + 600
    while runner.user_count < users and time.time() < deadline:
        gevent.sleep(0.5)
    while signed_in is not None and signed_in() < users and time.time() < deadline:
        gevent.sleep(0.5)
    gevent.sleep(1)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        # locust patches the standard library for gevent on import: first, before sockets.
        import gevent
        from locust import HttpUser, constant, task
        from locust.env import Environment
    except ImportError:
        print("bench/load needs locust: .venv/bin/pip install -e '.[bench]'", file=sys.stderr)
        return 2

    from bench.api_overhead.run import Database, Server, machine, production_environment
    from punte.settings.keys import new_key

    info = machine()
    db = Database(args.postgres, f"punte_load_{os.getpid()}")
    work = Path(tempfile.mkdtemp(prefix="punte-load-"))
    metrics_token = new_key()
    env = {
        **production_environment(db.url),
        "DJANGO_SETTINGS_MODULE": "punte.settings.production",
        # The load generator stands for the TLS proxy: it sends each public reporter's address.
        "PUNTE_TRUSTED_PROXIES": "127.0.0.1,::1",
        "PUNTE_METRICS_TOKEN": metrics_token,
        "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"),
        "PUNTE_LOG_LEVEL": "WARNING",
    }
    server = Server(env, args.workers, args.threads, [])
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    results: dict = {"machine": info, "args": {k: str(v) for k, v in vars(args).items()}}
    try:
        print(f"creating database {db.name}, migrating with production settings ...", flush=True)
        db.create()
        done = _manage(env, "migrate", "--noinput", "-v", "0")
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            return 1
        t0 = time.time()
        data_file = work / "staff.json"
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "load" / "seed.py"), "--out", str(data_file),
             "--staff", str(args.staff), "--persons", str(args.persons),
             "--referrals", str(args.referrals)],
            env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            return 1
        staff = json.loads(data_file.read_text())
        print(
            f"seeded {len(staff['staff'])} staff in {staff['counties']} counties, "
            f"{args.persons} persons and {args.referrals} referrals each "
            f"({time.time() - t0:.0f} s)",
            flush=True,
        )
        server.start()
        url = f"http://127.0.0.1:{server.port}"
        os.environ["LOAD_DATA"] = str(data_file)
        os.environ["LOAD_THINK_SECONDS"] = str(args.think)
        from bench.load import locustfile

        mix = Environment(
            user_classes=[locustfile.StaffApi, locustfile.StaffPages, locustfile.PublicReporter],
            host=url,
        )
        runner = mix.create_local_runner()
        steps: list[dict] = []
        users = args.start_users
        print(
            f"\n{'users':>6}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
            f"{'requests':>10}",
            flush=True,
        )
        while users <= args.max_users:
            runner.start(users, spawn_rate=args.spawn_rate)
            _settle(runner, users, gevent, locustfile.signed_in)
            if not steps:
                # Each gunicorn thread's first requests open its connection, prepare statements
                # and compile templates: the first step is measured after they have.
                gevent.sleep(args.warmup)
            mix.stats.reset_all()
            failed_before = sum(e["count"] for e in runner.exceptions.values())
            gevent.sleep(args.step_seconds)
            failed = sum(e["count"] for e in runner.exceptions.values()) - failed_before
            step = {"users": users, **_stats(mix.stats, args.step_seconds, failed)}
            step["by_request"] = {
                name: {
                    "requests": entry.num_requests,
                    "p50_ms": entry.get_response_time_percentile(0.50),
                    "p99_ms": entry.get_response_time_percentile(0.99),
                }
                for (name, _method), entry in sorted(mix.stats.entries.items())
            }
            step["errors_by_request"] = {
                f"{e.method} {e.name}: {e.error}": e.occurrences for e in mix.stats.errors.values()
            }
            steps.append(step)
            print(
                f"{users:>6}{step['rps']:>9.1f}{step['p50_ms']:>9.0f}{step['p95_ms']:>9.0f}"
                f"{step['p99_ms']:>9.0f}{step['errors']:>8}{step['requests']:>10}",
                flush=True,
            )
            for what, count in step["errors_by_request"].items():
                print(f"        {count} x {what}", flush=True)
            if step["p99_ms"] >= P99_LIMIT_MS:
                slowest = sorted(
                    step["by_request"].items(), key=lambda item: -(item[1]["p99_ms"] or 0)
                )[:3]
                print(
                    "        slowest p99: "
                    + ", ".join(f"{name} {entry['p99_ms']:.0f} ms" for name, entry in slowest),
                    flush=True,
                )
            if step["p99_ms"] >= P99_LIMIT_MS or step["errors"]:
                break
            users += args.step_users
        runner.quit()
        passing = [s for s in steps if s["p99_ms"] < P99_LIMIT_MS and not s["errors"]]
        best = max(passing, key=lambda s: s["rps"]) if passing else None
        results["steps"] = steps
        results["sustained"] = best

        # The same mix and the bare view, each with as many users sending back to back (no
        # think time; the public still takes its form's minimum fill time): what one request of
        # the mix costs next to the cheapest request this gunicorn answers.
        bare_users = best["users"] if best else args.start_users
        for user_class in (locustfile.StaffApi, locustfile.StaffPages):
            user_class.wait_time = constant(0)
        closed = Environment(
            user_classes=[locustfile.StaffApi, locustfile.StaffPages, locustfile.PublicReporter],
            host=url,
        )
        closed_runner = closed.create_local_runner()
        locustfile.SIGNED_IN[0] = 0
        closed_runner.start(bare_users, spawn_rate=args.spawn_rate)
        _settle(closed_runner, bare_users, gevent, locustfile.signed_in)
        closed.stats.reset_all()
        failed_before = sum(e["count"] for e in closed_runner.exceptions.values())
        gevent.sleep(args.step_seconds)
        failed = sum(e["count"] for e in closed_runner.exceptions.values()) - failed_before
        results["mix_back_to_back"] = {
            "users": bare_users,
            **_stats(closed.stats, args.step_seconds, failed),
        }
        closed_runner.quit()

        class Bare(HttpUser):
            wait_time = constant(0)

            @task
            def healthz(self):
                self.client.get("/healthz", name="bare /healthz")

        bare = Environment(user_classes=[Bare], host=url)
        bare_runner = bare.create_local_runner()
        bare_runner.start(bare_users, spawn_rate=max(args.spawn_rate, bare_users))
        _settle(bare_runner, bare_users, gevent)
        bare.stats.reset_all()
        gevent.sleep(args.step_seconds)
        results["bare"] = {"users": bare_users, **_stats(bare.stats, args.step_seconds, 0)}
        bare_runner.quit()

        results["sign_in_failures"] = locustfile.SIGN_IN_FAILURES[0]
        request = urllib.request.Request(
            f"{url}/metrics", headers={"Authorization": f"Bearer {metrics_token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            scraped = response.read().decode()
        audited = next(
            float(line.split()[-1])
            for line in scraped.splitlines()
            if line.startswith("punte_audit_events_total ")
        )
        server.stop()
        verified = _manage(env, "verify_audit")
        results["audit"] = {
            "events": audited,
            "verify_exit": verified.returncode,
            "verify_output": (verified.stdout + verified.stderr).strip().splitlines()[-3:],
        }
        return report(results, args, server)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 1
    finally:
        server.stop()
        db.drop()
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, default=str))


def report(results: dict, args, server) -> int:
    info, best, bare, audit = (
        results["machine"], results["sustained"], results["bare"], results["audit"],
    )  # fmt: skip
    print()
    print(
        f"machine: {info['cpu']}, {info['nproc']} cores; {info['date']}; load average before "
        f"{info['load_average']}, after {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(
        f"server: gunicorn gthread {server.workers} workers x {server.threads} threads, "
        f"production settings; think time {args.think:g} s; {args.step_seconds:g} s per step"
    )
    ok = best is not None and audit["verify_exit"] == 0 and not results["sign_in_failures"]
    if results["sign_in_failures"]:
        print(f"{results['sign_in_failures']} members could not sign in")
    if best:
        print(
            f"sustained: {best['rps']:.1f} requests/s with {best['users']} concurrent users at "
            f"p99 {best['p99_ms']:.0f} ms (< {P99_LIMIT_MS:.0f}) and 0 errors"
        )
    else:
        print(f"no step held p99 < {P99_LIMIT_MS:.0f} ms with 0 errors")
    print(
        f"bare view (/healthz, {bare['users']} users back to back): {bare['rps']:.1f} requests/s, "
        f"p99 {bare['p99_ms']:.0f} ms"
    )
    closed = results["mix_back_to_back"]
    print(
        f"mix ({closed['users']} users back to back): {closed['rps']:.1f} requests/s, "
        f"p99 {closed['p99_ms']:.0f} ms, {closed['errors']} errors"
    )
    if bare["rps"]:
        print(f"ratio mix / bare view, back to back: {closed['rps'] / bare['rps']:.3f}")
    ok = ok and closed["errors"] == 0
    if best:
        print(
            f"headroom over the busiest hour's estimate ({BUSIEST_HOUR_RPS:g} requests/s): "
            f"{best['rps'] / BUSIEST_HOUR_RPS:.1f}x"
        )
    print(
        f"audit: {audit['events']:.0f} events appended in all (metrics); verify_audit exit "
        f"{audit['verify_exit']}: {' / '.join(audit['verify_output'])}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
