"""Users, passwords and API tokens.

Passwords are hashed with werkzeug's scrypt. A token is 32 random bytes shown to the
client once; only its SHA-256 is stored, with an expiry, and logout revokes it.
"""
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import ApiToken, Unit, User
from ..database import writes
from ..vocabulary import ROLES
from . import events
from .clock import utcnow
from .payloads import user_data
from .subscribers import Subscribers
from .errors import Conflict, InvalidInput, NotFound, Unauthorized

_hash_method = "scrypt"


def set_hash_method(method):
    """werkzeug hash method for new passwords (scrypt by default; tests use a cheap one)."""
    global _hash_method
    _hash_method = method


def hash_password(password):
    return generate_password_hash(password, method=_hash_method)


# Verifying against this keeps the time of a login for an unknown user the same as for a known one.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def _digest(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@writes
def create_user(session, *, actor, username, role, password, unit_call_sign=None):
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", fields={"role": "unknown role"})
    if not username or len(username) > 64:
        raise InvalidInput("username must be 1 to 64 characters", fields={"username": "bad length"})
    if len(password) < 8:
        raise InvalidInput("password must be at least 8 characters", fields={"password": "too short"})
    unit = None
    if role == "crew":
        if not unit_call_sign:
            raise InvalidInput("a crew user belongs to a unit", fields={"unit": "required for crew"})
        unit = session.scalar(select(Unit).where(Unit.call_sign == unit_call_sign))
        if unit is None:
            raise NotFound(f"no unit with call sign {unit_call_sign!r}", fields={"unit": "unknown call sign"})
    elif unit_call_sign:
        raise InvalidInput("only crew users belong to a unit", fields={"unit": "only for crew"})
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} exists already", fields={"username": "taken"}, code="user_exists")
    user = User(
        username=username, role=role, password_hash=hash_password(password),
        unit_id=unit.id if unit else None, active=True, created_at=utcnow(),
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # the same username created at the same moment
        raise Conflict(f"user {username!r} exists already", fields={"username": "taken"},
                       code="user_exists") from None
    events.record(session, "user.created", actor=actor, unit_id=user.unit_id, data={"user": user_data(user)})
    session.commit()
    return user


@writes
def set_password(session, *, username, password):
    if len(password) < 8:
        raise InvalidInput("password must be at least 8 characters", fields={"password": "too short"})
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    user.password_hash = hash_password(password)
    # Every token issued with the old password stops working.
    revoke_all(session, user_id=user.id)
    session.commit()
    return user


@writes
def login(session, *, username, password, ttl_seconds):
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        raise Unauthorized("wrong username or password", code="invalid_credentials")
    if not check_password_hash(user.password_hash, password):
        raise Unauthorized("wrong username or password", code="invalid_credentials")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(user_id=user.id, token_hash=_digest(token), created_at=now,
                   expires_at=now + timedelta(seconds=ttl_seconds))
    session.add(row)
    session.commit()
    return token, row.expires_at, user


@writes
def record_throttled(session, *, username, address, scope, retry_after_s):
    """A login refused by the throttle (``scope``: ``account`` or ``address``), for the audit."""
    events.record(session, "auth.throttled", actor=None,
                  data={"username": username, "address": address, "scope": scope, "retry_after_s": retry_after_s})
    session.commit()


@writes
def record_throttle_cleared(session, *, actor, username):
    events.record(session, "auth.throttle_cleared", actor=actor, data={"username": username})
    session.commit()


# Built once: every request and live command asks it.
_USER_FOR_TOKEN = select(User).join(ApiToken, ApiToken.user_id == User.id).where(
    ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None),
    ApiToken.expires_at > bindparam("now"), User.active.is_(True))


def user_for_token(session, token):
    """The active user a token belongs to, or None when it is unknown, expired or revoked."""
    if not token or len(token) > 256:
        return None
    return session.scalar(_USER_FOR_TOKEN, {"digest": _digest(token), "now": utcnow()})


def valid_tokens(session, tokens):
    """Which of ``tokens`` still belong to an active user, unexpired and unrevoked (one query:
    the live connections' tokens are checked together)."""
    digests = {_digest(t): t for t in tokens if t and len(t) <= 256}
    if not digests:
        return set()
    rows = session.scalars(
        select(ApiToken.token_hash).join(User, ApiToken.user_id == User.id).where(
            ApiToken.token_hash.in_(list(digests)), ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > utcnow(), User.active.is_(True)))
    return {digests[h] for h in rows}


_revocations = Subscribers("token revocation")


def on_revocation(callback):
    """Call ``callback(token_digest)`` after a token is revoked by logging out (in this process)."""
    return _revocations.subscribe(callback)


def off_revocation(callback):
    _revocations.unsubscribe(callback)


def token_digest(token):
    return _digest(token)


@writes
def logout(session, *, token):
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.commit()
        _revocations.publish(row.token_hash)


def revoke_all(session, *, user_id):
    now = utcnow()
    for row in session.scalars(select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))):
        row.revoked_at = now
