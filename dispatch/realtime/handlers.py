"""Socket.IO handlers: as thin as the REST views. They check who is connecting, join the rooms
that identity allows, and hand the connection to the hub."""
import logging

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, join_room

from ..core import auth
from ..core.visibility import LIVE_ROLES, rooms_for
from ..extensions import db

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
    hub = current_app.extensions["psc_hub"]
    # Brought up to date after the connection is accepted, so what is sent arrives after it.
    current_app.extensions["socketio"].start_background_task(hub.attach, request.sid, _Identity(user), last_seen)
    db.session.remove()


def on_disconnect(*_args):
    current_app.extensions["psc_hub"].detach(request.sid)


class _Identity:
    """What the hub needs of a user, detached from the request's database session."""

    def __init__(self, user):
        self.id, self.role, self.unit_id, self.username = user.id, user.role, user.unit_id, user.username


def register(socketio):
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
