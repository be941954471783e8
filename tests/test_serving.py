"""The documented ways of serving, for real: subprocesses on 127.0.0.1.

* ``python wsgi.py`` (PORT, DATABASE_URL from the environment),
* ``gunicorn -w 1 --threads 50 -b 127.0.0.1:<port> wsgi:app``,
* and the production guard: ``PSC_ENV=production`` refuses to start without a real
  SECRET_KEY or without DATABASE_URL.

These tests build their own SQLite database with the migrations (``flask --app wsgi
db upgrade``), also when TEST_DATABASE_URL points the rest of the suite at PostgreSQL.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from config import DEV_SECRET_KEY

ROOT = Path(__file__).resolve().parent.parent
BIN_DIR = Path(sys.executable).parent
READY_TIMEOUT = 60  # seconds for a server to answer its health check
EXIT_TIMEOUT = 60  # seconds for a refused start to exit
GOOD_SECRET = "x7Qm2v9LpR4tZ8wK1nB6cJ3hF5dS0aGe"  # 32 characters, not the development value
# Variables of the calling shell that must not leak into the server under test.
SCRUBBED_ENV = ("DATABASE_URL", "TEST_DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PSC_ENV", "HOST", "PORT",
                "FLASK_APP", "FLASK_DEBUG")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**values):
    """The current environment without this app's variables, plus ``values`` (None removes)."""
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env["PYTHONUNBUFFERED"] = "1"
    env.update({k: v for k, v in values.items() if v is not None})
    return env


def python_cmd(port):
    return [sys.executable, "wsgi.py"]


def gunicorn_cmd(port, threads=50):
    # --no-control-socket: gunicorn would otherwise bind ~/.gunicorn/gunicorn.ctl, one
    # path shared by every gunicorn of the user (a parallel run would take it over).
    return [str(BIN_DIR / "gunicorn"), "-w", "1", "--threads", str(threads), "--no-control-socket",
            "-b", f"127.0.0.1:{port}", "wsgi:app"]


SERVERS = {"python": python_cmd, "gunicorn": gunicorn_cmd}


def http_session():
    s = requests.Session()
    s.trust_env = False  # never a proxy from the environment: 127.0.0.1 only
    return s


def stop(proc):
    """Terminate the server's process group; kill it if it does not stop in time."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass


@contextmanager
def serving(kind, env, log_dir, attempts=3, threads=None):
    """Start server ``kind`` on a free port and yield its base URL once /api/health answers 200.

    The free port is only free when it was picked; a start that loses the port to
    another process is retried on a new one.
    """
    for attempt in range(attempts):
        port = free_port()
        log_path = Path(log_dir) / f"{kind}-{attempt}.log"
        with open(log_path, "w") as log:
            cmd = SERVERS[kind](port) if threads is None else gunicorn_cmd(port, threads)
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                    env={**env, "HOST": "127.0.0.1", "PORT": str(port)}, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + READY_TIMEOUT
            ready = False
            with http_session() as http:
                while proc.poll() is None and time.monotonic() < deadline:
                    try:
                        if http.get(f"{base}/api/health", timeout=2).status_code == 200:
                            ready = True
                            break
                    except requests.RequestException:
                        pass
                    time.sleep(0.05)
            if ready:
                yield base
                return
            output = log_path.read_text()
            if proc.poll() is not None and "Address already in use" in output and attempt + 1 < attempts:
                continue
            if proc.poll() is None:
                pytest.fail(f"{kind} server not ready within {READY_TIMEOUT}s; its output:\n{output[-4000:]}")
            pytest.fail(f"{kind} server exited with {proc.returncode} before it was ready; its output:\n"
                        f"{output[-4000:]}")
        finally:
            stop(proc)


@pytest.fixture(scope="module")
def migrated_sqlite_url(tmp_path_factory):
    """A temp SQLite database built by the migrations, the documented way."""
    path = tmp_path_factory.mktemp("serving") / "serving.sqlite3"
    url = f"sqlite:///{path}"
    proc = subprocess.run([str(BIN_DIR / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                          env=clean_env(DATABASE_URL=url), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"db upgrade failed:\n{proc.stdout}\n{proc.stderr}"
    assert path.exists()
    return url


def check_serves(base):
    """Health says ok, and Socket.IO answers the handshake by polling and by websocket."""
    with http_session() as http:
        r = http.get(f"{base}/api/health", timeout=10)
        assert r.status_code == 200, r.text
        health = r.json()
        assert health.pop("now") and health == {"status": "ok", "database": "ok", "travel": "graph", "clock_speed": 1.0}

        r = http.get(f"{base}/socket.io/", params={"EIO": "4", "transport": "polling"}, timeout=10)
        assert r.status_code == 200, r.text
        # Engine.IO v4 open packet: "0" followed by JSON with the session id.
        assert r.text.startswith("0"), r.text
        handshake = json.loads(r.text[1:])
        assert handshake["sid"]
        assert "websocket" in handshake["upgrades"]

    import websocket  # websocket-client (requirements-dev)

    ws = websocket.create_connection(base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket",
                                     timeout=10)
    try:
        packet = ws.recv()
        assert packet.startswith("0") and json.loads(packet[1:])["sid"], packet
    finally:
        ws.close()


@pytest.mark.parametrize("kind", ["python", "gunicorn"])
def test_serves_health_and_socketio(kind, migrated_sqlite_url, tmp_path):
    if kind == "gunicorn":
        assert (BIN_DIR / "gunicorn").exists(), "gunicorn is in requirements.txt but not installed next to python"
    with serving(kind, clean_env(DATABASE_URL=migrated_sqlite_url), tmp_path) as base:
        check_serves(base)


def test_gunicorn_serves_in_production_with_good_settings(migrated_sqlite_url, tmp_path):
    env = clean_env(PSC_ENV="production", SECRET_KEY=GOOD_SECRET, DATABASE_URL=migrated_sqlite_url)
    with serving("gunicorn", env, tmp_path) as base:
        check_serves(base)


def refused_start(kind, env, tmp_path):
    """Start a server that must refuse; return (returncode, output)."""
    port = free_port()
    try:
        proc = subprocess.run(SERVERS[kind](port), cwd=ROOT, capture_output=True, text=True, timeout=EXIT_TIMEOUT,
                              env={**env, "HOST": "127.0.0.1", "PORT": str(port)}, start_new_session=True)
    except subprocess.TimeoutExpired as exc:  # subprocess.run killed it
        pytest.fail(f"{kind} did not exit within {EXIT_TIMEOUT}s; it should have refused to start:\n"
                    f"{exc.stdout}\n{exc.stderr}")
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize("kind", ["python", "gunicorn"])
@pytest.mark.parametrize("secret", [None, DEV_SECRET_KEY, "too-short-secret"], ids=["unset", "dev-value", "short"])
def test_production_refuses_a_weak_secret_key(kind, secret, tmp_path):
    env = clean_env(PSC_ENV="production", SECRET_KEY=secret, DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    code, output = refused_start(kind, env, tmp_path)
    assert code != 0, output
    assert "SECRET_KEY" in output, output
    assert "DATABASE_URL must be set" not in output, output
    assert "Running on" not in output, output  # python wsgi.py never got to serve


@pytest.mark.parametrize("kind", ["python", "gunicorn"])
def test_production_refuses_without_database_url(kind, tmp_path):
    env = clean_env(PSC_ENV="production", SECRET_KEY=GOOD_SECRET)
    code, output = refused_start(kind, env, tmp_path)
    assert code != 0, output
    assert "DATABASE_URL" in output, output
    assert "SECRET_KEY must" not in output, output
    # It must not fall back to the development SQLite file either.
    assert "Running on" not in output, output


def test_python_wsgi_refuses_to_serve_production(migrated_sqlite_url, tmp_path):
    """Werkzeug's development server is for development: production is served by gunicorn."""
    env = clean_env(PSC_ENV="production", SECRET_KEY=GOOD_SECRET, DATABASE_URL=migrated_sqlite_url)
    code, output = refused_start("python", env, tmp_path)
    assert code != 0 and "gunicorn" in output, output
    assert "Running on" not in output, output


def _log_of(log_dir):
    """The output of the last start in ``log_dir`` (serving() retries on a port lost to another process)."""
    return sorted(Path(log_dir).glob("python-*.log"))[-1].read_text()


def test_python_prints_the_demo_accounts_after_its_banner_at_each_start(migrated_sqlite_url, tmp_path):
    """As `make run` does: seed (the first time only), then serve; the accounts come last, every time."""
    db_file = tmp_path / "demo.sqlite3"
    shutil.copy(migrated_sqlite_url[len("sqlite:///"):], db_file)
    accounts_file = tmp_path / "instance" / "demo-accounts.txt"
    env = clean_env(DATABASE_URL=f"sqlite:///{db_file}", DEMO_ACCOUNTS_FILE=str(accounts_file))
    seed = subprocess.run([str(BIN_DIR / "flask"), "--app", "wsgi", "seed", "demo", "--if-empty"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
    assert seed.returncode == 0, seed.stdout + seed.stderr
    assert accounts_file.stat().st_mode & 0o777 == 0o600
    accounts = [l.split() for l in accounts_file.read_text().splitlines()[4:]]
    assert len(accounts) == 11 and accounts[-1][:3] == ["crew08", "crew", "PSC-08"]

    for start, request_log in (("first", None), ("second", "1")):
        log_dir = tmp_path / start
        log_dir.mkdir()
        with serving("python", {**env, **({"REQUEST_LOG": request_log} if request_log else {})}, log_dir) as base:
            with http_session() as http:
                crew = next(a for a in accounts if a[0] == "crew05")
                r = http.post(f"{base}/api/auth/login", json={"username": "crew05", "password": crew[3]}, timeout=10)
                assert r.status_code == 200 and r.json()["user"]["role"] == "crew", r.text
                assert http.get(f"{base}/api/nowhere", timeout=10).status_code == 404
            output = _log_of(log_dir)
        lines = output.splitlines()
        banner = max(i for i, l in enumerate(lines) if "Running on" in l or "CTRL+C" in l)
        heading = lines.index(f"Demo accounts (from {accounts_file}):")
        assert heading > banner, output  # after the server's own lines: nothing scrolls them away
        for username, role, unit, password in accounts:
            assert any(l.split() == [username, role, unit, password] for l in lines[heading + 1:]), output
        # Werkzeug's line per request only with REQUEST_LOG=1
        logged = [l for l in lines if "POST /api/auth/login" in l or "GET /api/nowhere" in l]
        assert len(logged) == (2 if request_log else 0), output


# --- sockets that never log in (issue 11, item 16) ----------------------------------------------

THREADS = 4


class SilentSocket:
    """A raw Engine.IO websocket that answers every ping but never sends the Socket.IO CONNECT:
    what a client that holds a server thread for nothing looks like."""

    def __init__(self, base):
        import websocket  # websocket-client (requirements-dev)

        self.ws = websocket.create_connection(
            base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket", timeout=30)
        packet = self.ws.recv()
        assert packet.startswith("0"), packet          # the Engine.IO open packet
        self.pings = 0
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._answer, daemon=True)
        self.thread.start()

    def _answer(self):
        try:
            while True:
                packet = self.ws.recv()
                if not packet:
                    break
                if packet == "2":                      # ping -> pong
                    self.pings += 1
                    self.ws.send("3")
        except Exception:
            pass
        self.closed.set()

    def close(self):
        try:
            self.ws.close(timeout=1)
        except Exception:
            pass


def silent_sockets(base, n):
    """``n`` silent sockets opened at once (those past the server's threads wait in its queue)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _: SilentSocket(base), range(n)))


def test_sockets_that_never_log_in_are_closed_and_the_api_still_answers(migrated_sqlite_url, tmp_path):
    """More never-authenticating websockets than gunicorn has threads: each is closed after
    SOCKET_AUTH_TIMEOUT_S although it answers pings, and /api/health answers meanwhile."""
    env = clean_env(DATABASE_URL=migrated_sqlite_url, SOCKET_AUTH_TIMEOUT_S="3", SOCKET_PING_INTERVAL_S="1",
                    SOCKET_PING_TIMEOUT_S="5", SOCKET_MAX_UNAUTHENTICATED_PER_ADDRESS="100")
    with serving("gunicorn", env, tmp_path, threads=THREADS) as base:
        with http_session() as http:
            poll = http.get(f"{base}/socket.io/", params={"EIO": "4", "transport": "polling"}, timeout=10)
            polling_sid = json.loads(poll.text[1:])["sid"]
            started = time.monotonic()
            # Those past the threads get in as the first ones are closed.
            sockets = silent_sockets(base, THREADS + 4)
            r = http.get(f"{base}/api/health", timeout=30)
            assert r.status_code == 200, r.text
            health_s = time.monotonic() - started
            for sock in sockets:
                assert sock.closed.wait(30), "a socket that never logged in was left open"
            closed_s = time.monotonic() - started
            assert any(s.pings for s in sockets), "the sockets were alive (they answered pings)"
            # The polling session that never logged in is gone too.
            deadline = time.monotonic() + 30
            while True:
                r = http.get(f"{base}/socket.io/", params={"EIO": "4", "transport": "polling", "sid": polling_sid},
                             timeout=10)
                if r.status_code == 400:
                    break
                assert time.monotonic() < deadline, "the polling session that never logged in stayed open"
        print(f"{len(sockets)} silent sockets on {THREADS} threads: health answered after {health_s:.1f} s, "
              f"all closed after {closed_s:.1f} s")
        for sock in sockets:
            sock.close()


def test_unauthenticated_sockets_per_address_are_bounded(migrated_sqlite_url, tmp_path):
    """With a long timeout, the bound per address keeps threads free: the sockets past it are
    refused at the handshake (401), and a real console still connects."""
    import websocket

    env = clean_env(DATABASE_URL=migrated_sqlite_url, SOCKET_AUTH_TIMEOUT_S="120",
                    SOCKET_MAX_UNAUTHENTICATED_PER_ADDRESS="2")
    with serving("gunicorn", env, tmp_path, threads=THREADS) as base:
        held = silent_sockets(base, 2)
        refused = 0
        for _ in range(THREADS + 2):
            with pytest.raises(websocket.WebSocketBadStatusException) as exc:
                SilentSocket(base)
            assert exc.value.status_code == 401
            refused += 1
        with http_session() as http:
            r = http.get(f"{base}/api/health", timeout=10)
            assert r.status_code == 200, r.text
        assert not any(s.closed.is_set() for s in held)
        for sock in held:
            sock.close()
        # Once they are gone, the address may open a connection again.
        for sock in held:
            assert sock.closed.wait(10)
        deadline = time.monotonic() + 10
        while True:
            try:
                SilentSocket(base).close()
                break
            except websocket.WebSocketBadStatusException:
                assert time.monotonic() < deadline, "the address stayed refused after its sockets closed"
                time.sleep(0.1)


# --- PostgreSQL down and back (issue 11, item 18) ------------------------------------------------

PG_BIN = Path("/usr/lib/postgresql/15/bin")


class OwnPostgres:
    """A PostgreSQL of this test's own: initdb in a temp dir, on a free port, stopped and started
    by the test (never the machine's server on 5432)."""

    def __init__(self):
        import tempfile

        # Under /tmp itself: pytest's tmp_path is not reachable by the postgres user.
        self.root = Path(tempfile.mkdtemp(prefix="psc119-pg-"))
        self.root.chmod(0o777)
        self.dir, self.port = self.root / "pgdata", free_port()
        self._as_postgres(PG_BIN / "initdb", "-D", self.dir, "-A", "trust", "-U", "postgres")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *cmd):
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        proc = subprocess.run(prefix + [str(c) for c in cmd], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr

    def start(self):
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.dir, "-w", "-l", self.dir / "server.log", "-o",
                          f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "start")

    def stop(self):
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.dir, "-w", "-m", "fast", "stop")


def test_with_postgresql_down_every_request_answers_503_json_and_it_recovers(tmp_path):
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL 15 binaries not at {PG_BIN}")
    pg = OwnPostgres()
    pg.start()
    try:
        env = clean_env(DATABASE_URL=pg.url)
        for args in (["db", "upgrade"], ["user", "create", "siti", "--role", "operator", "--password", "benar-119-x"]):
            proc = subprocess.run([str(BIN_DIR / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, proc.stdout + proc.stderr
        with serving("gunicorn", env, tmp_path, threads=8) as base, http_session() as http:
            token = http.post(f"{base}/api/auth/login", json={"username": "siti", "password": "benar-119-x"},
                              timeout=10).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            assert http.get(f"{base}/api/incidents", headers=headers, timeout=10).status_code == 200
            pg.stop()
            call = {"caller_phone": "0811573119", "location_text": "Jl. Gajah Mada", "category": "cardiac"}
            for method, url, body in (("GET", "/api/incidents", None), ("POST", "/api/calls", call),
                                      ("GET", "/api/incidents", None), ("POST", "/api/auth/login",
                                                                        {"username": "siti", "password": "x" * 9})):
                r = http.request(method, f"{base}{url}", json=body, headers=headers, timeout=30)
                assert r.status_code == 503, (method, url, r.status_code, r.text[:300])
                assert r.headers["Content-Type"].startswith("application/json"), r.text[:300]
                assert r.json()["error"]["code"] == "database_unavailable" and int(r.headers["Retry-After"]) > 0
            health = http.get(f"{base}/api/health", timeout=30)
            assert health.status_code == 503 and "cannot reach" in health.json()["database"], health.text
            pg.start()
            deadline = time.monotonic() + 60
            while http.get(f"{base}/api/health", timeout=30).status_code != 200:
                assert time.monotonic() < deadline, "the server did not recover when the database came back"
                time.sleep(0.2)
            assert http.get(f"{base}/api/incidents", headers=headers, timeout=10).status_code == 200
            assert http.post(f"{base}/api/calls", json=call, headers=headers, timeout=10).status_code == 201
    finally:
        try:
            pg.stop()
        except AssertionError:
            pass   # already stopped
        shutil.rmtree(pg.root, ignore_errors=True)
