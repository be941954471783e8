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
from ..core.errors import DomainError
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
    for room in rooms_for(user):
        join_room(room)
    _tokens[request.sid] = (token, _Bucket())
    hub = current_app.extensions["psc_hub"]
    identity = _Identity(user)
    hub.register(request.sid, identity)
    # Brought up to date after the connection is accepted, so what is sent arrives after it.
    current_app.extensions["socketio"].start_background_task(hub.attach, request.sid, identity, last_seen)
    db.session.remove()


def on_disconnect(*_args):
    _tokens.pop(request.sid, None)
    # In the background: it waits for a bring-up still running, and writes the crew's presence.
    current_app.extensions["socketio"].start_background_task(current_app.extensions["psc_hub"].detach,
                                                             request.sid)


# sid -> (token, rate bucket); the token is checked again on every command (revoked, expired).
_tokens = {}


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

    def handler(payload=None):
        try:
            token, bucket = _tokens.get(request.sid, (None, None))
            if bucket is not None and not bucket.take():
                return _error("rate_limited", f"more than {RATE_PER_S:g} commands a second; slow down")
            user = auth.user_for_token(db.session, token) if token else None
            if user is None:
                return _error("invalid_token", "the token is unknown, expired or revoked; log in again")
            if user.role != "crew":
                return _error("forbidden", "only a crew sends commands over the live connection")
            if not isinstance(payload, dict):
                return _error("validation_error", "send a JSON object", {"_payload": "not an object"})
            if len(json.dumps(payload, default=str)) > MAX_PAYLOAD_BYTES:
                return _error("payload_too_large", f"a command is at most {MAX_PAYLOAD_BYTES} bytes")
            try:
                body = schema().load(payload)
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
    unit, applied = units.record_location(db.session, actor=user, unit_id=user.unit_id,
                                          max_future_s=current_app.config["MAX_FIX_FUTURE_SECONDS"],
                                          stale_after_s=current_app.config["POSITION_STALE_S"], **body)
    return {"unit": unit_data(unit), "applied": applied}


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
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    socketio.on_event("status", command(StatusIn, _status))
    socketio.on_event("location", command(LocationIn, _location))
    socketio.on_event("accept", command(AcceptIn, _accept))
    socketio.on_event("*", on_unknown)
