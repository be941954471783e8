"""Logging in and out: hashed passwords, tokens that expire and can be revoked."""
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from conftest import PASSWORD, fresh
from dispatch.core import auth
from dispatch.core.clock import utcnow
from dispatch.models import ApiToken, User


def test_login_returns_token_and_user(world, client):
    r = client.post("/api/auth/login", json={"username": "crew_a", "password": PASSWORD})
    assert r.status_code == 200
    body = r.get_json()
    assert body["user"] == {"id": world.users["crew_a"].id, "username": "crew_a", "role": "crew",
                            "unit_id": world.unit_a.id}
    assert len(body["token"]) >= 40 and body["expires_at"]
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["username"] == "crew_a"


def test_password_is_stored_hashed_and_token_only_as_digest(world, session):
    user = fresh(session).scalar(select(User).where(User.username == "op"))
    assert PASSWORD not in user.password_hash and user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    hashes = session.scalars(select(ApiToken.token_hash)).all()
    assert world.tokens["op"] not in hashes
    assert all(len(h) == 64 for h in hashes)


def test_wrong_password_and_unknown_user_look_the_same(world, client):
    wrong = client.post("/api/auth/login", json={"username": "op", "password": "nope-nope"})
    unknown = client.post("/api/auth/login", json={"username": "ghost", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["error"]["code"] == "invalid_credentials"


def test_inactive_user_cannot_log_in_and_loses_access(world, client, session):
    session.execute(update(User).where(User.username == "op").values(active=False))
    session.commit()
    assert client.post("/api/auth/login", json={"username": "op", "password": PASSWORD}).status_code == 401
    assert world.get("op", "/api/incidents").status_code == 401


def test_logout_revokes_token(world, client):
    r = world.post("op", "/api/auth/logout")
    assert r.status_code == 204
    r = world.get("op", "/api/incidents")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "invalid_token"
    # the other users are untouched
    assert world.get("sup", "/api/incidents").status_code == 200


def test_expired_token_is_refused(world, session):
    session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    r = world.get("op", "/api/incidents")
    assert r.status_code == 401 and "expired" in r.get_json()["error"]["message"]


def test_token_lifetime_comes_from_config(app, world, client):
    app.config["TOKEN_TTL_SECONDS"] = 60
    body = client.post("/api/auth/login", json={"username": "op", "password": PASSWORD}).get_json()
    from datetime import datetime

    left = datetime.fromisoformat(body["expires_at"]) - utcnow()
    assert timedelta(seconds=50) < left <= timedelta(seconds=60)


def test_set_password_revokes_existing_tokens(world, session, client):
    auth.set_password(session, username="op", password="a-new-password")
    assert world.get("op", "/api/incidents").status_code == 401
    assert client.post("/api/auth/login", json={"username": "op", "password": PASSWORD}).status_code == 401
    assert client.post("/api/auth/login", json={"username": "op", "password": "a-new-password"}).status_code == 200


def test_missing_or_malformed_authorization_header(world, client):
    for header in (None, "Bearer", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 300):
        headers = {"Authorization": header} if header else {}
        r = client.get("/api/incidents", headers=headers)
        assert r.status_code == 401, header
        assert r.headers["WWW-Authenticate"].startswith("Bearer")


# --- login throttling (Flask-Limiter; issue 11, item 17) -----------------------------------------

def login(client, username, password, address="127.0.0.1"):
    return client.post("/api/auth/login", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def throttled_events(world):
    return [e for e in world.events() if e["type"] == "auth.throttled"]


def test_failed_logins_for_one_account_are_throttled_with_retry_after(app, world, client):
    limit = app.config["LOGIN_FAILURES_PER_ACCOUNT"]
    assert [login(client, "op", "wrong-password").status_code for _ in range(limit)] == [401] * limit
    r = login(client, "op", PASSWORD)            # the right password, past the limit: not even checked
    assert r.status_code == 429
    error = r.get_json()["error"]
    assert error["code"] == "too_many_attempts" and error["details"]["scope"] == "account"
    retry_after = int(r.headers["Retry-After"])
    assert 0 < retry_after <= app.config["LOGIN_THROTTLE_WINDOW_S"]
    assert error["details"]["retry_after_s"] == retry_after
    # Case and spaces do not make another account; another account is not affected.
    assert login(client, " OP ", "wrong-password").status_code == 429
    assert login(client, "sup", PASSWORD).status_code == 200
    events = throttled_events(world)
    assert [(e["data"]["username"], e["data"]["scope"], e["actor"]) for e in events] == \
        [("op", "account", None), ("op", "account", None)]
    assert events[0]["data"]["address"] == "127.0.0.1"


def test_a_successful_login_is_not_counted(app, world, client):
    limit = app.config["LOGIN_FAILURES_PER_ACCOUNT"]
    for _ in range(3 * limit):
        assert login(client, "op", PASSWORD).status_code == 200
    for _ in range(limit - 1):
        assert login(client, "op", "wrong-password").status_code == 401
    assert login(client, "op", PASSWORD).status_code == 200
    assert throttled_events(world) == []


def test_failed_logins_from_one_address_are_throttled_across_accounts(app, world, client):
    per_address = app.config["LOGIN_FAILURES_PER_ADDRESS"]
    for i in range(per_address):
        assert login(client, f"guess{i}", "wrong-password", address="10.9.8.7").status_code == 401
    r = login(client, "crew_a", PASSWORD, address="10.9.8.7")
    assert r.status_code == 429 and r.get_json()["error"]["details"]["scope"] == "address"
    assert "Retry-After" in r.headers
    assert login(client, "crew_a", PASSWORD, address="10.9.8.8").status_code == 200   # another desk
    assert throttled_events(world)[-1]["data"] == {"username": "crew_a", "address": "10.9.8.7",
                                                   "scope": "address", "retry_after_s": int(r.headers["Retry-After"])}


def test_a_supervisor_clears_an_accounts_throttle_and_that_is_recorded(app, world, client):
    limit = app.config["LOGIN_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        login(client, "crew_b", "wrong-password")
    assert login(client, "crew_b", PASSWORD).status_code == 429
    assert world.call("op", "DELETE", "/api/auth/throttle/crew_b").status_code == 403
    assert world.call("crew_a", "DELETE", "/api/auth/throttle/crew_b").status_code == 403
    assert client.delete("/api/auth/throttle/crew_b").status_code == 401
    assert world.call("sup", "DELETE", "/api/auth/throttle/crew_b").status_code == 204
    assert login(client, "crew_b", PASSWORD).status_code == 200
    cleared = [e for e in world.events() if e["type"] == "auth.throttle_cleared"]
    assert [(e["data"]["username"], e["actor"]["username"]) for e in cleared] == [("crew_b", "sup")]
    assert world.call("adm", "DELETE", "/api/auth/throttle/" + "x" * 65).status_code == 422


def throttled_app(database_url, **settings):
    from conftest import make_config
    from dispatch import create_app

    return create_app(make_config(database_url, **settings))


def stop_app(app):
    from dispatch.extensions import db

    app.extensions["psc_hub"].stop()
    app.extensions["psc_fixes"].stop()
    db.session.remove()
    db.engine.dispose()


def test_the_throttle_decays_by_itself(database_url, session):
    app = throttled_app(database_url, LOGIN_FAILURES_PER_ACCOUNT=2, LOGIN_THROTTLE_WINDOW_S=2)
    try:
        auth.create_user(session, actor=None, username="siti", role="operator", password=PASSWORD)
        client = app.test_client()
        assert [login(client, "siti", "nope-nope").status_code for _ in range(2)] == [401, 401]
        assert login(client, "siti", PASSWORD).status_code == 429
        deadline = time.monotonic() + 15
        while (r := login(client, "siti", PASSWORD)).status_code == 429:   # a throttled try is not counted
            assert time.monotonic() < deadline, "the throttle never decayed"
            time.sleep(0.2)
        assert r.status_code == 200
    finally:
        stop_app(app)


@pytest.fixture
def redis_prefix():
    """Real Redis (as in production); keys under a prefix of this test's own, removed after."""
    import os
    import uuid

    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI and is not reachable at {url}: {exc}")
        pytest.skip(f"Redis not reachable at {url} ({exc})")
    prefix = f"psc119test-{uuid.uuid4().hex[:12]}"
    yield url, prefix, client
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)


def test_with_redis_the_count_is_shared_by_every_server_process(database_url, session, redis_prefix, tmp_path):
    """Counted in Redis: a server process started after the failures sees them too, and a
    supervisor's clear on it clears the count for all. Real server processes (python wsgi.py)
    on one database and one Redis, as in production."""
    from test_serving import clean_env, http_session, serving

    url, prefix, redis_client = redis_prefix
    env = clean_env(DATABASE_URL=database_url, REDIS_URL=url, LOGIN_THROTTLE_PREFIX=prefix,
                    LOGIN_FAILURES_PER_ACCOUNT="3", PSC_EVENT_CHANNEL=f"{prefix}:events")
    auth.create_user(session, actor=None, username="siti", role="operator", password=PASSWORD)
    auth.create_user(session, actor=None, username="budi", role="supervisor", password=PASSWORD)

    def login_at(http, base, username, password):
        return http.post(f"{base}/api/auth/login", json={"username": username, "password": password}, timeout=10)

    with serving("python", env, tmp_path) as base, http_session() as http:
        assert [login_at(http, base, "siti", "nope-nope").status_code for _ in range(3)] == [401] * 3
        assert login_at(http, base, "siti", PASSWORD).status_code == 429
    assert any(prefix.encode() in key for key in redis_client.scan_iter(match=f"*{prefix}*"))
    with serving("python", env, tmp_path) as base, http_session() as http:     # another process
        r = login_at(http, base, "siti", PASSWORD)
        assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_attempts"
        token = login_at(http, base, "budi", PASSWORD).json()["token"]
        assert http.delete(f"{base}/api/auth/throttle/siti", headers={"Authorization": f"Bearer {token}"},
                           timeout=10).status_code == 204
        assert login_at(http, base, "siti", PASSWORD).status_code == 200
