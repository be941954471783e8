"""Pushing the event log to live connections: in id order, exactly once, after commit.

The event log is the source of truth. After every commit that wrote events the hub is
woken; one pump thread reads the new events from the database (once, for all
connections) and hands each connection the ones it may see, in id order, tracking per
connection the last id it has been given. A connection that arrives with
``last_event_id`` is first given what it missed, read from the log, under its own lock,
before it goes live; the pump skips anything at or below its cursor, so nothing is lost
or sent twice at the seam. One that arrives without it, or too far behind, gets a
``snapshot`` and goes on from the id the snapshot is current to.
"""
import logging
import threading
import time
from dataclasses import dataclass, field

from ..core import assignment, positions
from ..core import events as event_log
from ..core.snapshot import crew_incident_at, last_event_id, snapshot
from ..core.visibility import CrewView

log = logging.getLogger(__name__)

BATCH = 500


@dataclass
class Connection:
    sid: str
    user_id: int
    role: str
    unit_id: int | None
    cursor: int = 0                     # the last event id this connection has been given (or skipped)
    live: bool = False
    crew: CrewView | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Positions waiting to be sent (the newest per unit) and when each unit's was last sent.
    positions: dict = field(default_factory=dict)
    position_sent: dict = field(default_factory=dict)

    def sees_unit(self, unit_id):
        return self.crew is None or unit_id == self.unit_id

    def admits(self, event):
        return True if self.crew is None else self.crew.admits(event)


class Hub:
    def __init__(self, *, session_factory, send, replay_limit=5000, safety_poll_s=2.0, bus=None,
                 position_interval_s=1.0, ack_timeout_s=60):
        self._session_factory = session_factory
        self._bus = bus                        # news of commits in other processes (RedisBus)
        self._send = send                      # send(sid, message, payload)
        self.replay_limit = replay_limit
        self._safety_poll_s = safety_poll_s
        self._connections = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._cursor = None
        self._thread = None
        self.position_interval_s = position_interval_s
        self.ack_timeout_s = ack_timeout_s
        self._positions_waiting = threading.Event()
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
            if self._bus is not None:
                self._threads.append(self._bus.listen(self.notify, self.position, stopped=self._stopped))
            else:
                positions.subscribe(self.position)
            self._thread = threading.Thread(target=self._pump, name="psc119-event-pump", daemon=True)
            self._thread.start()
            flusher = threading.Thread(target=self._flush_positions, name="psc119-positions", daemon=True)
            flusher.start()
            self._threads += [self._thread, flusher]

    def stop(self, timeout=5.0):
        """Stop the threads and listeners (an app being torn down, e.g. between tests)."""
        self._stopped.set()
        event_log.unsubscribe(self.notify)
        positions.unsubscribe(self.position)
        self._wake.set()
        self._positions_waiting.set()
        for thread in self._threads:
            thread.join(timeout)

    def notify(self, _events=None):
        """Something was committed: read the log (called after commit, from any thread)."""
        self._wake.set()

    def position(self, position):
        """A unit moved: keep it as the newest for every connection that may see that unit."""
        with self._lock:
            connections = list(self._connections.values())
        for conn in connections:
            if conn.live and conn.sees_unit(position["unit_id"]):
                with conn.lock:
                    conn.positions[position["unit_id"]] = position   # an older one waiting is dropped
        self._positions_waiting.set()

    def _flush_positions(self):
        """Send each connection's waiting positions, at most one per unit per interval."""
        while not self._stopped.is_set():
            self._positions_waiting.wait()
            self._positions_waiting.clear()
            while not self._stopped.is_set():
                with self._lock:
                    connections = list(self._connections.values())
                now = time.monotonic()
                later = []
                for conn in connections:
                    with conn.lock:
                        for unit_id, payload in list(conn.positions.items()):
                            due = conn.position_sent.get(unit_id, 0.0) + self.position_interval_s
                            if now >= due:
                                del conn.positions[unit_id]
                                conn.position_sent[unit_id] = now
                                self._send(conn.sid, "position", payload)
                            else:
                                later.append(due)
                if not later:
                    break
                time.sleep(max(0.0, min(later) - time.monotonic()))

    # -- connections -------------------------------------------------------------------------
    def attach(self, sid, user, last_seen=None):
        """Bring a new connection up to date (replay or snapshot), then let it go live."""
        self.start()
        conn = Connection(sid, user.id, user.role, user.unit_id)
        with self._lock:
            self._connections[sid] = conn
        with conn.lock, self._session_factory() as session:
            missed = None if last_seen is None else self._missed(session, last_seen)
            if missed is None:
                state = snapshot(session, user=user)
                conn.cursor = state["last_event_id"]
                if user.role == "crew":
                    conn.crew = CrewView(user.unit_id, state["incidents"][0]["id"] if state["incidents"] else None)
                self._send(sid, "snapshot", state)
            else:
                conn.cursor = last_seen
                if user.role == "crew":
                    # The crew's incident as it stood at last_seen; the replay moves it on from there.
                    conn.crew = CrewView(user.unit_id, crew_incident_at(session, user.unit_id, last_seen))
                for event in missed:
                    self._deliver(conn, event)
            conn.live = True
        self.notify()

    def detach(self, sid):
        with self._lock:
            self._connections.pop(sid, None)

    def connection(self, sid):
        return self._connections.get(sid)

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
            self._wake.wait(self._safety_poll_s)
            self._wake.clear()
            if self._stopped.is_set():
                return
            try:
                self._check_acknowledgements()
                self._drain()
            except Exception:  # the database is down for a moment: try again on the next wake
                log.exception("event pump failed; retrying")

    def _check_acknowledgements(self):
        """Assignments not accepted in time are flagged (once, whichever process sees them first)."""
        with self._session_factory() as session:
            overdue = assignment.overdue_acknowledgements(session, timeout_s=self.ack_timeout_s)
            if overdue:
                assignment.flag_unacknowledged(session, assignment_ids=overdue, timeout_s=self.ack_timeout_s)

    def _drain(self):
        while True:
            with self._session_factory() as session:
                batch = event_log.list_after(session, after=self._cursor, limit=BATCH)
            if not batch:
                return
            with self._lock:
                connections = list(self._connections.values())
            for conn in connections:
                with conn.lock:
                    if not conn.live:
                        continue   # still being brought up to date: attach() reads these itself
                    for event in batch:
                        self._deliver(conn, event)
            self._cursor = batch[-1]["id"]

    def _deliver(self, conn, event):
        if event["id"] <= conn.cursor:
            return
        conn.cursor = event["id"]
        if not conn.admits(event):
            return
        self._send(conn.sid, "event", event)
        if conn.crew is not None and event["type"] == "incident.assigned" and event["unit_id"] == conn.unit_id:
            data = event["data"]
            self._send(conn.sid, "assignment", {"event_id": event["id"], "assignment": data["assignment"],
                                                "incident": data["incident"]})
