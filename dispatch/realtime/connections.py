"""One record per live connection, from the moment Engine.IO opens it until it closes.

A :class:`Connection` is made when Engine.IO accepts a transport (before any token is seen) and
is the only record of that connection this process keeps: who it is once it has authenticated
(its token, when that was last checked), its command rate bucket (which unknown events drain
too), and what the hub needs to push the event log to it (cursor, back-pressure, presence).

:class:`Connections` holds them. A connection that has not authenticated (no Socket.IO CONNECT
with a valid token) within ``auth_timeout_s`` is reported overdue, and the hub closes it, so a
client that answers pings but never logs in cannot hold a server thread; at most
``max_unauthenticated`` such connections are let in from one client address at a time.
"""
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from ..core import auth
from ..core.visibility import CrewView

# A command checks its token itself when the hub's last check of it is older than this (the hub
# checks every connection's token every few seconds in one query).
TOKEN_RECHECK_S = 10.0
RATE_PER_S, BURST = 10.0, 20           # commands (and unknown events) per connection


class Identity:
    """What a live connection needs of its user, detached from any database session."""

    def __init__(self, user):
        self.id, self.role, self.unit_id, self.username = user.id, user.role, user.unit_id, user.username


class Bucket:
    """A token bucket: RATE_PER_S messages a second, bursts of BURST."""

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


@dataclass(eq=False)
class Connection:
    eio_sid: str
    address: str | None
    opened_at: float = field(default_factory=time.monotonic)
    # Set when the Socket.IO CONNECT is accepted (authenticated).
    sid: str | None = None
    token: str | None = None
    digest: str | None = None
    identity: Identity | None = None
    checked_at: float = 0.0             # when the token was last found valid
    bucket: Bucket = field(default_factory=Bucket)
    unknown_events: int = 0
    # What the hub keeps to push the event log to it.
    cursor: int = 0                     # the last event id this connection has been given (or skipped)
    live: bool = False
    crew: CrewView | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    closed: bool = False
    device_recorded: bool = False       # a crew's connection stored as a device session
    # Back-pressure: paused while too much waits unsent; when it last made progress.
    paused: bool = False
    backlog_seen: int = 0
    progress_at: float = 0.0
    # Units whose newest position this connection missed while its queue was full.
    owed: set = field(default_factory=set)
    batch_positions: bool = False       # one ``positions`` message per round instead of one per unit

    @property
    def user_id(self):
        return self.identity.id

    @property
    def role(self):
        return self.identity.role

    @property
    def unit_id(self):
        return self.identity.unit_id

    def sees_unit(self, unit_id):
        return self.crew is None or unit_id == self.unit_id

    def admits(self, event):
        return True if self.crew is None else self.crew.admits(event)

    def user(self, session):
        """The identity, checked against the database again when the last check is old (None:
        the token is no longer valid)."""
        if time.monotonic() - self.checked_at > TOKEN_RECHECK_S:
            user = auth.user_for_token(session, self.token)
            if user is None:
                return None
            self.identity, self.checked_at = Identity(user), time.monotonic()
        return self.identity


class Connections:
    def __init__(self, *, auth_timeout_s=5.0, max_unauthenticated=5):
        self.auth_timeout_s = auth_timeout_s
        self.max_unauthenticated = max_unauthenticated
        self._pending = {}       # engine.io sid -> Connection not (or no longer) authenticated
        self._live = {}          # socket.io sid -> authenticated Connection
        self._per_address = Counter()
        self._lock = threading.Lock()

    # -- Engine.IO: a transport opened or closed ----------------------------------------------
    def opened(self, eio_sid, address):
        """A transport was opened: recorded, or None when its address has too many connections
        that have not authenticated (it is refused)."""
        with self._lock:
            if self._per_address[address] >= self.max_unauthenticated:
                return None
            conn = Connection(eio_sid, address)
            self._add_pending(conn)
            return conn

    def transport_closed(self, eio_sid):
        with self._lock:
            self._drop_pending(eio_sid)

    def overdue(self, now=None):
        """Engine.IO sids of connections that have not authenticated within the timeout."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return [c.eio_sid for c in self._pending.values() if now - c.opened_at > self.auth_timeout_s]

    def unauthenticated(self):
        with self._lock:
            return len(self._pending)

    # -- Socket.IO: authenticated, or gone ---------------------------------------------------
    def authenticated(self, eio_sid, sid, user, token, *, batch_positions=False):
        """The Socket.IO CONNECT with a valid token was accepted: the record goes live."""
        with self._lock:
            conn = self._drop_pending(eio_sid) or Connection(eio_sid, None)
            conn.sid, conn.token, conn.digest = sid, token, auth.token_digest(token)
            conn.identity, conn.checked_at = Identity(user), time.monotonic()
            conn.batch_positions = batch_positions
            self._live[sid] = conn
            return conn

    def disconnected(self, sid, *, transport_open):
        """The Socket.IO session went; with its transport still open (a client that left the
        namespace), the transport counts as unauthenticated again, from now."""
        with self._lock:
            conn = self._live.pop(sid, None)
            if conn is not None and transport_open:
                self._add_pending(Connection(conn.eio_sid, conn.address))
            return conn

    def get(self, sid):
        return self._live.get(sid)

    def all(self):
        """The authenticated connections (a list: safe to iterate while others come and go)."""
        with self._lock:
            return list(self._live.values())

    # -- tokens ------------------------------------------------------------------------------
    def token_revoked(self, digest):
        """A token was revoked here: its connections check it again before their next command."""
        for conn in self.all():
            if conn.digest == digest:
                conn.checked_at = float("-inf")

    def revoked(self, session):
        """The connections whose token is no longer valid (logged out, expired, user disabled):
        every connection checked in one query. The others count as checked now."""
        conns = self.all()
        checked_at = time.monotonic()
        valid = auth.valid_tokens(session, {c.token for c in conns})
        for conn in conns:
            if conn.token in valid and conn.checked_at != float("-inf"):
                conn.checked_at = max(conn.checked_at, checked_at)
        return [c for c in conns if c.token not in valid]

    # -- (under the lock) --------------------------------------------------------------------
    def _add_pending(self, conn):
        self._pending[conn.eio_sid] = conn
        self._per_address[conn.address] += 1

    def _drop_pending(self, eio_sid):
        conn = self._pending.pop(eio_sid, None)
        if conn is not None:
            self._per_address[conn.address] -= 1
            if self._per_address[conn.address] <= 0:
                del self._per_address[conn.address]
        return conn
