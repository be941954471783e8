"""Pushing the event log to live connections: in id order, exactly once, after commit.

The event log is the source of truth. After every commit that wrote events the hub is
woken; one pump thread reads the new events from the database (once, for all
connections) and hands each connection the ones it may see, in id order, tracking per
connection the last id it has been given. A connection that arrives with
``last_event_id`` is first given what it missed, read from the log, under its own lock,
before it goes live; the pump skips anything at or below its cursor, so nothing is lost
or sent twice at the seam. One that arrives without it, or too far behind, gets a
``snapshot`` and goes on from the id the snapshot is current to.

A connection that does not read (a phone in a tunnel, a frozen tab) is never allowed to pile
up messages in memory: once ``queue_limit`` messages wait unsent on it, the hub stops
handing it events (its cursor stays put) and catches it up from the log when it reads
again; one that makes no progress for ``slow_timeout_s`` is cut off, and resumes with its
``last_event_id`` when it comes back.

The hub also keeps the crews' presence (``core.presence``): a crew's connection is recorded
when it attaches and removed when it goes, and this process refreshes its own connections on a
heartbeat and closes those whose token was revoked: two jobs it adds to the scheduler
(dispatch/scheduler.py), which also runs the system's own (core/scheduled.py: connections whose
server died, stale fixes, overdue acknowledgements, alerts, offers).
"""
import logging
import os
import socket
import threading
import time
import uuid
from collections import defaultdict
from datetime import datetime

from ..core import auth, positions, presence
from ..core import events as event_log
from ..core.snapshot import crew_incident_at, last_event_id, snapshot
from ..core.visibility import CrewView
from .connections import Connections

log = logging.getLogger(__name__)

BATCH = 500
# A connection with this many messages unsent gets no positions this round (it is owed them).
POSITION_BACKLOG = 20
# How long the first connection waits for the Redis bus to confirm its subscription.
BUS_READY_S = 5.0


def _fix_time(position):
    return datetime.fromisoformat(position["at"]) if position.get("at") else datetime.min


class Hub:
    def __init__(self, *, session_factory, send, backlog=None, cut_off=None, replay_limit=5000,
                 safety_poll_s=2.0, bus=None, position_interval_s=1.0, scheduler=None, heartbeat_s=10.0,
                 queue_limit=500, slow_timeout_s=30.0, token_check_s=5.0, auth_timeout_s=5.0,
                 max_unauthenticated=5, close_transport=None):
        self._session_factory = session_factory
        self._bus = bus                        # news of commits in other processes (RedisBus)
        self._send = send                      # send(sid, message, payload)
        self._backlog = backlog or (lambda sid: 0)   # backlog(sid): messages waiting unsent (None: gone)
        # cut_off(sid, graceful=False): close a connection that does not read (graceful: after what is queued)
        self._cut_off = cut_off or (lambda sid, graceful=False: None)
        self.server_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.heartbeat_s = heartbeat_s
        self._scheduler = scheduler            # runs this hub's heartbeat and token checks
        self.queue_limit, self.slow_timeout_s = queue_limit, slow_timeout_s
        # close_transport(eio_sid): close an Engine.IO connection that never authenticated
        self._close_transport = close_transport or (lambda eio_sid: None)
        self.token_check_s = token_check_s
        self.replay_limit = replay_limit
        self._safety_poll_s = safety_poll_s
        # The one record of each connection of this process (realtime/connections.py).
        self.connections = Connections(auth_timeout_s=auth_timeout_s, max_unauthenticated=max_unauthenticated)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._cursor = None
        self._thread = None
        self._gate = None
        self.position_interval_s = position_interval_s
        self._positions_waiting = threading.Event()
        self._positions_lock = threading.Lock()
        self._latest = {}                      # unit id -> newest position (one per unit)
        self._moved = set()                    # units moved since the last round
        self._stopped = threading.Event()
        self._threads = []

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self):
        with self._lock:
            if self._thread is not None or self._stopped.is_set():
                return
            with self._session_factory() as session:
                self._cursor = last_event_id(session)
            event_log.subscribe(self.notify)
            auth.on_revocation(self.connections.token_revoked)
            if self._bus is not None:
                listening = threading.Event()
                self._threads.append(self._bus.listen(self.notify, self.position, stopped=self._stopped,
                                                      ready=listening))
                # The first console goes live only once this process hears the others (a position
                # announced before would never reach it); Redis down: it goes on, and polls.
                if not listening.wait(BUS_READY_S):
                    log.warning("the event bus on Redis did not answer in %s s; going on without it for now",
                                BUS_READY_S)
            else:
                positions.subscribe(self.position)
            self._thread = threading.Thread(target=self._pump, name="psc119-event-pump", daemon=True)
            self._thread.start()
            flusher = threading.Thread(target=self._flush_positions, name="psc119-positions", daemon=True)
            flusher.start()
            self._threads += [self._thread, flusher]
            if self._scheduler is not None:
                from ..scheduler import Job

                self._scheduler.add(Job("hub.heartbeat", self.heartbeat_s, self._heartbeat, real_time=True))
                self._scheduler.add(Job("hub.revoked_tokens", self.token_check_s, self._drop_revoked,
                                        real_time=True))
                self._scheduler.start()

    def _start_gate(self):
        """The thread that closes connections that do not authenticate in time (no database:
        it runs even while the database is down)."""
        with self._lock:
            if self._gate is not None or self._stopped.is_set():
                return
            self._gate = threading.Thread(target=self._guard_gate, name="psc119-auth-timeout", daemon=True)
            self._gate.start()
            self._threads.append(self._gate)

    def _guard_gate(self):
        tick = min(1.0, self.connections.auth_timeout_s / 5)
        while not self._stopped.wait(tick):
            self._close_unauthenticated()

    def stop(self, timeout=5.0):
        """Stop the threads and listeners (an app being torn down, e.g. between tests)."""
        self._stopped.set()
        event_log.unsubscribe(self.notify)
        auth.off_revocation(self.connections.token_revoked)
        positions.unsubscribe(self.position)
        self._wake.set()
        self._positions_waiting.set()
        if self._scheduler is not None:
            self._scheduler.stop(timeout)
        for thread in self._threads:
            thread.join(timeout)

    def notify(self, _events=None):
        """Something was committed: read the log (called after commit, from any thread)."""
        self._wake.set()

    def position(self, position):
        """A unit moved: its newest fix waits for the next round (a newer one replaces it; an
        older one, from a slower path, is dropped)."""
        unit_id = position["unit_id"]
        with self._positions_lock:
            known = self._latest.get(unit_id)
            if known is not None and _fix_time(position) < _fix_time(known):
                return
            self._latest[unit_id] = position
            self._moved.add(unit_id)
        self._positions_waiting.set()

    def _flush_positions(self):
        """Rounds, at most one per interval: each unit that moved since the last round goes, once,
        to every live connection that may see it (encoded once for all of them), so a console
        gets at most one position per unit per interval, always the newest. A connection that
        does not keep up (``POSITION_BACKLOG``) is owed those units' newest positions for a
        later round instead."""
        last_round = float("-inf")
        while not self._stopped.is_set():
            self._positions_waiting.wait()
            wait = last_round + self.position_interval_s - time.monotonic()
            if wait > 0 and self._stopped.wait(wait):
                return
            if self._stopped.is_set():
                return
            self._positions_waiting.clear()
            last_round = time.monotonic()
            with self._positions_lock:
                moved, self._moved = self._moved, set()
                latest = dict(self._latest)
            connections = [c for c in self.connections.all() if c.live and not c.closed]
            recipients = defaultdict(list)   # unit id -> sids (one `position` message per unit)
            batches = defaultdict(list)      # units -> sids (one `positions` message per round)
            for conn in self.connections.all():
                if not conn.live and not conn.closed:
                    # Being brought up to date: its snapshot may have been read before this fix
                    # was committed, so it is owed the newest position once live.
                    conn.owed |= moved
            for conn in connections:
                due, conn.owed = moved | conn.owed, set()
                if conn.crew is not None:
                    due = due & {conn.unit_id}
                if not due:
                    continue
                if self._busy(conn):
                    conn.owed = due            # bounded: one unit id per unit
                    self._positions_waiting.set()
                    continue
                if conn.batch_positions:
                    batches[frozenset(due)].append(conn.sid)
                    continue
                for unit_id in due:
                    recipients[unit_id].append(conn.sid)
            for unit_id, sids in recipients.items():
                self._send(sids, "position", latest[unit_id])
            for units, sids in batches.items():
                self._send(sids, "positions", {"items": [latest[u] for u in sorted(units)]})

    # -- connections -------------------------------------------------------------------------
    def opened(self, eio_sid, address):
        """Engine.IO accepted a transport (no token seen yet): False refuses it (its address
        has too many connections that have not authenticated)."""
        self._start_gate()
        return self.connections.opened(eio_sid, address) is not None

    def transport_closed(self, eio_sid):
        self.connections.transport_closed(eio_sid)

    def register(self, eio_sid, sid, user, token, *, batch_positions=False):
        """Note a connection the moment its Socket.IO CONNECT is accepted (before it is
        brought up to date)."""
        self.start()
        return self.connections.authenticated(eio_sid, sid, user, token, batch_positions=batch_positions)

    def attach(self, sid, last_seen=None):
        """Bring a new connection up to date (replay or snapshot), then let it go live. A
        crew's connection is first recorded as its unit's device (presence)."""
        conn = self.connections.get(sid)
        if conn is None:
            return   # it went before it was brought up to date
        user = conn.identity
        with conn.lock:
            if conn.closed:
                return
            with self._session_factory() as session:
                if user.role == "crew" and user.unit_id is not None:
                    self._record_device(session, conn, user)
                missed = None if last_seen is None else self._missed(session, last_seen)
                if missed is None:
                    state = snapshot(session, user=user)
                    conn.cursor = state["last_event_id"]
                    if user.role == "crew":
                        conn.crew = CrewView(user.unit_id,
                                             state["incidents"][0]["id"] if state["incidents"] else None)
                    self._send(sid, "snapshot", state)
                else:
                    conn.cursor = last_seen
                    if user.role == "crew":
                        # The crew's incident as it stood at last_seen; the replay moves it on from there.
                        conn.crew = CrewView(user.unit_id, crew_incident_at(session, user.unit_id, last_seen))
                    self._catch_up(conn, missed)
            conn.live = True
        self.notify()
        if conn.owed:
            self._positions_waiting.set()

    def disconnected(self, sid, *, transport_open=False):
        """The Socket.IO session went: its record is forgotten at once (the transport, if
        still open, is unauthenticated again). Returns the record for :meth:`detach`."""
        return self.connections.disconnected(sid, transport_open=transport_open)

    def detach(self, conn):
        """After :meth:`disconnected` (in the background): wait for any bring-up still running
        and, for a crew, remove its device session (the unit is reported disconnected when it
        was the last)."""
        if conn is None:
            return
        with conn.lock:
            conn.closed = True
            if conn.device_recorded:
                try:
                    with self._session_factory() as session:
                        presence.device_disconnected(session, sid=conn.sid)
                except Exception:  # the row expires with DEVICE_TIMEOUT_S instead
                    log.exception("could not record that %s went", conn.sid)
                conn.device_recorded = False

    def _record_device(self, session, conn, user):
        """Presence must never keep a crew from its events: a failure is logged, not raised."""
        try:
            presence.device_connected(session, actor=user, sid=conn.sid, server=self.server_id)
            conn.device_recorded = True
        except Exception:
            log.exception("could not record the device of unit %s as connected", user.unit_id)

    def connection(self, sid):
        return self.connections.get(sid)

    def _missed(self, session, last_seen):
        """The events after ``last_seen``, or None when it is unknown or too far back (snapshot)."""
        newest = last_event_id(session)
        if last_seen > newest:
            return None   # from another database, or a log that was reset
        missed = event_log.list_after(session, after=last_seen, limit=self.replay_limit + 1)
        if len(missed) > self.replay_limit:
            return None
        return missed

    # -- the pump ----------------------------------------------------------------------------
    def _pump(self):
        while not self._stopped.is_set():
            # While a connection is paused, look at it often: it may be reading again.
            paused = any(c.paused for c in self.connections.all())
            self._wake.wait(0.1 if paused else self._safety_poll_s)
            self._wake.clear()
            if self._stopped.is_set():
                return
            try:
                self._drain()
                self._resume_paused()
            except Exception:  # the database is down for a moment: try again on the next wake
                log.exception("event pump failed; retrying")

    def _close_unauthenticated(self):
        """Connections that have not authenticated in time are closed (they hold a thread)."""
        for eio_sid in self.connections.overdue():
            log.info("engine.io connection %s did not authenticate within %.0f s; closing it", eio_sid,
                     self.connections.auth_timeout_s)
            self.connections.transport_closed(eio_sid)
            try:
                self._close_transport(eio_sid)
            except Exception:
                log.exception("could not close %s", eio_sid)

    def _drop_revoked(self, session, now=None):
        """A console whose user logged out (or whose token expired) stops receiving at once."""
        conns = self.connections.revoked(session)
        for conn in conns:
            log.info("connection %s: token no longer valid; closing it", conn.sid)
            self._send(conn.sid, "error", {"code": "invalid_token", "message": "the token was revoked or has "
                                           "expired; log in again", "fields": {}})
            conn.closed = True     # nothing more for it
            self._cut_off(conn.sid, graceful=True)

    def _heartbeat(self, session, now=None):
        sids = [c.sid for c in self.connections.all() if c.device_recorded]
        if sids:
            presence.heartbeat(session, sids=sids)

    def _drain(self):
        while True:
            with self._session_factory() as session:
                batch = event_log.list_after(session, after=self._cursor, limit=BATCH)
            if not batch:
                return
            connections = self.connections.all()
            for event in batch:
                self._fan_out(connections, event)
            self._cursor = batch[-1]["id"]

    def _fan_out(self, connections, event):
        """One event to every live connection that may see it, encoded once for all of them.
        (Only the pump sends events to live connections, so their order holds.)"""
        sids, assigned = [], []
        for conn in connections:
            with conn.lock:
                # not live: still being brought up to date (attach() reads the log itself);
                # paused: caught up from the log when it reads again.
                if not conn.live or conn.paused or conn.closed or event["id"] <= conn.cursor:
                    continue
                if self._full(conn):
                    self._pause(conn)
                    continue
                conn.cursor = event["id"]
                if conn.admits(event):
                    sids.append(conn.sid)
                    if self._assigns(conn, event):
                        assigned.append(conn.sid)
        if sids:
            self._send(sids, "event", event)
        for sid in assigned:
            self._send(sid, "assignment", _assignment_message(event))

    @staticmethod
    def _assigns(conn, event):
        return conn.crew is not None and event["type"] == "incident.assigned" and event["unit_id"] == conn.unit_id

    # -- back-pressure -----------------------------------------------------------------------
    def _busy(self, conn):
        """Positions yield to events: they are sent only to a connection that keeps up, so a
        status change never waits behind a pile of positions."""
        backlog = self._backlog(conn.sid)
        return backlog is not None and backlog >= POSITION_BACKLOG

    def _full(self, conn):
        backlog = self._backlog(conn.sid)
        return backlog is not None and backlog >= self.queue_limit

    def _catch_up(self, conn, events):
        """Deliver ``events`` to ``conn`` (under its lock) until its send queue is full: then
        it is paused, its cursor at the last event it was given."""
        for event in events:
            if event["id"] <= conn.cursor:
                continue
            if self._full(conn):
                self._pause(conn)
                return False
            self._deliver(conn, event)
        return True

    def _pause(self, conn):
        if not conn.paused:
            conn.paused, conn.progress_at = True, time.monotonic()
            conn.backlog_seen = self._backlog(conn.sid) or 0
            log.warning("connection %s is not reading; paused at event %s", conn.sid, conn.cursor)

    def _resume_paused(self):
        """Catch up paused connections that read again, from the log; cut off the stuck ones."""
        paused = [c for c in self.connections.all() if c.paused]
        for conn in paused:
            backlog = self._backlog(conn.sid)
            if backlog is None:
                continue   # gone: detach() follows
            now = time.monotonic()
            if backlog < conn.backlog_seen:
                conn.progress_at = now
            conn.backlog_seen = backlog
            if now - conn.progress_at > self.slow_timeout_s:
                log.warning("connection %s read nothing for %.0f s; cutting it off", conn.sid, self.slow_timeout_s)
                self._cut_off(conn.sid)   # its disconnect handler detaches it
                continue
            if backlog > self.queue_limit // 2:
                continue
            with conn.lock:
                while not conn.closed:
                    room = self.queue_limit - (self._backlog(conn.sid) or 0)
                    if room <= 0:
                        break
                    with self._session_factory() as session:   # no more than it can take now
                        batch = event_log.list_after(session, after=conn.cursor, limit=min(BATCH, room))
                    if not batch:
                        break
                    if not self._catch_up(conn, batch):
                        break
                # Progress is measured from what was just queued: a client that reads it all
                # counts as reading, even while it stays behind for longer than slow_timeout_s.
                conn.backlog_seen = self._backlog(conn.sid) or 0
                if conn.cursor >= self._cursor and not self._full(conn):
                    conn.paused = False   # up to date with the pump: live again
                    log.info("connection %s reads again; live from event %s", conn.sid, conn.cursor)

    def _deliver(self, conn, event):
        """One event to one connection (a replay or a catch-up, under the connection's lock)."""
        if event["id"] <= conn.cursor:
            return
        conn.cursor = event["id"]
        if not conn.admits(event):
            return
        self._send(conn.sid, "event", event)
        if self._assigns(conn, event):
            self._send(conn.sid, "assignment", _assignment_message(event))


def _assignment_message(event):
    data = event["data"]
    return {"event_id": event["id"], "assignment": data["assignment"], "incident": data["incident"]}
