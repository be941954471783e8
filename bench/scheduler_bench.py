"""The scheduler's pass and the offer of a freed unit (issue 14's targets).

1. **One pass of the scheduler** over ``--incidents`` open incidents (default 1,000) and
   ``--units`` units (default 200) on PostgreSQL (a database ``psc119_bench``, created and
   dropped) or with ``--db sqlite`` a temporary file: 150 units on jobs in every phase, the rest
   free, the other incidents waiting (a quarter of them P1), 50 dropped calls waiting for a
   call-back, the hospitals of the demo. Each job of ``core/scheduled.py`` is run ``--passes``
   times on this thread (``Scheduler.run_once``) in the steady state (the first pass, which
   raises every alert, is timed apart), then all of them together: one pass. Baseline, in the
   same run: the same pass over an empty database, and one ``SELECT 1`` through a session.
   Target: a pass under 20 ms. The app is frozen as a serving process freezes it at its first
   request (``gc.freeze()``, ``GC_FREEZE``): without it Python's full collections walk the road graph and the gazetteer and stall
   about one pass in a hundred by 80-100 ms.

2. **A freed unit's offer reaching the consoles.** The app on a real threaded HTTP server, one
   python-socketio console (supervisor); ``--offers`` times, a P1 waits beside a unit that a
   supervisor takes out of service and brings back (``POST /api/units/<id>/status``): the time
   from that request's answer to the console's ``incident.unit_offered``. Baseline, in the same
   run and on the same console: the time to the ``unit.status_changed`` event of the same
   request (the push of the change itself). Target: p99 under 200 ms.

    .venv/bin/python bench/scheduler_bench.py                 # PostgreSQL
    .venv/bin/python bench/scheduler_bench.py --db sqlite --passes 50 --offers 30
"""
import argparse
import os
import queue
import random
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, nullcontext
from datetime import timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from api_latency import PASSWORD, log, migrate, percentile, postgres_database  # noqa: E402

NEAR = (-0.0210, 109.3400)


def app_for(url):
    """The app as a serving process has it after its first request (gc.freeze(), GC_FREEZE)."""
    import gc

    from config import DevelopmentConfig
    from dispatch import create_app

    app = create_app(type("BenchConfig", (DevelopmentConfig,), {"DATABASE_URL": url, "SCHEDULER_AUTOSTART": False}))
    gc.collect()
    gc.freeze()
    return app


def fill(app, *, incidents, units, rng):
    """Units and incidents through the ORM, in bulk (the bench times the jobs, not the filling)."""
    from dispatch.core import auth, clock
    from dispatch.core import units as unit_service
    from dispatch.extensions import db
    from dispatch.models import Assignment, Call, Hospital, Incident, Unit

    now = clock.utcnow()
    with app.app_context():
        session = db.new_session()
        auth.create_user(session, actor=None, username="bench_sup", role="supervisor", password=PASSWORD)
        for i in range(units):
            unit_service.create_unit(session, actor=None, call_sign=f"B-{i:03d}", capability="ALS" if i % 3 else "BLS",
                                     station_name=f"Pos {i}", lat=-0.07 + rng.random() * 0.09,
                                     lon=109.29 + rng.random() * 0.09)
        for i in range(8):
            session.add(Hospital(name=f"RS Bench {i}", address="Jl. Bench", lat=-0.05 + i * 0.01, lon=109.33,
                                 status="open", updated_at=now - timedelta(hours=i * 3)))
        all_units = list(session.query(Unit).order_by(Unit.id))
        phases = ["dispatched", "en_route", "on_scene", "transporting", "at_hospital"]
        for n in range(incidents):
            created = now - timedelta(seconds=rng.randint(10, 3600))
            incident = Incident(reference=f"BENCH-{n}", category="cardiac", priority=("P1", "P2", "P3", "P2")[n % 4],
                                status="pending", lat=-0.07 + rng.random() * 0.09, lon=109.29 + rng.random() * 0.09,
                                location_source="given", location_precision="exact", created_at=created,
                                updated_at=created)
            session.add(incident)
            session.flush()
            if n < 150:
                unit, phase = all_units[n], phases[n % len(phases)]
                unit.status = phase
                incident.status = {"en_route": "dispatched", "at_hospital": "transporting"}.get(phase, phase)
                session.add(Assignment(incident_id=incident.id, unit_id=unit.id, status=phase, active=True,
                                       dispatched_at=created, accepted_at=created if n % 2 else None,
                                       on_scene_at=created if phase in ("on_scene", "transporting", "at_hospital") else None,
                                       at_hospital_at=created if phase == "at_hospital" else None))
        for n in range(50):
            session.add(Call(received_at=now - timedelta(minutes=n), caller_phone=f"+62812{n:07d}",
                             caller_flags=[], disposition="dropped"))
        session.commit()
        session.close()


def time_jobs(app, passes):
    """{job: [seconds]} in the steady state, plus "pass" (all jobs) and "first pass"."""
    scheduler = app.extensions["psc_scheduler"]
    names = [n for n in scheduler._jobs]
    with app.app_context():
        started = time.perf_counter()
        scheduler.run_once(*names)
        first = time.perf_counter() - started
        times = {n: [] for n in names}
        times["pass"] = []
        for _ in range(passes):
            whole = time.perf_counter()
            for name in names:
                t = time.perf_counter()
                scheduler.run_once(name)
                times[name].append(time.perf_counter() - t)
            times["pass"].append(time.perf_counter() - whole)
        times["first pass"] = [first]
        from sqlalchemy import text

        from dispatch.extensions import db

        times["SELECT 1"] = []
        for _ in range(passes):
            t = time.perf_counter()
            with db.new_session() as session:
                session.execute(text("SELECT 1"))
            times["SELECT 1"].append(time.perf_counter() - t)
    return times


def print_table(title, rows):
    print(f"\n{title}\n")
    print(f"| {'what':<44} | {'n':>5} | {'p50 ms':>8} | {'p99 ms':>8} |")
    print(f"|{'-' * 46}|{'-' * 7}|{'-' * 10}|{'-' * 10}|")
    for name, samples in rows:
        ordered = sorted(samples)
        print(f"| {name:<44} | {len(ordered):>5} | {percentile(ordered, 50) * 1000:>8.2f} | "
              f"{percentile(ordered, 99) * 1000:>8.2f} |")


def offers(url, n):
    """(offer latencies, status event latencies) in seconds, from the REST answer."""
    import requests
    import socketio
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Handler(WSGIRequestHandler):
        protocol_version = "HTTP/1.0"     # one request per connection (a websocket takes its over)

        def log_request(self, *args):
            pass

    from dispatch.core import auth
    from dispatch.core import units as unit_service
    from dispatch.extensions import db

    app = app_for(url)
    with app.app_context():
        session = db.new_session()
        auth.create_user(session, actor=None, username="offer_sup", role="supervisor", password=PASSWORD)
        unit = unit_service.create_unit(session, actor=None, call_sign="OFFER-1", capability="ALS",
                                        station_name="Pos", lat=NEAR[0], lon=NEAR[1] + 0.001)
        unit_id = unit.id
        session.close()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    http = requests.Session()
    http.trust_env = False
    token = http.post(f"{base}/api/auth/login", json={"username": "offer_sup", "password": PASSWORD}).json()["token"]
    http.headers["Authorization"] = f"Bearer {token}"
    got = queue.Queue()
    client = socketio.Client()
    client.on("event", lambda e: got.put((time.perf_counter(), e)))
    client.on("snapshot", lambda s: got.put((time.perf_counter(), {"type": "snapshot"})))
    client.connect(base, auth={"token": token}, transports=["websocket"])
    offered, status = [], []
    try:
        while got.get(timeout=10)[1]["type"] != "snapshot":
            pass
        for i in range(n):
            r = http.post(f"{base}/api/calls", json={"caller_phone": "0811573119", "lat": NEAR[0], "lon": NEAR[1],
                                                     "category": "cardiac", "priority": "P1"})
            incident_id = r.json()["incident"]["id"]
            assert http.post(f"{base}/api/units/{unit_id}/status", json={"status": "out_of_service"}).ok
            r = http.post(f"{base}/api/units/{unit_id}/status", json={"status": "available"})
            answered = time.perf_counter()
            version = r.json()["unit"]["version"]
            seen_status = seen_offer = None
            while seen_offer is None:
                at, event = got.get(timeout=10)
                if event["type"] == "unit.status_changed" and event["data"]["unit"]["version"] == version:
                    seen_status = at
                if event["type"] == "incident.unit_offered" and event["incident_id"] == incident_id:
                    seen_offer = at
            status.append(max(0.0, seen_status - answered))
            offered.append(max(0.0, seen_offer - answered))
            # The incident is taken (so the next offer is the next incident's).
            http.post(f"{base}/api/incidents/{incident_id}/cancel", json={"reason": "bench"})
    finally:
        client.disconnect()
        server.shutdown()
        app.extensions["psc_hub"].stop()
    return offered, status


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--pg-admin-url", default=os.environ.get("BENCH_PG_URL",
                                                                 "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--passes", type=int, default=100)
    parser.add_argument("--offers", type=int, default=50)
    parser.add_argument("--seed", type=int, default=119)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    @contextmanager
    def database(work, name):
        if args.db == "postgres":
            with postgres_database(args.pg_admin_url) as url:
                yield url
        else:
            yield f"sqlite:///{os.path.join(work, name)}"

    with tempfile.TemporaryDirectory() as work:
        results = []
        for label, incidents, units in (("empty database (baseline)", 0, 0),
                                        (f"{args.incidents} incidents, {args.units} units", args.incidents, args.units)):
            with database(work, f"{incidents}.sqlite3") as url:
                migrate(url, work)
                app = app_for(url)
                fill(app, incidents=incidents, units=units, rng=rng)
                times = time_jobs(app, args.passes)
                app.extensions["psc_hub"].stop()
                results.append((label, times))
                if incidents:
                    log(f"{label}: one pass p99 {percentile(sorted(times['pass']), 99) * 1000:.1f} ms (target < 20 ms)")
        for label, times in results:
            print_table(f"Scheduler pass, {args.db}: {label}", [(k, v) for k, v in times.items()])
        with database(work, "offers.sqlite3") as url:
            migrate(url, work)
            offered, status = offers(url, args.offers)
        print_table(f"A freed unit's offer reaching a console, {args.db} (target p99 < 200 ms)",
                    [("unit.status_changed pushed (baseline)", status), ("incident.unit_offered pushed", offered)])


if __name__ == "__main__":
    with nullcontext():
        main()
