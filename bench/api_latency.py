"""API latency benchmark: the real server, real HTTP, concurrent clients.

For each database (SQLite in a temporary file, PostgreSQL in a fresh database
``psc119_bench`` that this script creates and drops) it

1. builds the schema with the migrations (``flask --app wsgi db upgrade``),
2. creates one unit per client and an operator and a supervisor through the core
   services (``dispatch.core.units.create_unit``, ``dispatch.core.auth.create_user``),
3. starts the server as a subprocess (``python wsgi.py``; ``--server gunicorn`` for
   ``gunicorn -w 1 --threads 50``) on a free port of 127.0.0.1,
4. logs in and drives each endpoint with ``--clients`` threads (one
   ``requests.Session`` each) for ``--requests`` requests or ``--time-limit`` seconds,
   whichever comes first:

   * ``GET /api/health``              the in-run baseline (one ``SELECT 1``),
   * ``POST /api/calls``              an operator logs an emergency call (call,
                                      incident, reference number, two events),
   * ``POST /api/units/<id>/status``  a supervisor takes a unit out of service and
                                      back; every client owns one unit, so each
                                      request is a legal transition and must succeed,
   * ``GET /api/route``               an operator asks for the road between two random
                                      points of the city (target p99 under 20 ms).

It prints one row per database and endpoint: requests done, errors (non-2xx answers
and transport failures), p50 and p99 latency, throughput and the p50 relative to the
health baseline of the same run. It exits 1 when any request failed.

Not a test: numbers depend on the machine. Only 127.0.0.1 is contacted.

    .venv/bin/python bench/api_latency.py                 # both databases
    .venv/bin/python bench/api_latency.py --db sqlite --clients 16 --requests 1000
"""
import argparse
import json
import math
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

BIN_DIR = os.path.dirname(sys.executable)
PG_DATABASE = "psc119_bench"
PASSWORD = "bench-password-119"
REQUEST_TIMEOUT = 30  # seconds, per request
# Variables of the calling shell that must not leak into the server under test.
SCRUBBED_ENV = ("DATABASE_URL", "TEST_DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PSC_ENV", "HOST", "PORT")


# --- helpers -------------------------------------------------------------------------------

def log(msg):
    print(msg, file=sys.stderr, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url, **extra):
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env.update({"DATABASE_URL": database_url, "PSC_ENV": "development", "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def percentile(sorted_values, q):
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def new_session(token=None):
    s = requests.Session()
    s.trust_env = False  # no proxy from the environment: talk to 127.0.0.1 directly
    if token:
        s.headers["Authorization"] = f"Bearer {token}"
    return s


# --- databases ---------------------------------------------------------------------------

@contextmanager
def sqlite_database():
    tmp = tempfile.mkdtemp(prefix="psc119_bench_")
    try:
        yield f"sqlite:///{os.path.join(tmp, 'bench.sqlite3')}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def postgres_database(admin_url):
    import psycopg

    def run(sql):
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql)

    run(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    run(f"CREATE DATABASE {PG_DATABASE}")
    base = admin_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{PG_DATABASE}"
    finally:
        run(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def migrate(database_url, workdir):
    """Build the schema the documented way: ``flask --app wsgi db upgrade``."""
    out = os.path.join(workdir, "migrate.log")
    with open(out, "w") as fh:
        proc = subprocess.run([os.path.join(BIN_DIR, "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                              env=server_env(database_url), stdout=fh, stderr=subprocess.STDOUT, timeout=300)
    if proc.returncode != 0:
        with open(out) as fh:
            raise RuntimeError(f"db upgrade failed ({proc.returncode}):\n{fh.read()}")


def populate(database_url, n_units):
    """Units BENCH-01.. and an operator and a supervisor, through the core services."""
    from config import DevelopmentConfig
    from dispatch import create_app
    from dispatch.core import auth, units
    from dispatch.extensions import db

    app = create_app(type("BenchConfig", (DevelopmentConfig,), {"DATABASE_URL": database_url}))
    unit_ids = []
    with app.app_context():
        session = db.new_session()
        try:
            for i in range(n_units):
                unit = units.create_unit(session, actor=None, call_sign=f"BENCH-{i + 1:02d}", capability="BLS",
                                         station_name=f"Pos {i + 1}", lat=-0.03 + i * 0.001, lon=109.33)
                unit_ids.append(unit.id)
            for username, role in (("bench_op", "operator"), ("bench_sup", "supervisor")):
                auth.create_user(session, actor=None, username=username, role=role, password=PASSWORD)
        finally:
            session.close()
    db.engine.dispose()
    return unit_ids


# --- the server ----------------------------------------------------------------------------

def server_command(kind, port):
    if kind == "gunicorn":
        return [os.path.join(BIN_DIR, "gunicorn"), "-w", "1", "--threads", "50", "--no-control-socket",
                "-b", f"127.0.0.1:{port}", "wsgi:app"]
    return [sys.executable, "wsgi.py"]


@contextmanager
def serving(command, env, log_path, name="server", startup_timeout=60):
    """Start ``command`` in its own process group, wait for /api/health, yield its base URL;
    stop the whole group at the end."""
    port = free_port()
    with open(log_path, "w") as log_file:
        proc = subprocess.Popen(command(port), cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT,
                                env={**env, "PORT": str(port)}, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + startup_timeout
            with new_session() as s:
                while True:
                    if proc.poll() is not None:
                        raise RuntimeError(f"{name} exited with {proc.returncode}; see {log_path}:\n"
                                           + open(log_path).read()[-3000:])
                    try:
                        if s.get(f"{base}/api/health", timeout=2).status_code == 200:
                            break
                    except requests.RequestException:
                        pass
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{name} not ready after {startup_timeout}s; see {log_path}")
                    time.sleep(0.05)
            yield base
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)


# Every client of the benchmark comes from 127.0.0.1, where each stands for a console or a phone
# on a machine of its own: the server's bound on connections not yet logged in per address (5, a
# guard against sockets that never log in) would refuse all but a few of a batch connecting at once.
MANY_CLIENTS_ONE_ADDRESS = {"SOCKET_MAX_UNAUTHENTICATED_PER_ADDRESS": "1000"}


@contextmanager
def running_server(kind, database_url, workdir, startup_timeout=60, **extra_env):
    log_path = os.path.join(workdir, f"server-{kind}.log")
    with serving(lambda port: server_command(kind, port), server_env(database_url, HOST="127.0.0.1", **extra_env),
                 log_path, f"{kind} server", startup_timeout) as base:
        yield base, log_path


def login(base, username):
    with new_session() as s:
        r = s.post(f"{base}/api/auth/login", json={"username": username, "password": PASSWORD},
                   timeout=REQUEST_TIMEOUT)
    r.raise_for_status()
    return r.json()["token"]


# --- workloads -----------------------------------------------------------------------------

class HealthWorkload:
    name = "GET /api/health"

    def __init__(self, base, tokens, unit_ids):
        self.url = f"{base}/api/health"

    def session(self, client):
        return new_session()

    def request(self, http, client, i):
        return http.get(self.url, timeout=REQUEST_TIMEOUT)


class CallWorkload:
    name = "POST /api/calls"

    def __init__(self, base, tokens, unit_ids):
        self.url = f"{base}/api/calls"
        self.token = tokens["operator"]

    def session(self, client):
        return new_session(self.token)

    def request(self, http, client, i):
        body = {"caller_phone": f"0811-{client:03d}-{i % 10000:04d}", "caller_name": "Bench caller",
                "location_text": "Jl. Gajah Mada, Pontianak", "lat": -0.035, "lon": 109.335,
                "complaint": "chest pain", "category": "cardiac", "priority": "P1"}
        return http.post(self.url, json=body, timeout=REQUEST_TIMEOUT)


class UnitStatusWorkload:
    """Client k owns unit k and toggles it out_of_service <-> available as a supervisor."""

    name = "POST /api/units/<id>/status"

    def __init__(self, base, tokens, unit_ids):
        self.base = base
        self.token = tokens["supervisor"]
        self.unit_ids = unit_ids
        self.state = {}  # client -> last status the server confirmed for its unit

    def session(self, client):
        http = new_session(self.token)
        unit_id = self.unit_ids[client]
        r = http.get(f"{self.base}/api/units/{unit_id}", timeout=REQUEST_TIMEOUT)
        r.raise_for_status()
        self.state[client] = r.json()["status"]
        return http

    def request(self, http, client, i):
        unit_id = self.unit_ids[client]
        target = "available" if self.state[client] == "out_of_service" else "out_of_service"
        r = http.post(f"{self.base}/api/units/{unit_id}/status", json={"status": target}, timeout=REQUEST_TIMEOUT)
        if 200 <= r.status_code < 300:
            self.state[client] = r.json()["unit"]["status"]
        else:  # resynchronise so that one failure does not make every later request fail
            g = http.get(f"{self.base}/api/units/{unit_id}", timeout=REQUEST_TIMEOUT)
            if g.ok:
                self.state[client] = g.json()["status"]
        return r


class RouteWorkload:
    """GET /api/route between random points of the city (the road graph's shortest path and its way)."""

    name = "GET /api/route"

    def __init__(self, base, tokens, unit_ids):
        self.url = f"{base}/api/route"
        self.token = tokens["operator"]

    def session(self, client):
        return new_session(self.token)

    def request(self, http, client, i):
        rng = random.Random(client * 100_003 + i)
        a, b, c, d = (rng.uniform(-0.09, 0.02), rng.uniform(109.28, 109.38), rng.uniform(-0.09, 0.02),
                      rng.uniform(109.28, 109.38))
        return http.get(self.url, params={"from_lat": f"{a:.6f}", "from_lon": f"{b:.6f}", "to_lat": f"{c:.6f}",
                                          "to_lon": f"{d:.6f}"}, timeout=REQUEST_TIMEOUT)


WORKLOADS = (HealthWorkload, CallWorkload, UnitStatusWorkload, RouteWorkload)


def run_workload(workload, *, clients, total, time_limit, warmup):
    """Run ``total`` requests split over ``clients`` threads, stopping at ``time_limit``.

    Returns a dict with n, errors, latencies (ms), wall time and a few error samples.
    """
    per_client = [total // clients + (1 if c < total % clients else 0) for c in range(clients)]
    latencies = [[] for _ in range(clients)]
    errors = [0] * clients
    samples = []
    sample_lock = threading.Lock()
    sessions = [workload.session(c) for c in range(clients)]
    # Warm up outside the measurement (connection set-up, SQLAlchemy statement caches).
    for c in range(clients):
        for i in range(warmup):
            workload.request(sessions[c], c, -1 - i)
    start_barrier = threading.Barrier(clients + 1)
    deadline = [None]

    def worker(c):
        http = sessions[c]
        start_barrier.wait()
        for i in range(per_client[c]):
            if time.monotonic() > deadline[0]:
                break
            t0 = time.perf_counter()
            try:
                r = workload.request(http, c, i)
                ok, detail = 200 <= r.status_code < 300, f"{r.status_code} {r.text[:200]}"
            except requests.RequestException as exc:
                ok, detail = False, f"{type(exc).__name__}: {exc}"
            latencies[c].append((time.perf_counter() - t0) * 1000)
            if not ok:
                errors[c] += 1
                with sample_lock:
                    if len(samples) < 5:
                        samples.append(detail)

    threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in range(clients)]
    for t in threads:
        t.start()
    deadline[0] = time.monotonic() + time_limit
    t_start = time.perf_counter()
    start_barrier.wait()
    for t in threads:
        t.join(timeout=time_limit + REQUEST_TIMEOUT * 2)
    wall = time.perf_counter() - t_start
    for s in sessions:
        s.close()
    all_latencies = sorted(x for per in latencies for x in per)
    return {"n": len(all_latencies), "errors": sum(errors), "latencies": all_latencies, "wall_s": wall,
            "hung_threads": sum(t.is_alive() for t in threads), "error_samples": samples}


# --- main ----------------------------------------------------------------------------------

def bench_database(label, database_url, args):
    workdir = tempfile.mkdtemp(prefix=f"psc119_bench_{label}_")
    results = []
    try:
        log(f"[{label}] migrating {database_url}")
        migrate(database_url, workdir)
        unit_ids = populate(database_url, args.clients)
        for kind in args.servers:
            log(f"[{label}] starting {kind} server")
            with running_server(kind, database_url, workdir) as (base, log_path):
                tokens = {"operator": login(base, "bench_op"), "supervisor": login(base, "bench_sup")}
                baseline = None
                for cls in WORKLOADS:
                    workload = cls(base, tokens, unit_ids)
                    log(f"[{label}/{kind}] {workload.name}: {args.requests} requests, {args.clients} clients")
                    r = run_workload(workload, clients=args.clients, total=args.requests,
                                     time_limit=args.time_limit, warmup=args.warmup)
                    lat = r["latencies"]
                    p50, p99 = percentile(lat, 50), percentile(lat, 99)
                    if baseline is None:
                        baseline = p50
                    row = {"database": label, "server": kind, "endpoint": workload.name, "n": r["n"],
                           "errors": r["errors"], "p50_ms": p50, "p99_ms": p99,
                           "throughput_rps": r["n"] / r["wall_s"] if r["wall_s"] else float("nan"),
                           "p50_vs_health": p50 / baseline if baseline else float("nan"),
                           "truncated": r["n"] < args.requests, "hung_threads": r["hung_threads"],
                           "error_samples": r["error_samples"]}
                    results.append(row)
                    for sample in r["error_samples"]:
                        log(f"    error: {sample}")
                    if row["truncated"]:
                        log(f"    only {r['n']} of {args.requests} requests within {args.time_limit}s")
                with open(log_path) as fh:
                    tracebacks = fh.read().count("Traceback (most recent call last)")
                if tracebacks:
                    log(f"[{label}/{kind}] server log holds {tracebacks} traceback(s): {log_path}")
                    args.keep_logs = True
    finally:
        if args.keep_logs:
            log(f"[{label}] logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return results


def print_table(rows, show_server):
    headers = ["database"] + (["server"] if show_server else []) + [
        "endpoint", "n", "errors", "p50 ms", "p99 ms", "req/s", "p50 vs health"]
    lines = []
    for r in rows:
        lines.append([r["database"]] + ([r["server"]] if show_server else []) + [
            r["endpoint"], str(r["n"]), str(r["errors"]), f"{r['p50_ms']:.1f}", f"{r['p99_ms']:.1f}",
            f"{r['throughput_rps']:.0f}", f"{r['p50_vs_health']:.2f}x"])
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(headers)]
    numeric = set(range(len(headers) - 6, len(headers)))

    def fmt(cells):
        return "  ".join(c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    print(fmt(headers))
    print("  ".join("-" * w for w in widths))
    for line in lines:
        print(fmt(line))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--server", choices=("python", "gunicorn", "both"), default="python",
                   help="python wsgi.py (default) or gunicorn -w 1 --threads 50")
    p.add_argument("--clients", type=int, default=8, help="concurrent client threads (default 8)")
    p.add_argument("--requests", type=int, default=400, help="requests per endpoint (default 400)")
    p.add_argument("--time-limit", type=float, default=120.0,
                   help="seconds per endpoint after which the clients stop (default 120)")
    p.add_argument("--warmup", type=int, default=3, help="unmeasured requests per client before each endpoint")
    p.add_argument("--pg-admin-url", default=os.environ.get("BENCH_PG_ADMIN_URL",
                                                            "postgresql://postgres@127.0.0.1:5432/postgres"),
                   help=f"PostgreSQL URL used to create and drop the database {PG_DATABASE}")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON (e.g. bench/results/x.json)")
    p.add_argument("--keep-logs", action="store_true", help="keep the server logs (kept anyway on tracebacks)")
    args = p.parse_args(argv)
    if not (1 <= args.clients <= 64):
        p.error("--clients must be 1..64")
    if not (1 <= args.requests <= 100_000):
        p.error("--requests must be 1..100000")
    if not args.pg_admin_url.startswith("postgresql://127.0.0.1") and "@127.0.0.1" not in args.pg_admin_url:
        p.error("--pg-admin-url must point at 127.0.0.1")
    args.servers = ("python", "gunicorn") if args.server == "both" else (args.server,)

    rows = []
    if args.db in ("sqlite", "both"):
        with sqlite_database() as url:
            rows += bench_database("sqlite", url, args)
    if args.db in ("postgres", "both"):
        with postgres_database(args.pg_admin_url) as url:
            rows += bench_database("postgres", url, args)

    print(f"# python {platform.python_version()}, {os.cpu_count()} CPUs, {args.clients} clients, "
          f"{args.requests} requests per endpoint, server: {', '.join(args.servers)}")
    print_table(rows, show_server=len(args.servers) > 1)
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as fh:
            json.dump({"args": {k: v for k, v in vars(args).items() if k != "pg_admin_url"}, "results": rows},
                      fh, indent=2)
    failed = sum(r["errors"] for r in rows) + sum(r["hung_threads"] for r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
