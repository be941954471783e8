"""Several server processes sharing PostgreSQL/SQLite and Redis: a console connected to one
process receives what is committed through another, and what a ``flask --app wsgi`` command
commits. Real gunicorn processes, real Redis (127.0.0.1:6379), real python-socketio clients.
"""
import os
import queue
from datetime import datetime, timezone
import subprocess
import uuid

import pytest
import redis
import socketio

from test_serving import BIN_DIR, ROOT, clean_env, http_session, serving

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
DEADLINE_S = 15
PASSWORD = "correct-horse-119"


@pytest.fixture(scope="module")
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI and is not reachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({exc}); .ci/run starts it")
    return REDIS_URL


def flask_cmd(env, *args):
    proc = subprocess.run([str(BIN_DIR / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"flask {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture
def deployment(tmp_path, redis_url):
    """The environment of a small deployment: a migrated database, Redis, an operator."""
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'shared.sqlite3'}", REDIS_URL=redis_url,
                    # Each test its own channel on the shared Redis, so parallel runs do not mix.
                    PSC_EVENT_CHANNEL=f"psc119:test:{uuid.uuid4().hex}",
                    # No safety poll within the tests' deadline: only the Redis bus can deliver in time.
                    EVENT_POLL_S="300")
    flask_cmd(env, "db", "upgrade")
    flask_cmd(env, "user", "create", "siti", "--role", "operator", "--password", PASSWORD)
    return env


def login(base):
    with http_session() as http:
        r = http.post(f"{base}/api/auth/login", json={"username": "siti", "password": PASSWORD}, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()["token"]


class Console:
    def __init__(self, base, token):
        self.messages = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        for name in ("event", "snapshot", "position"):
            self.client.on(name, lambda payload, name=name: self.messages.put((name, payload)))
        self.client.connect(base, auth={"token": token}, transports=["websocket"], wait_timeout=DEADLINE_S)

    def next(self, name):
        while True:
            got, payload = self.messages.get(timeout=DEADLINE_S)
            if got == name:
                return payload

    def close(self):
        if self.client.connected:
            self.client.disconnect()


def test_an_event_committed_by_another_process_reaches_the_console(deployment, tmp_path):
    with serving("gunicorn", deployment, tmp_path) as a, serving("gunicorn", deployment, tmp_path) as b:
        token = login(a)
        console = Console(a, token)
        try:
            state = console.next("snapshot")
            with http_session() as http:
                r = http.post(f"{b}/api/calls", headers={"Authorization": f"Bearer {token}"}, timeout=10,
                              json={"caller_phone": "0811573119", "location_text": "depan RS Antonius"})
                assert r.status_code == 201, r.text
            first, second = console.next("event"), console.next("event")
            assert (first["type"], second["type"]) == ("call.received", "incident.created")
            assert first["id"] == state["last_event_id"] + 1 and second["incident_id"] == r.json()["incident"]["id"]
        finally:
            console.close()


def test_a_command_run_in_its_own_process_pushes_its_events(deployment, tmp_path):
    with serving("gunicorn", deployment, tmp_path) as a:
        console = Console(a, login(a))
        try:
            console.next("snapshot")
            flask_cmd(deployment, "user", "create", "budi", "--role", "supervisor", "--password", PASSWORD)
            event = console.next("event")
            assert event["type"] == "user.created" and event["data"]["user"]["username"] == "budi"
        finally:
            console.close()


def test_a_position_reported_to_one_process_reaches_a_console_on_another(deployment, tmp_path):
    flask_cmd(deployment, "user", "create", "admin1", "--role", "admin", "--password", PASSWORD)
    with serving("gunicorn", deployment, tmp_path) as a, serving("gunicorn", deployment, tmp_path) as b:
        with http_session() as http:
            admin = http.post(f"{b}/api/auth/login", json={"username": "admin1", "password": PASSWORD}).json()
            unit = http.post(f"{b}/api/units", headers={"Authorization": f"Bearer {admin['token']}"}, json={
                "call_sign": "PSC-09", "capability": "BLS", "station_name": "Pos Siantan",
                "lat": 0.0013, "lon": 109.3616}).json()
            flask_cmd(deployment, "user", "create", "kru9", "--role", "crew", "--unit", "PSC-09",
                      "--password", PASSWORD)
            crew = http.post(f"{b}/api/auth/login", json={"username": "kru9", "password": PASSWORD}).json()
            console = Console(a, login(a))
            try:
                console.next("snapshot")
                r = http.post(f"{b}/api/units/{unit['id']}/location",
                              headers={"Authorization": f"Bearer {crew['token']}"},
                              json={"lat": -0.0301, "lon": 109.3402,
                                    "recorded_at": datetime.now(timezone.utc).isoformat()})
                assert r.status_code == 200, r.text
                position = console.next("position")
                assert (position["unit_id"], position["lat"]) == (unit["id"], -0.0301)
            finally:
                console.close()
