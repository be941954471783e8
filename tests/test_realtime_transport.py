"""A live client that does not read can never make the server hold unbounded memory, and
the others never notice it (docs/REALTIME.md, realtime/hub.py and realtime/transport.py).

What the people at the consoles and in the ambulances rely on:

* A console or phone that stops reading (a frozen browser tab, a phone in a tunnel) is
  never sent more than SEND_QUEUE_LIMIT messages that wait unsent in the server; the rest
  wait in the event log. If it makes no progress for SLOW_CLIENT_TIMEOUT_S it is cut off:
  its socket is closed (the client sees the connection end) and the server thread blocked
  writing to it ends.
* Meanwhile every other console gets every event, once, in order, as usual.
* One that only stopped for a while loses nothing: when it reads again it gets every
  event it missed, once, in id order, then the live ones; positions reported meanwhile are
  held back too, only the newest per unit, so it ends on the newest.
* One that was cut off comes back with its ``last_event_id`` and gets the rest.
* One that reads steadily but is far behind is caught up, however long that takes: it is
  not "slow" as long as it makes progress.

The clients here are bare websockets (the ``websocket-client`` package) that speak Engine.IO
and Socket.IO by hand, so the test decides exactly when a client reads, and a client is
read by one thread only: what it records is the order on the wire. A client that "does not
read" has a 4 kB receive buffer; the bursts are several MB of fat events, more than the
kernel buffers on a loopback connection, so the server's writer really blocks, as it does
for a client on the far side of a dead mobile link. Backlogs are read from Engine.IO's own
queue, not through the code under test. Every wait polls a condition with a deadline.
"""
import json
import os
import queue
import socket
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import websocket

from conftest import DEADLINE_S
from dispatch.core import events as event_log
from dispatch.core.clock import utcnow

QUEUE_LIMIT = 20
SLACK = 2                 # what may pass the check: an assignment after its event, an Engine.IO ping
BURST_EVENTS = 200
EVENT_BYTES = 40_000      # 200 x 40 kB = 8 MB: more than a stuck loopback connection absorbs
SMALL_RCVBUF = 4096


# -- a client on a bare websocket ---------------------------------------------------------------

class Wire:
    """A Socket.IO client on a bare websocket. It reads only when asked (or, after
    :meth:`read_in_background`, in one thread of its own)."""

    def __init__(self, live_server, token, *, last_event_id=None, rcvbuf=None):
        options = {"sockopt": ((socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf),)} if rcvbuf else {}
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{urlsplit(live_server).port}/socket.io/?EIO=4&transport=websocket",
            timeout=DEADLINE_S, skip_utf8_validation=True, **options)
        opened = self.ws.recv()
        assert opened.startswith("0{"), opened                      # Engine.IO open
        auth = {"token": token}
        if last_event_id is not None:
            auth["last_event_id"] = last_event_id
        self.ws.send("40" + json.dumps(auth))                       # Socket.IO connect
        # The server may send the snapshot before its acknowledgement: keep what comes first.
        self._early = []
        while not (packet := self._packet()).startswith("0"):
            assert packet.startswith("2"), packet                   # not 4{...}: connect_error
            self._early.append(tuple(json.loads(packet[1:])))
        self.sid = json.loads(packet[1:])["sid"]
        self._inbox = None

    def _packet(self):
        """The next Socket.IO packet, answering Engine.IO pings on the way."""
        while True:
            frame = self.ws.recv()
            if frame == "2":
                self.ws.send("3")
            elif frame.startswith("4"):
                return frame[1:]

    def _receive(self):
        if self._early:
            return self._early.pop(0)
        while True:
            packet = self._packet()
            if packet.startswith("2"):                              # an event: 2["name", payload]
                name, payload = json.loads(packet[1:])
                return name, payload

    def read_in_background(self):
        self._inbox = queue.Queue()

        def loop():
            try:
                while True:
                    self._inbox.put(self._receive())
            except Exception as exc:   # the connection ended
                self._inbox.put(("closed", exc))

        threading.Thread(target=loop, name="wire-reader", daemon=True).start()
        return self

    def next(self, name=None):
        """The next message (of that name; others before it are skipped)."""
        while True:
            if self._inbox is None:
                try:
                    got, payload = self._receive()
                except websocket.WebSocketTimeoutException:
                    pytest.fail(f"no message in {DEADLINE_S} s")
                except (websocket.WebSocketConnectionClosedException, OSError) as exc:
                    got, payload = "closed", exc
            else:
                try:
                    got, payload = self._inbox.get(timeout=DEADLINE_S)
                except queue.Empty:
                    pytest.fail(f"no message in {DEADLINE_S} s")
            if got == "closed":
                pytest.fail(f"the server closed a connection that was reading ({payload!r})")
            if name is None or got == name:
                return got, payload

    def events_until(self, last_id):
        out = []
        while not out or out[-1]["id"] < last_id:
            out.append(self.next("event")[1])
        return out

    def drain(self, timeout):
        """Read what is left until the connection ends: the messages in it. Fails if it is
        still open, silent, after ``timeout`` seconds."""
        self.ws.settimeout(timeout)
        got = []
        try:
            while True:
                got.append(self._receive())
        except websocket.WebSocketTimeoutException:
            pytest.fail(f"the connection was still open {timeout} s after it was cut off")
        except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
            return got   # EOF, reset, or a frame cut in the middle

    def close(self):
        self.ws.shutdown()   # no closing handshake: the server may be blocked writing to us


@pytest.fixture
def wires(live_server, world):
    opened = []

    def open_wire(who, **kw):
        wire = Wire(live_server, world.tokens[who], **kw)
        opened.append(wire)
        return wire

    yield open_wire
    for wire in opened:
        wire.close()


# -- what the server holds for one connection ---------------------------------------------------

class Watch:
    """Samples one connection's state in the server every few milliseconds, in a thread:
    the largest backlog (messages queued in Engine.IO, unsent) while it was attached,
    whether and when the hub paused it, when its backlog last fell (it made progress),
    when it was detached."""

    def __init__(self, app, sid):
        self.hub, self.sid = app.extensions["psc_hub"], sid
        server = app.extensions["socketio"].server
        self.eio_sid = server.manager.eio_sid_from_sid(sid, "/")
        self.eio_socket = server.eio.sockets[self.eio_sid]
        self.max_backlog, self.paused_at, self.progress_at, self.gone_at = 0, None, None, None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="watch", daemon=True)
        self._thread.start()

    def backlog(self):
        return self.eio_socket.queue.qsize()

    def _run(self):
        previous = None
        while not self._stop.is_set():
            now, conn = time.monotonic(), self.hub.connection(self.sid)
            if conn is None or self.eio_socket.closed:
                self.gone_at = self.gone_at or now
            else:
                backlog = self.backlog()
                self.max_backlog = max(self.max_backlog, backlog)
                if conn.paused and self.paused_at is None:
                    self.paused_at = now
                if previous is not None and backlog < previous:
                    self.progress_at = now
                previous = backlog
            self._stop.wait(0.002)

    def held_back(self):
        """Paused, with the queue full: the hub gives it nothing more."""
        conn = self.hub.connection(self.sid)
        return conn is not None and conn.paused and self.backlog() >= QUEUE_LIMIT

    def stop(self):
        self._stop.set()
        self._thread.join()


@pytest.fixture
def watches():
    started = []

    def watch(app, sid):
        started.append(Watch(app, sid))
        return started[-1]

    yield watch
    for w in started:
        w.stop()


# -- helpers ------------------------------------------------------------------------------------

def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting, after {timeout} s, for: {what}")
        time.sleep(0.01)


def burst(session, world, count=BURST_EVENTS, size=EVENT_BYTES, per_commit=100):
    """Commit ``count`` fat ``hospital.updated`` events through the core; the last one's id.
    Random hex: nothing on the way can compress it away."""
    hospital = {"id": world.hospital.id, "name": world.hospital.name}
    newest = None
    for start in range(0, count, per_commit):
        rows = [event_log.record(session, "hospital.updated", actor=None,
                                 data={"changes": {"notes": os.urandom(size // 2).hex()}, "hospital": hospital})
                for _ in range(min(per_commit, count - start))]
        session.commit()
        newest = rows[-1].id
    return newest


def logged_ids(session, after, until):
    """The ids in the event log after ``after`` up to ``until``: what an operator must get."""
    session.rollback()
    return [e["id"] for e in event_log.list_after(session, after=after, limit=100_000) if e["id"] <= until]


def writer_threads():
    """Engine.IO's websocket writer threads (one per connection, blocked in send() while
    its client does not read)."""
    return {t for t in threading.enumerate() if t.name.endswith("(writer)")}


def fix(world, who, unit_id, lat, at):
    resp = world.post(who, f"/api/units/{unit_id}/location", {"lat": lat, "lon": 109.3402, "recorded_at": at})
    assert resp.status_code == 200, resp.get_json()


# -- tests --------------------------------------------------------------------------------------

def test_a_client_that_never_reads_is_held_to_the_limit_then_cut_off(app, world, session, wires, watches):
    hub = app.extensions["psc_hub"]
    hub.queue_limit, hub.slow_timeout_s = QUEUE_LIMIT, 2.0
    healthy = wires("sup").read_in_background()
    _, state = healthy.next("snapshot")
    before = writer_threads()
    stuck = wires("op", rcvbuf=SMALL_RCVBUF)     # reads the connect acknowledgement, and never again
    (stuck_writer,) = writer_threads() - before
    watch = watches(app, stuck.sid)

    last = burst(session, world)

    # Everyone else gets every event, once, in order.
    assert [e["id"] for e in healthy.events_until(last)] == logged_ids(session, state["last_event_id"], last)
    # The one that does not read is paused, never holds more than the limit, and is cut off,
    # slow_timeout_s after it last took data (not before: it was reading until then).
    wait_for(lambda: watch.gone_at and hub.connection(stuck.sid) is None and watch.eio_socket.closed,
             hub.slow_timeout_s + DEADLINE_S, "the stuck client to be cut off")
    watch.stop()
    assert watch.paused_at is not None
    assert watch.max_backlog <= QUEUE_LIMIT + SLACK, f"{watch.max_backlog} messages queued for a stuck client"
    stalled_at = watch.progress_at or watch.paused_at
    assert watch.gone_at - stalled_at >= hub.slow_timeout_s - 0.25, (
        f"cut off {watch.gone_at - stalled_at:.2f} s after it last took data (slow_timeout_s={hub.slow_timeout_s})")
    # The server thread that was blocked writing to it ends, and so does its TCP connection.
    wait_for(lambda: not stuck_writer.is_alive(), DEADLINE_S, "its blocked writer thread to end")
    got = stuck.drain(timeout=5)                 # what was in flight, then the end of the connection
    assert got and got[0][0] == "snapshot"
    events = [payload for name, payload in got if name == "event"]
    assert len(events) < BURST_EVENTS            # it really was stuck: most of the burst never left the log

    # It comes back with the last event it got, and gets the rest: once, in order.
    resumed_from = events[-1]["id"] if events else got[0][1]["last_event_id"]
    assert [e["id"] for e in events] == logged_ids(session, got[0][1]["last_event_id"], resumed_from)
    again = wires("op", last_event_id=resumed_from).read_in_background()
    assert [e["id"] for e in again.events_until(last)] == logged_ids(session, resumed_from, last)


def test_a_client_that_stops_reading_for_a_while_gets_every_event_once_in_order(app, world, session, wires,
                                                                               watches):
    hub = app.extensions["psc_hub"]
    hub.queue_limit, hub.slow_timeout_s = QUEUE_LIMIT, 60.0
    reader = wires("op", rcvbuf=SMALL_RCVBUF)
    watch = watches(app, reader.sid)

    last = burst(session, world)
    wait_for(watch.held_back, DEADLINE_S, "the hub to hold it back (paused, queue full)")
    assert hub.connection(reader.sid).cursor < last          # the rest waits in the log, not in memory

    _, state = reader.next("snapshot")                       # it reads again
    missed = reader.events_until(last)
    assert [e["id"] for e in missed] == logged_ids(session, state["last_event_id"], last)
    live = burst(session, world, count=3, size=100)
    assert [e["id"] for e in reader.events_until(live)] == logged_ids(session, last, live)
    wait_for(lambda: not hub.connection(reader.sid).paused, DEADLINE_S, "it to be live again")
    assert watch.max_backlog <= QUEUE_LIMIT + SLACK


def test_positions_reported_while_a_client_does_not_read_do_not_pile_up(app, world, session, wires, watches):
    hub = app.extensions["psc_hub"]
    hub.queue_limit, hub.slow_timeout_s = QUEUE_LIMIT, 60.0
    hub.position_interval_s = 0.05       # a round every 50 ms: unchecked, nearly every fix would be queued
    reader = wires("op", rcvbuf=SMALL_RCVBUF)
    watch = watches(app, reader.sid)
    last = burst(session, world)
    wait_for(watch.held_back, DEADLINE_S, "the hub to hold it back (paused, queue full)")

    units = {world.unit_a.id: "crew_a", world.unit_b.id: "crew_b"}
    base, newest = utcnow() - timedelta(minutes=1), {}
    for i in range(40):
        for unit_id, crew in units.items():
            newest[unit_id] = round(-0.0300 - i * 0.0001, 6)
            fix(world, crew, unit_id, newest[unit_id], (base + timedelta(seconds=i)).isoformat())
            assert watch.backlog() <= QUEUE_LIMIT + SLACK, "positions pile up for a client that does not read"

    # When it reads again it gets the events it missed and ends on each unit's newest position.
    seen, ids = {}, []
    while not ids or ids[-1] < last or seen != newest:
        name, payload = reader.next()
        if name == "snapshot":
            start = payload["last_event_id"]
        elif name == "event":
            ids.append(payload["id"])
        elif name == "position":
            seen[payload["unit_id"]] = payload["lat"]
    assert ids[:ids.index(last) + 1] == logged_ids(session, start, last)
    assert watch.max_backlog <= QUEUE_LIMIT + SLACK


def test_a_client_that_reads_steadily_but_is_far_behind_is_caught_up_not_cut_off(app, world, session, wires,
                                                                                 watches):
    hub = app.extensions["psc_hub"]
    hub.queue_limit, hub.slow_timeout_s = QUEUE_LIMIT, 1.0
    console = wires("sup").read_in_background()
    _, state = console.next("snapshot")
    watch = watches(app, console.sid)

    last = burst(session, world, count=400, size=1000)   # more than it can be handed in slow_timeout_s

    assert [e["id"] for e in console.events_until(last)] == logged_ids(session, state["last_event_id"], last)
    assert watch.paused_at is not None                   # it was behind, and paused...
    assert hub.connection(console.sid) is not None       # ...but never cut off
