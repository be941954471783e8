"""Several server processes sharing PostgreSQL/SQLite and Redis: a console connected to one
process receives what is committed through another, and what a ``flask --app wsgi`` command
commits. Real gunicorn processes, real Redis (127.0.0.1:6379), real python-socketio clients.
"""
import os
import queue
import signal
import subprocess
import threading
import time
import uuid
from datetime import datetime, timezone

import pytest
import requests
import socketio

from test_serving import (BIN_DIR, READY_TIMEOUT, ROOT, clean_env, free_port, gunicorn_cmd, http_session, serving,
                          stop)

DEADLINE_S = 15
PASSWORD = "correct-horse-119"


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


def start_gunicorn(env, port, log_path):
    """gunicorn on a given port (to restart a killed server where its clients look for it)."""
    with open(log_path, "a") as log:
        proc = subprocess.Popen(gunicorn_cmd(port), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_TIMEOUT
    with http_session() as http:
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if http.get(f"{base}/api/health", timeout=2).status_code == 200:
                    return proc
            except requests.RequestException:
                pass
            time.sleep(0.05)
    stop(proc)
    pytest.fail(f"gunicorn on port {port} did not start:\n{open(log_path).read()[-3000:]}")


def test_a_server_killed_and_restarted_loses_nothing(deployment, tmp_path):
    """SIGKILL the process a console is connected to, commit elsewhere meanwhile, restart it: the
    console reconnects with its last event id and gets every event once, in order."""
    port = free_port()
    log_path = tmp_path / "killed.log"
    with serving("gunicorn", deployment, tmp_path) as b:
        proc = start_gunicorn(deployment, port, log_path)
        token = login(b)
        seen, cursor, changed = [], {"id": None}, threading.Condition()

        def keep(event):
            with changed:
                seen.append(event["id"])
                cursor["id"] = event["id"]
                changed.notify_all()

        def snapshot(state):
            with changed:
                cursor["id"] = state["last_event_id"]
                changed.notify_all()

        def auth():  # asked again on every reconnection: resume from the last event handled
            return {"token": token} if cursor["id"] is None else {"token": token, "last_event_id": cursor["id"]}

        client = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=0.5)
        client.on("event", keep)
        client.on("snapshot", snapshot)
        client.connect(f"http://127.0.0.1:{port}", auth=auth, transports=["websocket"], wait_timeout=DEADLINE_S)
        try:
            with changed:
                assert changed.wait_for(lambda: cursor["id"] is not None, DEADLINE_S)
            start = cursor["id"]
            with http_session() as http:
                def call():
                    r = http.post(f"{b}/api/calls", headers={"Authorization": f"Bearer {token}"}, timeout=10,
                                  json={"caller_phone": "0811573119", "lat": -0.03, "lon": 109.33})
                    assert r.status_code == 201, r.text
                for _ in range(3):
                    call()
                with changed:
                    assert changed.wait_for(lambda: len(seen) >= 6, DEADLINE_S)
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
                for _ in range(10):  # committed while the console's server is dead
                    call()
            proc = start_gunicorn(deployment, port, log_path)
            with changed:
                assert changed.wait_for(lambda: len(seen) >= 26, 60), (len(seen), open(log_path).read()[-2000:])
            assert seen == list(range(start + 1, start + 27))   # every event, in order, once
        finally:
            client.disconnect()
            stop(proc)


def test_a_crews_phone_on_a_killed_server_is_reported_gone_by_another(deployment, tmp_path):
    """Presence survives a SIGKILL: the phone's server cannot say goodbye, so the other server
    notices that nobody refreshes the phone's connection and reports the unit's device gone."""
    env = {**deployment, "DEVICE_HEARTBEAT_S": "0.5", "DEVICE_TIMEOUT_S": "3"}
    flask_cmd(env, "user", "create", "admin1", "--role", "admin", "--password", PASSWORD)
    port = free_port()
    with serving("gunicorn", env, tmp_path) as b:
        proc = start_gunicorn(env, port, tmp_path / "killed.log")
        try:
            with http_session() as http:
                admin = http.post(f"{b}/api/auth/login", json={"username": "admin1", "password": PASSWORD}).json()
                unit = http.post(f"{b}/api/units", headers={"Authorization": f"Bearer {admin['token']}"}, json={
                    "call_sign": "PSC-07", "capability": "ALS", "station_name": "Pos Kota",
                    "lat": -0.0301, "lon": 109.3402}).json()
                flask_cmd(env, "user", "create", "kru7", "--role", "crew", "--unit", "PSC-07", "--password", PASSWORD)
                crew = http.post(f"{b}/api/auth/login", json={"username": "kru7", "password": PASSWORD}).json()
            operator = Console(b, login(b))
            phone = Console(f"http://127.0.0.1:{port}", crew["token"])
            try:
                operator.next("snapshot")
                phone.next("snapshot")
                connected = operator.next("event")
                assert (connected["type"], connected["data"]["reason"]) == ("unit.presence_changed", "device_connected")
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
                gone = operator.next("event")   # within DEVICE_TIMEOUT_S and a maintenance round
                assert gone["type"] == "unit.presence_changed" and gone["unit_id"] == unit["id"]
                assert gone["data"]["reason"] == "device_timeout"
                assert gone["data"]["unit"]["presence"]["device_connected"] is False
            finally:
                operator.close()
                phone.client.disconnect()
        finally:
            stop(proc)
