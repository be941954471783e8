"""Fixtures: a migrated database per test (SQLite by default, PostgreSQL when
TEST_DATABASE_URL is set), the app, a test client, logged-in users of every role,
and a live threaded HTTP server for concurrency tests."""
import json
import os
import queue
import re
import shutil
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import socketio
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import WSGIRequestHandler, make_server

from config import TestingConfig, normalize_database_url
from dispatch import create_app
from dispatch.core import auth, calls as calls_core, units
from dispatch.extensions import db
from dispatch.models import Base, Hospital
from dispatch.core.clock import utcnow

TEST_DATABASE_URL = normalize_database_url(os.environ.get("TEST_DATABASE_URL"))
ON_POSTGRES = bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgresql"))
# Under pytest-xdist (`pytest -n 2`) each worker has a PostgreSQL database of its own, named
# after the one given: psc119_ci -> psc119_ci_gw0, psc119_ci_gw1 (made when missing).
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if ON_POSTGRES and XDIST_WORKER:
    _given = make_url(TEST_DATABASE_URL)
    TEST_DATABASE_URL = _given.set(database=f"{_given.database}_{XDIST_WORKER}").render_as_string(
        hide_password=False)
PASSWORD = "correct-horse-119"
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
GAZETTEER = Path(__file__).resolve().parents[1] / "dispatch" / "data" / "gazetteer.json"
# Reference geography beside the project (../shared, as on every developer machine and in CI).
# Tests that read it skip, saying so, where it is missing.
REFERENCE_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pontianak"


def gazetteer_places(kind):
    """The shipped gazetteer's places of one kind (kecamatan, kelurahan, hospital, ...), as stored."""
    with open(GAZETTEER, encoding="utf-8") as fh:
        return [p for p in json.load(fh)["places"] if p["kind"] == kind]


def pytest_collection_modifyitems(config, items):
    """Mark what CI runs once rather than on both databases (.ci/run, docs/ARCHITECTURE.md):
    ``browser`` for the tests in a real browser (they are about the pages, not the database) and
    ``nodb`` for those that never touch the database under test (no ``database_url`` among their
    fixtures and not marked ``database``: the pure geo library, parsers, configuration, and the
    serving tests, which build databases of their own)."""
    for item in items:
        if "browser" in item.fixturenames:
            item.add_marker(pytest.mark.browser)
        if "database_url" not in item.fixturenames and item.get_closest_marker("database") is None:
            item.add_marker(pytest.mark.nodb)


@pytest.fixture(scope="session")
def redis_url():
    """The real Redis of this machine (CI starts it; CI=true fails where it is missing)."""
    import redis
    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI and is not reachable at {TEST_REDIS_URL}: {exc}")
        pytest.skip(f"Redis not reachable at {TEST_REDIS_URL} ({exc}); .ci/run starts it")
    return TEST_REDIS_URL


def make_config(url, **extra):
    return type("TestConfig", (TestingConfig,), {"DATABASE_URL": url, **extra})


def upgrade(url):
    """Build the schema the way production does: through the Alembic migrations."""
    from flask_migrate import upgrade as alembic_upgrade

    app = create_app(make_config(url))
    with app.app_context():
        alembic_upgrade()
    db.engine.dispose()


def create_postgres_database(url):
    """The database of ``url``, made when missing (an xdist worker's own)."""
    name = make_url(url).database
    engine = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))  # throwaway
    engine.dispose()


def reset_postgres_schema(url):
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    if ON_POSTGRES:
        create_postgres_database(TEST_DATABASE_URL)
        reset_postgres_schema(TEST_DATABASE_URL)
        upgrade(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return str(path)


@pytest.fixture
def database_url(database_template, tmp_path):
    if ON_POSTGRES:
        engine = create_engine(TEST_DATABASE_URL)
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return TEST_DATABASE_URL
    path = tmp_path / "test.sqlite3"
    shutil.copy(database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url):
    app = create_app(make_config(database_url))
    yield app
    # Their threads must not touch the next test's database.
    app.extensions["psc_hub"].stop()
    app.extensions["psc_fixes"].stop()
    db.session.remove()
    db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def fresh(session):
    """End the session's read snapshot and forget loaded objects: the next read sees
    what the server has committed since."""
    session.rollback()
    session.expire_all()
    return session


@pytest.fixture
def session(app):
    """A session for arranging data and checking what was stored. Call ``fresh(session)``
    before reading what a request changed."""
    # No app context is held open here: each request must get (and tear down) its own.
    s = db.new_session()
    yield s
    s.close()


class World:
    """Units, a hospital and one logged-in user per role."""

    def __init__(self, app, client, session):
        self.app, self.client, self.session = app, client, session
        self.unit_a = units.create_unit(session, actor=None, call_sign="PSC-01", capability="ALS",
                                        station_name="Posko", lat=-0.0196, lon=109.3395)
        self.unit_b = units.create_unit(session, actor=None, call_sign="PSC-02", capability="BLS",
                                        station_name="Pos Barat", lat=-0.0158, lon=109.3008)
        self.unit_c = units.create_unit(session, actor=None, call_sign="PSC-03", capability="ALS",
                                        station_name="Pos Utara", lat=-0.0092, lon=109.3345)
        self.hospital = Hospital(name="RSUD dr. Soedarso", short_name="RSUD Soedarso", address="Jl. dr. Soedarso",
                                 lat=-0.0616, lon=109.3646, has_emergency=True, has_icu=True, has_maternity=True,
                                 has_trauma=True, status="open", updated_at=utcnow())
        session.add(self.hospital)
        session.commit()
        self.users = {}
        for name, role, call_sign in (("op", "operator", None), ("sup", "supervisor", None), ("adm", "admin", None),
                                      ("crew_a", "crew", "PSC-01"), ("crew_b", "crew", "PSC-02")):
            self.users[name] = auth.create_user(session, actor=None, username=name, role=role, password=PASSWORD,
                                                unit_call_sign=call_sign)
        self.tokens = {}
        for name in self.users:
            resp = client.post("/api/auth/login", json={"username": name, "password": PASSWORD})
            assert resp.status_code == 200, resp.get_json()
            self.tokens[name] = resp.get_json()["token"]

    def headers(self, who):
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def call(self, who, method, url, **kw):
        return self.client.open(url, method=method, headers=self.headers(who), **kw)

    def get(self, who, url, **kw):
        return self.call(who, "GET", url, **kw)

    def post(self, who, url, json=None, **kw):
        return self.call(who, "POST", url, json=json if json is not None else {}, **kw)

    def patch(self, who, url, json=None, **kw):
        return self.call(who, "PATCH", url, json=json, **kw)

    def new_call(self, who="op", **fields):
        """An emergency call (by default): the whole answer (call, incident, possible_duplicates)."""
        body = {"caller_phone": "0811573119", "location_text": "Jl. Gajah Mada", "lat": -0.035, "lon": 109.335,
                "category": "cardiac", "priority": "P1", **fields}
        resp = self.post(who, "/api/calls", body)
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()

    def new_incident(self, **fields):
        return self.new_call(**fields)["incident"]

    def assign(self, incident_id, unit_id, who="op"):
        return self.post(who, f"/api/incidents/{incident_id}/assign", {"unit_id": unit_id})

    def status(self, unit_id, status, who=None, **extra):
        who = who or {self.unit_a.id: "crew_a", self.unit_b.id: "crew_b"}.get(unit_id, "op")
        return self.post(who, f"/api/units/{unit_id}/status", {"status": status, **extra})

    def events(self, after=0):
        return self.get("sup", f"/api/events?after={after}&limit=1000").get_json()["items"]


@pytest.fixture
def world(app, client, session):
    return World(app, client, session)


class OneRequestPerConnection(WSGIRequestHandler):
    """HTTP/1.0: the connection closes after each request. With keep-alive, Werkzeug goes on
    reading a socket that a websocket has taken over, eats the client's close frame as a
    request line, and every websocket disconnect then waits out the client's 3 s close timeout."""

    protocol_version = "HTTP/1.0"


@pytest.fixture
def live_server(app):
    """The app on a real threaded HTTP server on 127.0.0.1 (an ephemeral port)."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=OneRequestPerConnection)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def http():
    with requests.Session() as s:
        yield s


# --- live consoles (python-socketio clients against live_server) ---------------------------------

DEADLINE_S = 10


def in_wire_order(client):
    """python-socketio's client hands each message to a handler on a new thread, so two messages
    can be recorded out of the order they came in. Handle them on the reader thread, in order."""
    eio = client.eio
    trigger = eio._trigger_event

    def in_order(event, *args, **kwargs):
        if event == "message":
            kwargs["run_async"] = False
        return trigger(event, *args, **kwargs)

    eio._trigger_event = in_order
    return client


class Console:
    """A python-socketio client that keeps every message it receives, in order."""

    def __init__(self, url, token, last_event_id=None, transports=("websocket",)):
        self.messages = queue.Queue()
        self.client = in_wire_order(socketio.Client(reconnection=False))
        for name in ("event", "snapshot", "assignment", "position"):
            self.client.on(name, self._keeper(name))
        self.error = None
        self.client.on("connect_error", self._on_error)
        auth = {"token": token}
        if last_event_id is not None:
            auth["last_event_id"] = last_event_id
        self.url, self.auth, self.transports = url, auth, list(transports)

    def _keeper(self, name):
        def keep(payload):
            self.messages.put((name, payload))
        return keep

    def _on_error(self, data):
        self.error = data

    def connect(self):
        self.client.connect(self.url, auth=self.auth, transports=self.transports, wait_timeout=DEADLINE_S)
        return self

    def next(self, name=None):
        """The next message (of that name: others before it are kept in order and skipped)."""
        while True:
            got, payload = self.messages.get(timeout=DEADLINE_S)
            if name is None or got == name:
                return got, payload

    def events_until(self, last_id):
        out = []
        while not out or out[-1]["id"] < last_id:
            _, event = self.next("event")
            out.append(event)
        return out

    def nothing_more(self):
        """Nothing is waiting (checked after a later message proved the stream has moved on)."""
        return self.messages.empty()

    def close(self):
        if self.client.connected:
            self.client.disconnect()


@pytest.fixture
def consoles(live_server, world):
    opened = []

    def open_console(who, last_event_id=None, token=None):
        console = Console(live_server, token or world.tokens[who], last_event_id)
        opened.append(console)
        return console.connect()

    yield open_console
    for console in opened:
        console.close()


# --- a real headless browser (Playwright driving Debian's chromium) -------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    """Chromium, headless. Missing: the browser tests fail under CI=true (.ci/run installs it)
    and are skipped, saying why, elsewhere."""
    if not os.path.exists(CHROMIUM):
        message = f"chromium not found at {CHROMIUM} (apt-get install chromium; .ci/run does it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def pages(browser, live_server):
    """Open pages, each in a context of its own (a separate person's browser)."""
    contexts = []

    def open_page(path, *, phone=False, who=None, geolocation=None, before=None, timezone="Asia/Pontianak",
                  viewport=(1440, 900)):
        options = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True} if phone \
            else {"viewport": {"width": viewport[0], "height": viewport[1]}}
        if geolocation is not None:
            options.update(geolocation=geolocation, permissions=["geolocation"])
        context = browser.new_context(base_url=live_server, locale="id-ID", timezone_id=timezone, **options)
        contexts.append(context)
        page = context.new_page()
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.console_errors = []
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        # Errors the page logs, a Content-Security-Policy violation among them.
        page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
        if before is not None:
            before(page)   # routes to set up before the page loads
        page.goto(path)
        if who is not None:
            log_in(page, who)
        return page

    yield open_page
    for context in contexts:
        context.close()


def log_in(page, username):
    page.fill("#login-username", username)
    page.fill("#login-password", PASSWORD)
    page.press("#login-password", "Enter")
    page.wait_for_selector("#login", state="hidden")


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


# --- the console's pages: shared by tests/test_page_console*.py -----------------------------------

LIVE_S = 10_000   # ms to wait for a change pushed over the live connection (a busy 2-core machine)


def suggested(page, typed, first):
    """Wait for the suggestions listed for all of ``typed`` (not a list for its first letters, still on
    screen while the answer for the rest comes), ``first`` first."""
    from playwright.sync_api import expect

    expect(page.locator("#suggestions")).to_have_attribute("data-for", typed)
    expect(page.locator("#suggestions li").first).to_contain_text(first)


def call_received(world, monkeypatch, seconds_ago, **fields):
    """A call taken through the API as if it had come in ``seconds_ago``: its incident has waited
    that long (the call's and the incident's times are the ones the server stores)."""
    at = utcnow() - timedelta(seconds=seconds_ago)
    with monkeypatch.context() as m:
        m.setattr(calls_core, "utcnow", lambda: at)
        return world.new_incident(**fields)


def seconds_of(age):
    """'2:05' -> 125, '1:02:03' -> 3723 (time.js's duration())."""
    assert re.fullmatch(r"\d+(:\d\d){1,2}", age), age
    total = 0
    for part in age.split(":"):
        total = total * 60 + int(part)
    return total


def open_detail(page, incident_id):
    from playwright.sync_api import expect

    page.locator(f".queue-item[data-incident='{incident_id}']").click()
    expect(page.locator("#detail h2")).to_contain_text("PSC-")
    return page.locator("#detail")


def queue_row(page, incident_id):
    return page.locator(f".queue-item[data-incident='{incident_id}']")


# --- units made busy and free again: shared by tests/test_offers.py and the console's offer pages --

NEAR_A = {"lat": -0.0210, "lon": 109.3400}      # a few hundred metres from PSC-01's station


def busy(world, *unit_ids):
    """Send these units to a job of their own (so they are not available)."""
    for unit_id in unit_ids:
        job = world.new_incident(priority="P2", lat=-0.05, lon=109.36)
        assert world.assign(job["id"], unit_id).status_code == 200


def free_again(world, unit_id):
    """The unit goes out of service and comes back: it has come free."""
    assert world.status(unit_id, "out_of_service").status_code == 200
    assert world.status(unit_id, "available").status_code == 200
