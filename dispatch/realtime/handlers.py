"""Socket.IO handlers: as thin as the REST views. They check who is connecting, join the rooms
that identity allows, and hand the connection to the hub; a crew's commands (``status``,
``location``, ``accept``) go through the same schemas, permissions and domain functions as
the REST API, and each answers with an acknowledgement: ``{"ok": true, ...}`` or
``{"ok": false, "error": {"code", "message", "fields"}}``."""
import json
import logging
import time

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, emit, join_room
from marshmallow import ValidationError

from ..api.errors import flatten_messages
from ..core import assignment, auth, units
from ..core.errors import DomainError, NotFound
from ..core.lifecycle import assignment_data, unit_data
from ..core.visibility import LIVE_ROLES, rooms_for
from ..database import is_unavailable, safe_rollback
from ..extensions import db
from ..schemas.realtime import AcceptIn
from ..schemas.units import LocationIn, StatusIn
from .connections import RATE_PER_S
from .transport import EIO_SID_KEY

MAX_PAYLOAD_BYTES = 4096

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
    try:
        user = auth.user_for_token(db.session, token) if isinstance(token, str) else None
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        safe_rollback(db.session)
        refuse("database_unavailable", "the database cannot be reached just now; connect again shortly")
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
    hub = current_app.extensions["psc_hub"]
    eio_sid = request.environ.get(EIO_SID_KEY)
    hub.register(eio_sid, request.sid, user, token, batch_positions=positions == "batch")
    # Brought up to date once the connection is accepted, so what is sent arrives after the
    # acknowledgement of the connect (which python-socketio sends when this handler returns).
    socketio = current_app.extensions["socketio"]
    socketio.start_background_task(_attach_when_connected, socketio.server, hub, request.sid, last_seen)
    db.session.remove()


def _attach_when_connected(server, hub, sid, last_seen, wait_s=10.0):
    deadline = time.monotonic() + wait_s
    while not server.manager.is_connected(sid, "/"):
        if time.monotonic() > deadline or hub.connection(sid) is None:
            return   # never completed, or already gone
        time.sleep(0.001)
    hub.attach(sid, last_seen)


def on_disconnect(*_args):
    hub = current_app.extensions["psc_hub"]
    transport = current_app.extensions["psc_transport"]
    eio_sid = request.environ.get(EIO_SID_KEY)
    conn = hub.disconnected(request.sid, transport_open=eio_sid is not None and transport.is_open(eio_sid))
    # In the background: it waits for a bring-up still running, and writes the crew's presence.
    current_app.extensions["socketio"].start_background_task(hub.detach, conn)


def _error(code, message, fields=None):
    log.info("socket command refused (%s): %s", request.sid, code)
    return {"ok": False, "error": {"code": code, "message": message, "fields": fields or {}}}


def command(schema, run):
    """A crew command: checks identity, rate, size and shape, then runs ``run(user, body)``."""

    loader = schema()   # marshmallow schemas load concurrently; made once

    def handler(payload=None):
        try:
            conn = current_app.extensions["psc_hub"].connection(request.sid)
            if conn is not None and not conn.bucket.take():
                return _error("rate_limited", f"more than {RATE_PER_S:g} commands a second; slow down")
            user = conn.user(db.session) if conn is not None else None
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
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            safe_rollback(db.session)
            return _error("database_unavailable", "the database cannot be reached or cannot write just now; "
                          "nothing was saved; send it again shortly")
        finally:
            try:
                db.session.remove()
            except Exception:
                log.warning("could not close the session", exc_info=True)

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
    """Any other event name: an error to that client only, logged; nothing changes. It counts
    against the connection's rate like a command: past the limit it is dropped unanswered."""
    conn = current_app.extensions["psc_hub"].connection(request.sid)
    if conn is None:
        return
    conn.unknown_events += 1
    if not conn.bucket.take():
        if conn.unknown_events % 1000 == 1:
            log.warning("socket: %s sends unknown events over its rate (%d so far); dropped", request.sid,
                        conn.unknown_events)
        return
    log.info("socket: unknown event %r from %s", str(event)[:64], request.sid)
    emit("error", {"code": "unknown_event", "message": f"unknown event {str(event)[:64]!r}",
                   "fields": {}})


def register(socketio):
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    socketio.on_event("status", command(StatusIn, _status))
    socketio.on_event("location", command(LocationIn, _location))
    socketio.on_event("accept", command(AcceptIn, _accept))
    socketio.on_event("*", on_unknown)
