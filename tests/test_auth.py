"""Logging in and out: hashed passwords, tokens that expire and can be revoked."""
from datetime import timedelta

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
