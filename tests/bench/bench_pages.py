"""Page throughput under gunicorn at scale: dashboard, report, review queue and review page vs GET /healthz.

Builds a fresh instance (1,000 synthetic suppliers x 5 years of accepted reports plus the guideline index), serves
it with gunicorn and drives each page with concurrent keep-alive clients for a fixed time, split into rounds that
interleave the endpoints so that background load falls on all of them alike.
Run: python tests/bench/bench_pages.py [--seconds 5] [--concurrency 4] [--database-url postgresql://...] [--check]
Prints one JSON object on stdout, progress on stderr; not collected by pytest.
Target: every page serves >= 40% of the requests per second of /healthz (one SELECT 1) in the same run. The
report also gives each page's ratio to a near-empty signed-in page (/sites: session, user, one small query, the
layout), the floor any signed-in page stands on.
`--database-url` points at a PostgreSQL database whose public schema is dropped and recreated first.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
PASSWORD = "GreenChain-2026"
SUPPLIERS, YEARS = 1000, 5
TARGET_RATIO = 0.4
WARMUP_SECONDS = 1.0
# Settings a developer's shell may carry that would point the benchmark at another database or mode.
INHERITED_SETTINGS = ("DATABASE_URL", "PORTAL_DEMO", "SESSION_COOKIE_SECURE", "PORTAL_ENV", "PORTAL_INSTANCE_PATH")
# The test suite's database: dropping its schema would break whoever runs `make test`.
PROTECTED_DATABASES = {"test"}
CSRF_INPUT = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*>')
INPUT_VALUE = re.compile(r'\bvalue="([^"]*)"')

SUPPLIER_REPORT_SQL = """
    SELECT r.id FROM annual_reports r JOIN users u ON u.organisation_id = r.organisation_id
    WHERE u.email = 'supplier@demo.local' AND r.year = 2023 AND r.status = 'accepted'
"""
# The newest year of a synthetic supplier, so year-over-year checks have earlier years to compare with.
SYNTHETIC_REPORT_SQL = """
    SELECT r.id FROM annual_reports r JOIN organisations o ON o.id = r.organisation_id
    WHERE o.name_zh = '规模测试企业0500' AND r.status = 'accepted' ORDER BY r.year DESC LIMIT 1
"""


def log(message: str) -> None:
    print(f"[bench_pages] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------------
# The instance: database, demo data, guideline index


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def reset_postgres(url: str) -> None:
    """Creates the database when missing and empties its public schema, so every run starts from the migrations."""
    import psycopg

    name = database_name(url)
    if not name or name in PROTECTED_DATABASES:
        raise SystemExit(f"refusing to reset database {name!r}: give the benchmark a database of its own")
    parts = urlsplit(url)
    server = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))
    with psycopg.connect(server, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            log(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def portal_env(instance: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_SETTINGS}
    env.update(PORTAL_ENV="development", PORTAL_INSTANCE_PATH=str(instance), SECRET_KEY="bench")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def flask(env: dict[str, str], *args: str) -> None:
    started = time.perf_counter()
    command = [str(VENV_BIN / "python"), "-m", "flask", "--app", "portal", *args]
    result = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout)
        raise SystemExit(f"`flask {' '.join(args)}` failed with exit code {result.returncode}")
    log(f"flask {' '.join(args)}: {time.perf_counter() - started:.1f} s")


def prepare_instance(env: dict[str, str]) -> None:
    flask(env, "db", "upgrade")
    flask(env, "demo", "load", "--suppliers", str(SUPPLIERS), "--years", str(YEARS))
    flask(env, "guidance", "seed")
    flask(env, "guidance", "rebuild")  # report pages show the assistant's side panel, which reads the index


def report_ids(instance: Path, database_url: str | None) -> tuple[int, int]:
    """(the demo supplier's accepted 2023 report, an accepted synthetic report), read from the database."""
    if database_url:
        import psycopg

        conn: Any = psycopg.connect(database_url)
    else:
        conn = sqlite3.connect(instance / "portal.sqlite3")
    try:
        own, synthetic = (conn.execute(sql).fetchone() for sql in (SUPPLIER_REPORT_SQL, SYNTHETIC_REPORT_SQL))
    finally:
        conn.close()
    if own is None or synthetic is None:
        raise SystemExit("the demo data has no accepted 2023 report of supplier@demo.local or no synthetic report")
    return own[0], synthetic[0]


# ---------------------------------------------------------------------------------------------------------------
# The server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int, log_path: Path) -> subprocess.Popen:
    command = [str(VENV_BIN / "gunicorn"), "-w", str(workers), "-b", f"{HOST}:{port}", "portal:create_app()"]
    with log_path.open("wb") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def wait_until_healthy(server: subprocess.Popen, port: int, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.2)
    sys.stderr.write(log_path.read_text(errors="replace")[-4000:])
    raise SystemExit("gunicorn did not answer /healthz")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# ---------------------------------------------------------------------------------------------------------------
# The clients


@dataclass
class Client:
    """One user's cookies; each load thread opens its own keep-alive connection with them."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(HOST, self.port, timeout=30)

    def headers(self) -> dict[str, str]:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return {"Cookie": cookie} if cookie else {}

    def remember(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value

    def send(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        conn = self.connect()
        headers = self.headers()
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", errors="replace")
            self.remember(response)
            return response.status, text
        finally:
            conn.close()


def sign_in(port: int, email: str) -> Client:
    client = Client(port)
    status, page = client.send("GET", "/login")
    tag = CSRF_INPUT.search(page)
    value = INPUT_VALUE.search(tag.group(0)) if tag else None
    if status != 200 or value is None:
        raise SystemExit(f"GET /login answered {status} without a CSRF token")
    form = urlencode({"csrf_token": value.group(1), "email": email, "password": PASSWORD, "next": ""})
    status, _ = client.send("POST", "/login", form)
    if status != 302:
        raise SystemExit(f"signing in as {email} answered {status}, not a redirect")
    status, _ = client.send("GET", "/dashboard")
    if status != 200:
        raise SystemExit(f"{email} is not signed in after the login form (GET /dashboard answered {status})")
    return client


@dataclass
class Run:
    """What one endpoint's slices added up to."""

    latencies_ms: list[float] = field(default_factory=list)
    body_bytes: int = 0
    wall_s: float = 0.0
    client_cpu_s: float = 0.0
    failure: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def hammer(client: Client, path: str, until: float, run: Run, stop_all: threading.Event) -> None:
    conn = client.connect()
    headers = client.headers()
    samples: list[float] = []
    body_bytes = 0
    try:
        while not stop_all.is_set() and time.perf_counter() < until:
            started = time.perf_counter()
            # http.client reopens the connection when the server closed it (gunicorn's sync workers do after
            # every response), so a connect is part of the measured time whenever keep-alive is not honoured.
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                with run.lock:
                    run.failure = run.failure or (f"GET {path} answered {response.status}: "
                                                  f"{body[:300].decode('utf-8', errors='replace')!r}")
                stop_all.set()
                return
            samples.append(elapsed)
            body_bytes += len(body)
    except (OSError, http.client.HTTPException) as err:
        with run.lock:
            run.failure = run.failure or f"GET {path} failed: {err!r}"
        stop_all.set()
    finally:
        conn.close()
        with run.lock:
            run.latencies_ms.extend(samples)
            run.body_bytes += body_bytes


def load(client: Client, path: str, seconds: float, concurrency: int, run: Run) -> None:
    """`concurrency` threads send requests to `path` for `seconds`; their results add to `run`."""
    stop_all = threading.Event()
    started, cpu_started = time.perf_counter(), time.process_time()
    until = started + seconds
    threads = [threading.Thread(target=hammer, args=(client, path, until, run, stop_all)) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.wall_s += time.perf_counter() - started
    run.client_cpu_s += time.process_time() - cpu_started
    if run.failure:
        raise SystemExit(f"non-200 response, the measurement is void: {run.failure}")


def measure(endpoints: dict[str, tuple[Client, str]], seconds: float, concurrency: int,
            rounds: int) -> dict[str, dict[str, Any]]:
    """Each endpoint gets `seconds` in all, in `rounds` interleaved slices, so that load from other processes
    that comes and goes during the run falls on every endpoint alike instead of skewing their ratios."""
    for client, path in endpoints.values():
        load(client, path, WARMUP_SECONDS, concurrency, Run())  # both workers compile templates, fill caches
    runs = {name: Run() for name in endpoints}
    for number in range(1, rounds + 1):
        log(f"round {number} of {rounds}")
        for name, (client, path) in endpoints.items():
            load(client, path, seconds / rounds, concurrency, runs[name])
    return {name: summary(endpoints[name][1], run) for name, run in runs.items()}


def summary(path: str, run: Run) -> dict[str, Any]:
    ordered = sorted(run.latencies_ms)
    if not ordered:
        raise SystemExit(f"GET {path}: no request completed")
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    result = {"path": path, "requests": len(ordered), "rps": round(len(ordered) / run.wall_s, 1),
              "p50_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2),
              "kb_per_response": round(run.body_bytes / len(ordered) / 1024, 1),
              # share of one core the load generator itself used: it competes with the workers for the CPUs
              "client_cpu": round(run.client_cpu_s / run.wall_s, 2)}
    log(f"GET {path}: {result['rps']} req/s, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms")
    return result


# ---------------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="measured time per endpoint (default 5)")
    parser.add_argument("--concurrency", type=int, default=4, help="concurrent client connections (default 4)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="interleaved slices each endpoint's time is split into (default 5)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--database-url", help="a PostgreSQL database to reset and use instead of SQLite")
    parser.add_argument("--check", action="store_true", help="exit 1 when any page is under the target ratio")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.concurrency < 1 or args.rounds < 1 or args.workers < 1:
        parser.error("--seconds must be positive; --concurrency, --rounds and --workers at least 1")
    if args.database_url and not args.database_url.startswith(("postgresql://", "postgres://")):
        parser.error("--database-url takes a postgresql:// URL (SQLite is the default)")
    return args


def bench(args: argparse.Namespace, instance: Path) -> dict[str, Any]:
    load_at_start = os.getloadavg()[0]  # read before our own set-up adds to it
    if load_at_start > 0.5:
        log(f"load average {load_at_start:.2f} at start: other processes share the CPUs, expect noisy figures")
    if args.database_url:
        log(f"resetting PostgreSQL database {database_name(args.database_url)}")
        reset_postgres(args.database_url)
    env = portal_env(instance, args.database_url)
    prepare_instance(env)
    own_report, synthetic_report = report_ids(instance, args.database_url)

    port, log_path = free_port(), instance / "gunicorn.log"
    server = start_gunicorn(env, port, args.workers, log_path)
    try:
        wait_until_healthy(server, port, log_path)
        log(f"gunicorn with {args.workers} workers on port {port}")
        anonymous, supplier = Client(port), sign_in(port, "supplier@demo.local")
        reviewer = sign_in(port, "reviewer@demo.local")
        endpoints = {
            "dashboard": (supplier, "/dashboard"),
            "report": (supplier, f"/reports/{own_report}"),
            "review_queue": (reviewer, "/review/reports?status=accepted"),
            "review_report": (reviewer, f"/reports/{synthetic_report}/review"),
        }
        # A near-empty signed-in page (login, one small query, the layout): the floor every page stands on.
        floor = {"signed_in_floor": (supplier, "/sites")}
        results = measure({"baseline": (anonymous, "/healthz"), **floor, **endpoints}, args.seconds,
                          args.concurrency, args.rounds)
    finally:
        stop(server)
    baseline, signed_in_floor = results.pop("baseline"), results.pop("signed_in_floor")
    signed_in_floor["ratio_to_baseline"] = round(signed_in_floor["rps"] / baseline["rps"], 3)
    pages = results
    for result in (baseline, signed_in_floor, *pages.values()):
        # Worker time one request takes (the workers are busy all the time): what the target is a budget of.
        result["worker_ms_per_request"] = round(args.workers * 1000 / result["rps"], 2)
    for page in pages.values():
        page["ratio_to_baseline"] = round(page["rps"] / baseline["rps"], 3)
        page["ratio_to_signed_in_floor"] = round(page["rps"] / signed_in_floor["rps"], 3)
    return {
        "database": "postgresql" if args.database_url else "sqlite",
        "workers": args.workers, "concurrency": args.concurrency, "rounds": args.rounds,
        "seconds": int(args.seconds) if args.seconds.is_integer() else args.seconds,
        "suppliers": SUPPLIERS, "years": YEARS,
        # Other processes on the machine lower every figure; the interleaved rounds keep the ratios comparable.
        "host": {"cpus": os.cpu_count(), "load_1m_at_start": round(load_at_start, 2)},
        "baseline": baseline, "signed_in_floor": signed_in_floor, "pages": pages, "target_ratio": TARGET_RATIO,
        # At the target a page may take this much worker time; compare the floor's worker_ms_per_request.
        "worker_ms_per_request_at_target": round(baseline["worker_ms_per_request"] / TARGET_RATIO, 2),
        "meets_target": all(page["ratio_to_baseline"] >= TARGET_RATIO for page in pages.values()),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    instance = Path(tempfile.mkdtemp(prefix="portal-bench-pages-"))
    try:
        report = bench(args, instance)
    finally:
        shutil.rmtree(instance, ignore_errors=True)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    below = [name for name, page in report["pages"].items() if page["ratio_to_baseline"] < TARGET_RATIO]
    if below:
        log(f"under {TARGET_RATIO:.0%} of /healthz: {', '.join(below)}")
    return 1 if args.check and below else 0


if __name__ == "__main__":
    sys.exit(main())
