"""Socket.IO handlers: as thin as the REST views. They check who is connecting, join the rooms
that identity allows, and hand the connection to the hub; a crew's commands (``status``,
``location``, ``accept``) go through the same schemas, permissions and domain functions as
the REST API, and each answers with an acknowledgement: ``{"ok": true, ...}`` or
``{"ok": false, "error": {"code", "message", "fields"}}``."""
import json
import logging
import threading
import time

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, emit, join_room
from marshmallow import ValidationError

from ..api.errors import flatten_messages
from ..core import assignment, auth, units
from ..core.errors import DomainError, NotFound
from ..core.lifecycle import assignment_data, unit_data
from ..core.visibility import LIVE_ROLES, rooms_for
from ..extensions import db
from ..schemas.realtime import AcceptIn
from ..schemas.units import LocationIn, StatusIn

MAX_PAYLOAD_BYTES = 4096
RATE_PER_S, BURST = 10.0, 20           # commands per connection

log = logging.getLogger(__name__)
MAX_EVENT_ID = 2**63 - 1


def refuse(code, message):
    """Refuse a connection: the client's ``connect_error`` gets ``{"message", "data": {"code"}}``."""
    log.info("socket connection refused: %s", code)
    raise ConnectionRefusedError(message, {"code": code})


def on_connect(auth_data=None):
    if not isinstance(auth_data, dict) or auth_data.get("token") is None:
        refuse("unauthorized", "log in first: connect with auth={'token': ..., 'last_event_id': N?}")
    token = auth_data.get("token")
    user = auth.user_for_token(db.session, token) if isinstance(token, str) else None
    if user is None:
        refuse("invalid_token", "the token is missing, unknown, expired or revoked; log in again")
    if user.role not in LIVE_ROLES:
        refuse("forbidden", f"a {user.role} has no live console")
    last_seen = auth_data.get("last_event_id")
    if last_seen is not None and (isinstance(last_seen, bool) or not isinstance(last_seen, int)
                                  or not 0 <= last_seen <= MAX_EVENT_ID):
        refuse("validation_error", "last_event_id must be a whole number >= 0")
    positions = auth_data.get("positions", "each")
    if positions not in ("each", "batch"):
        refuse("validation_error", "positions must be 'each' (a position message per unit) or 'batch'")
    for room in rooms_for(user):
        join_room(room)
    identity = _Identity(user)
    _live[request.sid] = _Live(token, identity)
    hub = current_app.extensions["psc_hub"]
    hub.register(request.sid, identity, batch_positions=positions == "batch")
    # Brought up to date once the connection is accepted, so what is sent arrives after the
    # acknowledgement of the connect (which python-socketio sends when this handler returns).
    socketio = current_app.extensions["socketio"]
    socketio.start_background_task(_attach_when_connected, socketio.server, hub, request.sid, identity, last_seen)
    db.session.remove()


def _attach_when_connected(server, hub, sid, identity, last_seen, wait_s=10.0):
    deadline = time.monotonic() + wait_s
    while not server.manager.is_connected(sid, "/"):
        if time.monotonic() > deadline or hub.connection(sid) is None:
            return   # never completed, or already gone
        time.sleep(0.001)
    hub.attach(sid, identity, last_seen)


def on_disconnect(*_args):
    _live.pop(request.sid, None)
    # In the background: it waits for a bring-up still running, and writes the crew's presence.
    current_app.extensions["socketio"].start_background_task(current_app.extensions["psc_hub"].detach,
                                                             request.sid)


# Every few seconds the hub checks the tokens of all live connections in one query and cuts off
# those revoked or expired (revoked_connections()). A command checks its token itself when that
# check is older than TOKEN_RECHECK_S, or when the token was revoked by logging out here.
TOKEN_RECHECK_S = 10.0


class _Live:
    """What a live connection carries: its token, who it is (as last checked), its rate bucket."""

    def __init__(self, token, identity):
        self.token, self.identity, self.checked_at = token, identity, time.monotonic()
        self.digest = auth.token_digest(token)
        self.bucket = _Bucket()

    def user(self):
        """The identity, checked against the database again when the last check is old."""
        if time.monotonic() - self.checked_at > TOKEN_RECHECK_S:
            user = auth.user_for_token(db.session, self.token)
            if user is None:
                return None
            self.identity, self.checked_at = _Identity(user), time.monotonic()
        return self.identity


_live = {}   # sid -> _Live


def _revoked(digest):
    """A token was revoked here: its connections check it again before their next command."""
    for live in list(_live.values()):
        if live.digest == digest:
            live.checked_at = float("-inf")


def revoked_connections(session):
    """The live connections whose token is no longer valid (logged out, expired, user disabled):
    all of this process's connections checked in one query. The others count as checked now."""
    entries = dict(_live)
    checked_at = time.monotonic()
    valid = auth.valid_tokens(session, {e.token for e in entries.values()})
    for entry in entries.values():
        if entry.token in valid and entry.checked_at != float("-inf"):
            entry.checked_at = max(entry.checked_at, checked_at)
    return [sid for sid, e in entries.items() if e.token not in valid]


class _Bucket:
    """A token bucket: RATE_PER_S commands a second, bursts of BURST."""

    def __init__(self):
        self.level, self.at, self.lock = float(BURST), time.monotonic(), threading.Lock()

    def take(self):
        with self.lock:
            now = time.monotonic()
            self.level = min(BURST, self.level + (now - self.at) * RATE_PER_S)
            self.at = now
            if self.level < 1:
                return False
            self.level -= 1
            return True


def _error(code, message, fields=None):
    log.info("socket command refused (%s): %s", request.sid, code)
    return {"ok": False, "error": {"code": code, "message": message, "fields": fields or {}}}


def command(schema, run):
    """A crew command: checks identity, rate, size and shape, then runs ``run(user, body)``."""

    loader = schema()   # marshmallow schemas load concurrently; made once

    def handler(payload=None):
        try:
            live = _live.get(request.sid)
            if live is not None and not live.bucket.take():
                return _error("rate_limited", f"more than {RATE_PER_S:g} commands a second; slow down")
            user = live.user() if live is not None else None
            if user is None:
                return _error("invalid_token", "the token is unknown, expired or revoked; log in again")
            if user.role != "crew":
                return _error("forbidden", "only a crew sends commands over the live connection")
            if not isinstance(payload, dict):
                return _error("validation_error", "send a JSON object", {"_payload": "not an object"})
            if len(json.dumps(payload, default=str)) > MAX_PAYLOAD_BYTES:
                return _error("payload_too_large", f"a command is at most {MAX_PAYLOAD_BYTES} bytes")
            try:
                body = loader.load(payload)
            except ValidationError as exc:
                return _error("validation_error", "invalid command", flatten_messages(exc.messages))
            try:
                return {"ok": True, **run(user, body)}
            except DomainError as exc:
                return _error(exc.code, exc.message, exc.fields)
        finally:
            db.session.remove()

    return handler


def _status(user, body):
    unit, applied = units.change_status(db.session, actor=user, unit_id=user.unit_id, **body)
    return {"unit": unit_data(unit), "applied": applied}


def _location(user, body):
    """Stored with the fixes of other phones in one transaction (``realtime/fixes.py``)."""
    fix = units.Fix(user, user.unit_id, **body)
    units.check_fix(fix, max_future_s=current_app.config["MAX_FIX_FUTURE_SECONDS"])
    db.session.remove()   # hold no database connection while the writer stores it with others
    applied, position = current_app.extensions["psc_fixes"].submit(fix)
    if position is None:
        raise NotFound(f"unit {user.unit_id} not found")
    return {"position": position, "applied": applied}


def _accept(user, body):
    accepted, applied = assignment.accept_assignment(db.session, actor=user, assignment_id=body["assignment_id"])
    return {"assignment": assignment_data(accepted), "applied": applied}


def on_unknown(event, *_args):
    """Any other event name: an error to that client only, logged; nothing changes."""
    log.info("socket: unknown event %r from %s", str(event)[:64], request.sid)
    emit("error", {"code": "unknown_event", "message": f"unknown event {str(event)[:64]!r}",
                   "fields": {}})


class _Identity:
    """What the hub needs of a user, detached from the request's database session."""

    def __init__(self, user):
        self.id, self.role, self.unit_id, self.username = user.id, user.role, user.unit_id, user.username


def register(socketio):
    auth.on_revocation(_revoked)
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    socketio.on_event("status", command(StatusIn, _status))
    socketio.on_event("location", command(LocationIn, _location))
    socketio.on_event("accept", command(AcceptIn, _accept))
    socketio.on_event("*", on_unknown)
