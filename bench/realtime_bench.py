"""Live delivery benchmark: one real server process, real Socket.IO clients, real HTTP.

It prepares a database like ``bench/api_latency.py`` (SQLite in a temporary file, or
with ``--db postgres`` a database ``psc119_bench`` that it creates and drops), builds the
schema with the migrations, creates ``--units`` units (``RT-001``...), one crew user per
unit, a supervisor and an operator through the core services, and starts the server as
a subprocess (``python wsgi.py``: Werkzeug, threads, simple-websocket) on a free port.
Every Socket.IO client is a ``socketio.AsyncClient`` (websocket transport) in one asyncio
loop, on its own thread of this process; the REST calls that make the changes are made
with ``requests`` from the main thread. All times are ``time.perf_counter()`` of this one
process, so sending and receiving are timed on the same clock.

1. Delivery latency. With 1, 50 and 200 consoles connected (``--clients``; supervisor and
   operator tokens, alternately), a supervisor toggles units between ``available`` and
   ``out_of_service`` (``POST /api/units/<id>/status``, one ``unit.status_changed`` event
   each), one change at a time, ``--changes`` times. For every console, the latency is
   from the moment the REST call has returned to this process to the moment that console
   handles the ``event`` whose ``(unit_id, data.unit.version)`` matches the unit in the
   REST answer. The server pushes the event after commit, possibly before the HTTP
   answer has been read here: such deliveries count as they are, zero or negative (the
   ``early`` column). A console that has not received an event ``--timeout`` seconds after
   the last change is counted as a lost delivery.

   Baseline, in the same run: a bare ``socketio.Server(async_mode="threading")`` in a
   ``socketio.WSGIApp`` served by Werkzeug's ``run_simple(threaded=True)`` (what
   Flask-SocketIO's ``socketio.run`` does for ``wsgi.py``), in its own subprocess
   (``realtime_bench.py --bare-server``), with an HTTP ``POST /emit`` that broadcasts a
   copy of one of our ``unit.status_changed`` events to every client. Same clients, same
   measurement (the POST returned -> the client handles the ``event``). The ratio of our
   p50 and p99 to the bare server's is printed per client count, and the p99 at 200
   clients against the target, 100 ms.

2. Sustained location updates. ``--units`` crews (one per unit) report position fixes at
   ``--fix-rate`` per unit per second (default 2.5: 500 fixes/s for 200 units) for
   ``--duration`` seconds, through ``POST /api/units/<id>/location`` (mode ``rest``) or the
   crew's own socket ``location`` command with acknowledgement (mode ``socket``; one
   connection per crew); ``--modes`` picks. Each unit drives round its own circle in
   Pontianak (lat/lon near -0.03, 109.33), ``recorded_at`` strictly increasing. A unit
   waits for the answer to its fix before the next: when it falls behind its schedule the
   fixes it missed are counted as ``skipped`` (offered = sent + skipped). Meanwhile 50
   supervisor consoles (``--load-consoles``) count the ``position`` messages they receive
   (the server sends each console at most one per unit per second), and a supervisor
   changes a unit's status every ``--status-interval`` seconds; those events' delivery
   latency to the 50 consoles is compared with the same measurement made just before the
   load (quiet), in the same run and with the same connections.

It prints the machine, the settings and a table per part (``--json PATH`` writes them too),
and exits 1 when a request failed, a fix was refused or an event was lost. Not a test: the
numbers depend on the machine, and the clients share its CPUs with the server.

    .venv/bin/python bench/realtime_bench.py                       # SQLite, a few minutes
    .venv/bin/python bench/realtime_bench.py --db postgres --json bench/results/rt.json
    .venv/bin/python bench/realtime_bench.py --clients 1,50 --changes 50 --modes socket --duration 10
"""
import argparse
import asyncio
import copy
import itertools
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib.metadata import version

import aiohttp
import requests
import socketio
from api_latency import (
    MANY_CLIENTS_ONE_ADDRESS,
    PASSWORD,
    PG_DATABASE,
    ROOT,
    log,
    login,
    migrate,
    new_session,
    percentile,
    postgres_database,
    running_server,
    server_env,
    serving,
    sqlite_database,
)

REQUEST_TIMEOUT = 30          # seconds, per REST request or socket command
CONNECT_BATCH = 25            # clients connecting at the same time
TARGET_P99_MS = 100.0         # at 200 clients
TARGET_CLIENTS = 200
CHEAP_HASH = "pbkdf2:sha256:1000"
CENTRE = (-0.03, 109.33)      # Pontianak
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- setup ---------------------------------------------------------------------------------

def populate(database_url, n_units):
    """Units RT-001.., crew users rt_crew_001.. (one per unit), a supervisor and an operator."""
    from config import DevelopmentConfig
    from dispatch import create_app
    from dispatch.core import auth, units
    from dispatch.extensions import db

    app = create_app(type("BenchConfig", (DevelopmentConfig,), {"DATABASE_URL": database_url}))
    # Bench users only: hashing and checking 200+ scrypt passwords would add a minute of set-up.
    auth.set_hash_method(CHEAP_HASH)
    unit_ids = []
    with app.app_context():
        session = db.new_session()
        try:
            for i in range(n_units):
                call_sign = f"RT-{i + 1:03d}"
                lat, lon = station(i, n_units)
                unit = units.create_unit(session, actor=None, call_sign=call_sign, capability="BLS",
                                         station_name=f"Pos {i + 1}", lat=lat, lon=lon)
                unit_ids.append(unit.id)
                auth.create_user(session, actor=None, username=crew_name(i), role="crew", password=PASSWORD,
                                 unit_call_sign=call_sign)
            for username, role in (("rt_op", "operator"), ("rt_sup", "supervisor")):
                auth.create_user(session, actor=None, username=username, role=role, password=PASSWORD)
        finally:
            session.close()
    db.engine.dispose()
    return unit_ids


def crew_name(i):
    return f"rt_crew_{i + 1:03d}"


def station(i, n):
    """Stations on a ring of about 2 km round the centre of Pontianak."""
    a = 2 * math.pi * i / max(n, 1)
    return CENTRE[0] + 0.018 * math.sin(a), CENTRE[1] + 0.018 * math.cos(a)


def children_cpu_s():
    """CPU seconds (user + system) used so far by this process's direct children (the servers)."""
    total = 0
    me = os.getpid()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:           # field 4 of stat: the parent's pid
            total += int(fields[11]) + int(fields[12])   # utime + stime, in clock ticks
    return total / CLK_TCK


# --- the bare python-socketio server (a subprocess of this script) --------------------------

def serve_bare(port):
    """A minimal Socket.IO server served like ``python wsgi.py`` serves ours (Werkzeug's
    threaded server, ``async_mode="threading"``, simple-websocket); ``POST /emit``
    ``{"name", "data"}`` broadcasts ``data`` to every client and returns when it is queued."""
    from werkzeug.serving import run_simple

    sio = socketio.Server(async_mode="threading")

    @sio.event
    def connect(sid, environ, auth=None):
        return True

    def http(environ, start_response):
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == "/emit" and method == "POST":
            body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
            sio.emit(body["name"], body["data"])
            status, answer = "200 OK", b'{"ok": true}'
        elif path == "/api/health":
            status, answer = "200 OK", b'{"status": "ok"}'
        else:
            status, answer = "404 Not Found", b'{"error": "not found"}'
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))])
        return [answer]

    print(f"bare python-socketio serving on http://127.0.0.1:{port}", flush=True)
    run_simple("127.0.0.1", port, socketio.WSGIApp(sio, http), threaded=True)
    return 0


@contextmanager
def bare_server(workdir, startup_timeout=30):
    with serving(lambda port: [sys.executable, os.path.abspath(__file__), "--bare-server"],
                 server_env("sqlite://"), os.path.join(workdir, "server-bare.log"), "bare server",
                 startup_timeout) as base:
        yield base


# --- clients -------------------------------------------------------------------------------

class LoopThread:
    """The asyncio loop, on its own thread, in which every Socket.IO client of the bench lives."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="bench-clients", daemon=True)
        self.thread.start()

    def run(self, coro, timeout=None):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def submit(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


class Deliveries:
    """When each console handled each status event, keyed by ``(unit_id, version)``.

    Written from the loop thread, waited on from the main thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.arrivals = {}        # key -> {console number: perf_counter}
        self.waiters = {}         # key -> (how many, threading.Event)
        self.duplicates = 0

    def arrived(self, key, console, t):
        with self.lock:
            got = self.arrivals.setdefault(key, {})
            if console in got:
                self.duplicates += 1
                return
            got[console] = t
            waiter = self.waiters.get(key)
            if waiter is not None and len(got) >= waiter[0]:
                waiter[1].set()

    def wait(self, key, n, timeout):
        done = threading.Event()
        with self.lock:
            self.waiters[key] = (n, done)
            if len(self.arrivals.get(key, ())) >= n:
                done.set()
        return done.wait(timeout)

    def latencies(self, sent, consoles):
        """For every (change, console) pair received: ms from the answer and ms from the start of
        the request to its arrival; and how many pairs were never received."""
        after_answer, after_start, lost = [], [], 0
        with self.lock:
            for key, t_start, t_answer in sent:
                got = self.arrivals.get(key, {})
                for c in consoles:
                    if c in got:
                        after_answer.append((got[c] - t_answer) * 1000)
                        after_start.append((got[c] - t_start) * 1000)
                    else:
                        lost += 1
        return sorted(after_answer), sorted(after_start), lost


class Console:
    """A supervisor's or operator's console: an AsyncClient that times status events and
    counts positions."""

    def __init__(self, number, bare=False):
        self.number = number
        self.bare = bare
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("snapshot", self._on_snapshot)
        self.sio.on("event", self._on_event)
        self.sio.on("position", self._on_position)
        self.sio.on("positions", self._on_positions)
        self.positions_mode = "each"        # what the console asks for at connect: each or batch
        self.deliveries = None
        self.ready = None
        self.sample_event = None
        self.window = (math.inf, math.inf)   # positions are counted inside this perf_counter window
        self.positions = 0
        self.position_last = {}
        self.min_gap_s = math.inf           # shortest time between two positions of one unit

    def _on_snapshot(self, _state):
        self.ready.set()

    def _on_event(self, event):
        t = time.perf_counter()
        if event.get("type") == "unit.status_changed" and self.deliveries is not None:
            if self.sample_event is None:
                self.sample_event = event
            self.deliveries.arrived((event["unit_id"], event["data"]["unit"]["version"]), self.number, t)

    def _on_position(self, position):
        t = time.perf_counter()
        if self.window[0] <= t < self.window[1]:
            self.positions += 1
            unit_id = position["unit_id"]
            last = self.position_last.get(unit_id)
            if last is not None:
                self.min_gap_s = min(self.min_gap_s, t - last)
            self.position_last[unit_id] = t

    def _on_positions(self, batch):
        for position in batch["items"]:
            self._on_position(position)

    def count_positions(self, start, end):
        self.window = (start, end)
        self.positions, self.position_last, self.min_gap_s = 0, {}, math.inf

    async def connect(self, url, token):
        self.ready = asyncio.Event()
        auth = {"token": token} if self.bare else {"token": token, "positions": self.positions_mode}
        await self.sio.connect(url, auth=auth, transports=["websocket"], wait_timeout=REQUEST_TIMEOUT)
        if self.bare:
            self.ready.set()   # no snapshot there: connected is live
        await asyncio.wait_for(self.ready.wait(), REQUEST_TIMEOUT)   # ours: live once the snapshot came


async def connect_all(clients, url, tokens):
    """Connect ``clients`` (each with its token), CONNECT_BATCH at a time."""
    for i in range(0, len(clients), CONNECT_BATCH):
        batch = clients[i:i + CONNECT_BATCH]
        await asyncio.gather(*(c.connect(url, t) for c, t in zip(batch, tokens[i:i + CONNECT_BATCH])))


async def disconnect_all(clients):
    await asyncio.gather(*(c.sio.disconnect() for c in clients), return_exceptions=True)


class Crew:
    """A crew's phone: an AsyncClient that sends ``location`` commands."""

    def __init__(self):
        self.sio = socketio.AsyncClient(reconnection=False)

    async def connect(self, url, token):
        await self.sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=REQUEST_TIMEOUT)


# --- changes -------------------------------------------------------------------------------

class Errors:
    def __init__(self):
        self.n = 0
        self.samples = []
        self.lock = threading.Lock()

    def add(self, detail):
        with self.lock:
            self.n += 1
            if len(self.samples) < 5:
                self.samples.append(detail)
                log(f"    error: {detail}")


class StatusChanger:
    """A supervisor toggles units available <-> out_of_service through REST, one at a time."""

    def __init__(self, base, token, unit_ids, errors):
        self.base = base
        self.http = new_session(token)
        self.unit_ids = unit_ids
        self.errors = errors
        self.turn = itertools.count()
        r = self.http.get(f"{base}/api/units", timeout=REQUEST_TIMEOUT)   # where the last changes left them
        r.raise_for_status()
        self.status = {u["id"]: u["status"] for u in r.json()["items"]}

    def change(self):
        """One change; returns ((unit_id, version), perf_counter before the request, perf_counter when its
        answer was in), or None when it failed."""
        unit_id = self.unit_ids[next(self.turn) % len(self.unit_ids)]
        target = "available" if self.status.get(unit_id, "available") == "out_of_service" else "out_of_service"
        try:
            t0 = time.perf_counter()
            r = self.http.post(f"{self.base}/api/units/{unit_id}/status", json={"status": target},
                               timeout=REQUEST_TIMEOUT)
            t = time.perf_counter()
        except requests.RequestException as exc:
            self.errors.add(f"status: {type(exc).__name__}: {exc}")
            return None
        if r.status_code != 200:
            self.errors.add(f"status: {r.status_code} {r.text[:200]}")
            got = self.http.get(f"{self.base}/api/units/{unit_id}", timeout=REQUEST_TIMEOUT)
            if got.ok:
                self.status[unit_id] = got.json()["status"]
            return None
        unit = r.json()["unit"]
        self.status[unit_id] = unit["status"]
        return (unit_id, unit["version"]), t0, t


class BareEmitter:
    """The baseline's change: POST /emit with a copy of one of our events (a fresh version)."""

    versions = itertools.count(10**9)

    def __init__(self, base, sample, errors):
        self.url = f"{base}/emit"
        self.http = new_session()
        self.sample = sample
        self.errors = errors

    def change(self):
        event = copy.deepcopy(self.sample)
        event["data"]["unit"]["version"] = version = next(self.versions)
        try:
            t0 = time.perf_counter()
            r = self.http.post(self.url, json={"name": "event", "data": event}, timeout=REQUEST_TIMEOUT)
            t = time.perf_counter()
        except requests.RequestException as exc:
            self.errors.add(f"emit: {type(exc).__name__}: {exc}")
            return None
        if r.status_code != 200:
            self.errors.add(f"emit: {r.status_code} {r.text[:200]}")
            return None
        return (event["unit_id"], version), t0, t


def measure_deliveries(changer, consoles, n_changes, *, warmup, timeout, pause=0.0, until=None):
    """Make changes one at a time, each waited for (at most ``timeout``) on every console.

    ``until``: a callable; stop when it says so instead of after ``n_changes``."""
    deliveries = Deliveries()
    for c in consoles:
        c.deliveries = deliveries
    numbers = [c.number for c in consoles]
    sent = []
    i = 0
    while (i < warmup + n_changes) if until is None else not until():
        done = changer.change()
        if done is not None:
            deliveries.wait(done[0], len(consoles), timeout)
            if i >= warmup:
                sent.append(done)
        i += 1
        if pause:
            time.sleep(pause)
    deadline = time.monotonic() + timeout   # stragglers get the full timeout after the last change
    for key, _, _ in sent:
        deliveries.wait(key, len(consoles), max(0.0, deadline - time.monotonic()))
    latencies, from_start, lost = deliveries.latencies(sent, numbers)
    requests_ms = sorted((t_answer - t_start) * 1000 for _, t_start, t_answer in sent)
    for c in consoles:
        c.deliveries = None
    return {"changes": len(sent), "deliveries": len(latencies), "lost": lost, "duplicates": deliveries.duplicates,
            "early": sum(1 for x in latencies if x <= 0), **summary(latencies),
            "request_p50_ms": percentile(requests_ms, 50),
            "from_start_p50_ms": percentile(from_start, 50), "from_start_p99_ms": percentile(from_start, 99)}


def summary(latencies):
    return {"p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
            "max_ms": latencies[-1] if latencies else float("nan"),
            "min_ms": latencies[0] if latencies else float("nan")}


# --- part 1: delivery latency --------------------------------------------------------------

def part1(loop, url, label, counts, make_changer, console_tokens, args, bare=False):
    """Grow the set of consoles to each count and measure deliveries at that size."""
    consoles, rows = [], []
    try:
        for n in counts:
            new = [Console(len(consoles) + i, bare=bare) for i in range(n - len(consoles))]
            t0 = time.perf_counter()
            loop.run(connect_all(new, url, [console_tokens[c.number % len(console_tokens)] for c in new]))
            connect_s = time.perf_counter() - t0
            consoles += new
            log(f"[{label}] {n} consoles connected ({connect_s:.1f}s for {len(new)}); {args.changes} changes")
            r = measure_deliveries(make_changer(), consoles, args.changes, warmup=args.warmup, timeout=args.timeout)
            rows.append({"server": label, "clients": n, "connected": len(new), "connect_s": connect_s, **r})
        sample = next((c.sample_event for c in consoles if c.sample_event), None)
    finally:
        loop.run(disconnect_all(consoles))
    return rows, sample


# --- part 2: sustained location updates ----------------------------------------------------

class Track:
    """A unit driving round a circle of about 900 m radius; fixes with strictly rising times."""

    def __init__(self, i, n):
        self.lat0, self.lon0 = station(i, n)
        self.angle = 2 * math.pi * i / max(n, 1)
        self.radius = 0.008
        self.last = datetime.now(UTC) - timedelta(seconds=1)

    def next_fix(self, speed_mps, dt):
        self.angle += speed_mps * dt / (self.radius * 111_320)
        now = datetime.now(UTC)
        self.last = now if now > self.last else self.last + timedelta(milliseconds=1)
        heading = (math.degrees(self.angle) + 90) % 360
        return {"lat": round(self.lat0 + self.radius * math.sin(self.angle), 7),
                "lon": round(self.lon0 + self.radius * math.cos(self.angle), 7),
                "recorded_at": self.last.isoformat(), "accuracy_m": 8.0, "speed_mps": speed_mps,
                "heading": round(heading, 1)}


class FixStats:
    def __init__(self):
        self.sent = self.skipped = self.accepted = self.not_applied = 0
        self.latencies = []
        self.errors = Errors()


async def drive_unit(i, n, send, t_start, t_end, period, stats):
    """One unit: a fix every ``period`` s from its own phase on; one in flight at a time."""
    track = Track(i, n)
    next_t = t_start + period * i / n
    while next_t < t_end:
        delay = next_t - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        body = track.next_fix(12.0, period)
        t0 = time.perf_counter()
        try:
            ok, applied, detail = await send(body)
        except (aiohttp.ClientError, socketio.exceptions.SocketIOError, TimeoutError, OSError, ValueError,
                KeyError) as exc:
            # transport failures, timeouts, unreadable answers: counted, never fatal
            ok, applied, detail = False, False, f"{type(exc).__name__}: {exc}"
        stats.latencies.append((time.perf_counter() - t0) * 1000)
        stats.sent += 1
        if not ok:
            stats.errors.add(f"fix for unit {i + 1}: {detail}")
        elif applied:
            stats.accepted += 1
        else:
            stats.not_applied += 1
        next_t += period
        now = time.perf_counter()
        while next_t < min(now, t_end):   # behind schedule: those fixes were never offered in time
            next_t += period
            stats.skipped += 1


async def run_fixes(mode, base, unit_ids, crew_tokens, crews, t_start, t_end, period, stats):
    n = len(unit_ids)
    if mode == "socket":
        def sender(i):
            async def send(body):
                ack = await crews[i].sio.call("location", body, timeout=REQUEST_TIMEOUT)
                if ack.get("ok"):
                    return True, ack.get("applied"), None
                return False, False, json.dumps(ack.get("error"))[:200]
            return send
        await asyncio.gather(*(drive_unit(i, n, sender(i), t_start, t_end, period, stats) for i in range(n)))
        return
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=0, force_close=True)   # Werkzeug closes every connection anyway
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        def sender(i):
            url = f"{base}/api/units/{unit_ids[i]}/location"
            headers = {"Authorization": f"Bearer {crew_tokens[i]}"}

            async def send(body):
                async with http.post(url, json=body, headers=headers) as r:
                    if r.status == 200:
                        return True, (await r.json())["applied"], None
                    return False, False, f"{r.status} {(await r.text())[:200]}"
            return send
        await asyncio.gather(*(drive_unit(i, n, sender(i), t_start, t_end, period, stats) for i in range(n)))


def part2(loop, base, mode, unit_ids, tokens, crew_tokens, args, status_errors, positions="batch"):
    n_units = len(unit_ids)
    consoles = [Console(i) for i in range(args.load_consoles)]
    for console in consoles:
        console.positions_mode = positions
    label = f"{mode}/{positions}"
    crews = [Crew() for _ in unit_ids] if mode == "socket" else []
    changer = StatusChanger(base, tokens["supervisor"], unit_ids, status_errors)
    try:
        loop.run(connect_all(consoles, base, [tokens["supervisor"]] * len(consoles)))
        if crews:
            loop.run(connect_all(crews, base, crew_tokens))
        log(f"[part 2/{label}] {len(consoles)} consoles, {len(crews)} crew connections; quiet status changes")
        quiet = measure_deliveries(changer, consoles, args.load_changes, warmup=args.warmup,
                                   timeout=args.timeout, pause=args.status_interval)
        log(f"[part 2/{label}] {n_units} units x {args.fix_rate}/s fixes for {args.duration}s, with status changes")
        stats = FixStats()
        t_start = time.perf_counter() + 0.5
        t_end = t_start + args.duration
        for c in consoles:
            c.count_positions(t_start, t_end)
        cpu0, server0 = time.process_time(), children_cpu_s()
        load = loop.submit(run_fixes(mode, base, unit_ids, crew_tokens, crews, t_start, t_end,
                                     1.0 / args.fix_rate, stats))
        time.sleep(max(0.0, t_start - time.perf_counter()) + 1.0)   # changes start once the load runs
        loaded = measure_deliveries(changer, consoles, 0, warmup=0, timeout=args.timeout,
                                    pause=args.status_interval, until=lambda: time.perf_counter() > t_end - 0.5)
        load.result(args.duration + REQUEST_TIMEOUT * 2)
        wall = time.perf_counter() - t_start
        cpu, server_cpu = time.process_time() - cpu0, children_cpu_s() - server0
        time.sleep(1.5)  # positions still queued arrive (outside the counting window: not counted)
    finally:
        loop.run(disconnect_all(consoles + crews))
    lat = sorted(stats.latencies)
    offered = stats.sent + stats.skipped
    per_console = [c.positions / args.duration for c in consoles]
    fixes = {"mode": label, "duration_s": args.duration, "offered_per_s": offered / args.duration,
             "sent_per_s": stats.sent / args.duration, "accepted_per_s": stats.accepted / args.duration,
             "offered": offered, "sent": stats.sent, "skipped": stats.skipped, "accepted": stats.accepted,
             "not_applied": stats.not_applied, "errors": stats.errors.n, "error_samples": stats.errors.samples,
             "fix_p50_ms": percentile(lat, 50), "fix_p99_ms": percentile(lat, 99),
             "positions_per_console_s_mean": sum(per_console) / len(per_console) if per_console else float("nan"),
             "positions_per_console_s_min": min(per_console, default=float("nan")),
             "min_gap_ms": min((c.min_gap_s for c in consoles), default=math.inf) * 1000,
             "server_cpu_pct": 100 * server_cpu / wall, "bench_cpu_pct": 100 * cpu / wall}
    status = [{"mode": label, "phase": "quiet", "clients": len(consoles), **quiet},
              {"mode": label, "phase": "under load", "clients": len(consoles), **loaded}]
    return fixes, status


# --- output --------------------------------------------------------------------------------

def fmt_ms(x):
    if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return "-"
    return f"{x:.1f}" if abs(x) < 1000 else f"{x:.0f}"


def table(headers, lines, left=1):
    """Columns aligned: the first ``left`` ones to the left, the others (numbers) to the right."""
    lines = [[str(c) for c in line] for line in lines]
    widths = [max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(headers)]

    def row(cells):
        return "  ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    print(row(headers))
    print("  ".join("-" * w for w in widths))
    for line in lines:
        print(row(line))


def ratio(a, b):
    """``a / b`` as ``1.5x``; ``-`` when either is not above zero (an early delivery is no base)."""
    if a is None or b is None or math.isnan(a) or math.isnan(b) or a <= 0 or b <= 0:
        return "-"
    return f"{a / b:.1f}x"


def code_version():
    """The commit under test, marked ``+changes`` when dispatch/ has uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "dispatch", "wsgi.py", "config.py"], cwd=ROOT,
                               capture_output=True, text=True, check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def print_results(results, args):
    print(f"# code: {results['code']}")
    print(f"# machine: {os.cpu_count()} CPUs, {platform.machine()}, Linux {platform.release()}, "
          f"python {platform.python_version()}, python-socketio {version('python-socketio')}, "
          f"aiohttp {version('aiohttp')}")
    print(f"# database: {args.db}; server: python wsgi.py (Werkzeug threaded, simple-websocket), one process; "
          f"clients: socketio.AsyncClient (websocket) in one asyncio thread of the bench process")
    print(f"# settings: clients {','.join(map(str, args.clients))}, {args.changes} changes per size "
          f"(+{args.warmup} warm-up), timeout {args.timeout:g}s; load: {args.units} units x {args.fix_rate:g} fixes/s "
          f"for {args.duration:g}s, {args.load_consoles} consoles, a status change every {args.status_interval:g}s, "
          f"modes {','.join(args.modes)}, consoles' positions {','.join(args.positions)}")
    print("# latency = the REST call (or POST /emit) returned in the bench -> the client handled the event; "
          "the event may come before the HTTP answer is read: 'early' counts those (<= 0 ms, kept as they are)")

    part1_rows = results["delivery"]
    if part1_rows:
        print()
        print("## 1. Delivery latency of a unit.status_changed event (ours) vs a bare python-socketio broadcast")
        lines = [[r["server"], r["clients"], f"{r['connect_s']:.1f}", r["changes"], r["deliveries"], r["lost"],
                  r["early"], fmt_ms(r["min_ms"]), fmt_ms(r["p50_ms"]), fmt_ms(r["p99_ms"]), fmt_ms(r["max_ms"]),
                  fmt_ms(r["request_p50_ms"]), fmt_ms(r["from_start_p50_ms"]), fmt_ms(r["from_start_p99_ms"])]
                 for r in part1_rows]
        table(["server", "clients", "connect s", "changes", "deliveries", "lost", "early", "min ms", "p50 ms",
               "p99 ms", "max ms", "request p50", "e2e p50", "e2e p99"], lines)
        print("connect s: seconds to connect the clients added at this size (ours: until their snapshots came); "
              "min/p50/p99/max: from the HTTP answer to the client; request p50: the POST itself; "
              "e2e: from the start of the POST to the client (never negative)")
        ours = {r["clients"]: r for r in part1_rows if r["server"] == "ours"}
        bare = {r["clients"]: r for r in part1_rows if r["server"] == "bare"}
        print()
        table(["clients", "p50 ours/bare", "p99 ours/bare", "e2e p50 ours/bare", "e2e p99 ours/bare"],
              [[n, ratio(o["p50_ms"], bare[n]["p50_ms"]), ratio(o["p99_ms"], bare[n]["p99_ms"]),
                ratio(o["from_start_p50_ms"], bare[n]["from_start_p50_ms"]),
                ratio(o["from_start_p99_ms"], bare[n]["from_start_p99_ms"])]
               for n, o in ours.items() if n in bare])
        print("'-': a p50 at or below zero (most deliveries came before the HTTP answer) makes no ratio")
        for r in part1_rows:
            if r["server"] == "ours" and r["clients"] == TARGET_CLIENTS:
                verdict = "met" if r["p99_ms"] < TARGET_P99_MS and not r["lost"] else "MISSED"
                print(f"target: p99 < {TARGET_P99_MS:.0f} ms at {TARGET_CLIENTS} clients: "
                      f"{fmt_ms(r['p99_ms'])} ms, {verdict}")

    if results["fixes"]:
        print()
        print("## 2a. Sustained location fixes (one crew per unit; a unit waits for each answer)")
        lines = [[f["mode"], f"{f['offered_per_s']:.0f}", f"{f['sent_per_s']:.0f}", f"{f['accepted_per_s']:.0f}",
                  f["skipped"], f["not_applied"], f["errors"], fmt_ms(f["fix_p50_ms"]), fmt_ms(f["fix_p99_ms"]),
                  f"{f['positions_per_console_s_mean']:.0f}", f"{f['positions_per_console_s_min']:.0f}",
                  fmt_ms(f["min_gap_ms"]), f"{f['server_cpu_pct']:.0f}%", f"{f['bench_cpu_pct']:.0f}%"]
                 for f in results["fixes"]]
        table(["mode", "offered/s", "sent/s", "accepted/s", "skipped", "not applied", "errors", "fix p50 ms",
               "fix p99 ms", "pos/s/console", "min", "min gap ms", "server CPU", "bench CPU"], lines)
        print("offered = sent + skipped (fixes a unit could not send on time because its previous one was still "
              "waiting); pos/s/console: position messages per console per second, mean and lowest console (at most "
              "one per unit per second: up to the number of units); min gap: shortest time between two positions of "
              "one unit at one console")
        print()
        print(f"## 2b. Status event delivery to the {args.load_consoles} consoles, quiet vs under the fix load")
        quiet = {s["mode"]: s for s in results["load_status"] if s["phase"] == "quiet"}
        lines = []
        for s in results["load_status"]:
            q = quiet[s["mode"]] if s["phase"] != "quiet" else None
            lines.append([s["mode"], s["phase"], s["changes"], s["deliveries"], s["lost"], s["early"],
                          fmt_ms(s["p50_ms"]), fmt_ms(s["p99_ms"]), fmt_ms(s["max_ms"]),
                          ratio(s["p50_ms"], q["p50_ms"]) if q else "", ratio(s["p99_ms"], q["p99_ms"]) if q else "",
                          fmt_ms(s["request_p50_ms"]), fmt_ms(s["from_start_p50_ms"]),
                          fmt_ms(s["from_start_p99_ms"])])
        table(["mode", "phase", "changes", "deliveries", "lost", "early", "p50 ms", "p99 ms", "max ms",
               "p50 vs quiet", "p99 vs quiet", "request p50", "e2e p50", "e2e p99"], lines, left=2)


# --- main ----------------------------------------------------------------------------------

@contextmanager
def database(args):
    if args.db == "postgres":
        with postgres_database(args.pg_admin_url) as url:
            yield url
    else:
        with sqlite_database() as url:
            yield url


def run(args):
    results = {"code": code_version(), "delivery": [], "fixes": [], "load_status": []}
    request_errors = Errors()
    n_units = args.units
    workdir = tempfile.mkdtemp(prefix="psc119_rtbench_")
    loop = LoopThread()
    try:
        with database(args) as url:
            log(f"[{args.db}] migrating {url}")
            migrate(url, workdir)
            t0 = time.perf_counter()
            unit_ids = populate(url, n_units)
            log(f"[{args.db}] {n_units} units and crews created in {time.perf_counter() - t0:.1f}s; starting the server")
            with running_server("python", url, workdir, **MANY_CLIENTS_ONE_ADDRESS) as (base, log_path):
                tokens = {"supervisor": login(base, "rt_sup"), "operator": login(base, "rt_op")}
                with ThreadPoolExecutor(8) as pool:
                    crew_tokens = list(pool.map(lambda i: login(base, crew_name(i)), range(n_units)))
                console_tokens = [tokens["supervisor"], tokens["operator"]]
                sample = None
                if args.clients:
                    rows, sample = part1(loop, base, "ours", args.clients,
                                         lambda: StatusChanger(base, tokens["supervisor"], unit_ids, request_errors),
                                         console_tokens, args)
                    results["delivery"] += rows
                    if sample is None:
                        raise RuntimeError("no status event reached a console: nothing to replay on the bare server")
                    log("[bare] starting the bare python-socketio server")
                    with bare_server(workdir) as bare_base:
                        rows, _ = part1(loop, bare_base, "bare", args.clients,
                                        lambda: BareEmitter(bare_base, sample, request_errors),
                                        ["bare-token"], args, bare=True)
                    results["delivery"] += rows
                for mode, positions in itertools.product(args.modes, args.positions):
                    fixes, status = part2(loop, base, mode, unit_ids, tokens, crew_tokens, args, request_errors,
                                          positions)
                    results["fixes"].append(fixes)
                    results["load_status"] += status
                with open(log_path) as fh:
                    tracebacks = fh.read().count("Traceback (most recent call last)")
                if tracebacks:
                    log(f"server log holds {tracebacks} traceback(s): {log_path}")
                    args.keep_logs = True
    finally:
        loop.close()
        if args.keep_logs:
            log(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results["request_errors"] = request_errors.n
    results["request_error_samples"] = request_errors.samples
    return results


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--clients", default="1,50,200",
                   help="console counts for part 1, ascending (default 1,50,200; empty: skip part 1)")
    p.add_argument("--changes", type=int, default=200, help="measured status changes per console count (default 200)")
    p.add_argument("--warmup", type=int, default=5, help="unmeasured changes first (default 5)")
    p.add_argument("--timeout", type=float, default=10.0,
                   help="seconds to wait for every console to get a change before going on; "
                        "what has not come after the last change and this long is lost (default 10)")
    p.add_argument("--modes", default="socket,rest",
                   help="part 2: how fixes are sent, socket and/or rest (default socket,rest; empty: skip part 2)")
    p.add_argument("--positions", default="batch",
                   help="part 2: how the consoles take positions: batch (one `positions` message a second) "
                        "and/or each (one `position` message per unit) (default batch)")
    p.add_argument("--units", type=int, default=200, help="units, one crew each, sending fixes (default 200)")
    p.add_argument("--fix-rate", type=float, default=2.5, help="fixes per unit per second (default 2.5)")
    p.add_argument("--duration", type=float, default=20.0, help="seconds of fix load per mode (default 20)")
    p.add_argument("--load-consoles", type=int, default=50, help="consoles connected during the load (default 50)")
    p.add_argument("--load-changes", type=int, default=40,
                   help="status changes measured quiet, before each load (default 40)")
    p.add_argument("--status-interval", type=float, default=0.25,
                   help="pause between two status changes in part 2 (default 0.25 s)")
    p.add_argument("--pg-admin-url", default=os.environ.get("BENCH_PG_ADMIN_URL",
                                                            "postgresql://postgres@127.0.0.1:5432/postgres"),
                   help=f"PostgreSQL URL used to create and drop the database {PG_DATABASE}")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON (e.g. bench/results/rt.json)")
    p.add_argument("--keep-logs", action="store_true", help="keep the server logs (kept anyway on tracebacks)")
    p.add_argument("--bare-server", action="store_true", help=argparse.SUPPRESS)   # the baseline's subprocess
    args = p.parse_args(argv)
    try:
        args.clients = [int(x) for x in args.clients.split(",") if x.strip()]
    except ValueError:
        p.error("--clients is a comma-separated list of whole numbers")
    if args.clients != sorted(set(args.clients)) or any(not 1 <= n <= 1000 for n in args.clients):
        p.error("--clients must be ascending, distinct, 1..1000")
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if any(m not in ("socket", "rest") for m in args.modes):
        p.error("--modes: socket and/or rest")
    args.positions = [m.strip() for m in args.positions.split(",") if m.strip()]
    if not args.positions or any(m not in ("batch", "each") for m in args.positions):
        p.error("--positions: batch and/or each")
    if not 1 <= args.units <= 1000:
        p.error("--units must be 1..1000")
    if args.changes < 1 or args.load_changes < 1 or args.warmup < 0:
        p.error("--changes and --load-changes must be >= 1, --warmup >= 0")
    if not (0 < args.fix_rate <= 10 and 1 <= args.duration <= 600 and args.timeout > 0):
        p.error("--fix-rate 0..10 (the socket allows 10 commands/s), --duration 1..600 s, --timeout > 0")
    if args.load_consoles < 1:
        p.error("--load-consoles must be >= 1")
    if not args.pg_admin_url.startswith("postgresql://127.0.0.1") and "@127.0.0.1" not in args.pg_admin_url:
        p.error("--pg-admin-url must point at 127.0.0.1")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.bare_server:
        return serve_bare(int(os.environ["PORT"]))
    started = time.perf_counter()
    results = run(args)
    print_results(results, args)
    lost = sum(r["lost"] + r["duplicates"] for r in results["delivery"] + results["load_status"])
    fix_errors = sum(f["errors"] for f in results["fixes"])
    print(f"\n# {time.perf_counter() - started:.0f}s; request errors {results['request_errors']}, "
          f"fix errors {fix_errors}, lost or duplicated deliveries {lost}")
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)) or ".", exist_ok=True)
        with open(args.json, "w") as fh:
            json.dump({"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                   "platform": platform.platform()},
                       "args": {k: v for k, v in vars(args).items() if k not in ("pg_admin_url", "bare_server")},
                       **results}, fh, indent=2, default=str)
    return 1 if results["request_errors"] or fix_errors or lost else 0


if __name__ == "__main__":
    sys.exit(main())
