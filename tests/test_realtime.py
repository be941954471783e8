"""Live status over Socket.IO, with real python-socketio clients against a live server.

Every wait is on a condition (a message arrived), with a deadline only to fail instead of
hanging: nothing here sleeps and hopes.
"""
import threading
import time
from datetime import timedelta

import pytest
import socketio
from sqlalchemy import update

from conftest import DEADLINE_S, Console  # noqa: F401  (others import them from here too)
from dispatch.core.clock import utcnow
from dispatch.models import Assignment


def last_id(world):
    items = world.events()
    return items[-1]["id"] if items else 0


def refusal(url, auth):
    """Connect with ``auth``; the connection must be refused. Returns what the server said."""
    said = []
    client = socketio.Client(reconnection=False)
    client.on("connect_error", said.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(url, auth=auth, transports=["websocket"], wait_timeout=DEADLINE_S)
    assert said, "refused without saying why"
    return {"code": said[0]["data"]["code"], "message": said[0]["message"]}


@pytest.mark.parametrize("auth, code", [
    (None, "unauthorized"), ({}, "unauthorized"), ({"token": None}, "unauthorized"), ({"token": "not-a-token"}, "invalid_token"),
    ({"token": 5}, "invalid_token"), ({"token": "x" * 5000}, "invalid_token"),
])
def test_a_connection_without_a_valid_token_is_refused(live_server, world, auth, code):
    said = refusal(live_server, auth)
    assert said["code"] == code and said["message"]


def test_a_page_of_another_origin_cannot_open_a_live_connection(live_server, world):
    """The handshake is checked for Origin: this server's own pages and no others. A client
    that sends no Origin (a native app) goes on to the token check like any other."""
    import websocket  # websocket-client: exactly the Origin given, or none

    token = world.tokens["op"]
    evil = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        evil.connect(live_server, auth={"token": token}, transports=["polling"], wait_timeout=DEADLINE_S,
                     headers={"Origin": "http://evil.example"})
    ws_url = live_server.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(ws_url, timeout=DEADLINE_S, origin="http://evil.example")
    assert refused.value.status_code == 400
    for origin in (live_server, None):
        ws = websocket.create_connection(ws_url, timeout=DEADLINE_S, origin=origin, suppress_origin=origin is None)
        try:
            assert ws.recv().startswith("0")
            ws.send('40{"token": "%s"}' % token)             # Socket.IO CONNECT with the token
            assert ws.recv().startswith("40{")               # accepted
        finally:
            ws.close()
    own = socketio.Client(reconnection=False)
    own.connect(live_server, auth={"token": token}, transports=["polling"], wait_timeout=DEADLINE_S,
                headers={"Origin": live_server})
    assert own.connected
    own.disconnect()


def test_configured_origins_may_open_a_live_connection(database_url):
    from conftest import make_config
    from dispatch import create_app
    from dispatch.extensions import db

    app = create_app(make_config(database_url, SOCKET_ALLOWED_ORIGINS=["https://cad.psc119.example"]))
    try:
        client = app.test_client()

        def handshake(origin):
            return client.get("/socket.io/?EIO=4&transport=polling", headers={"Origin": origin} if origin else {})

        assert handshake("https://cad.psc119.example").status_code == 200
        assert handshake("https://cad.psc119.example").headers["Access-Control-Allow-Origin"] == \
            "https://cad.psc119.example"
        assert handshake("http://localhost").status_code == 200          # its own origin (Host: localhost)
        assert handshake(None).status_code == 200
        refused = handshake("https://cad.psc119.example.evil.net")
        assert refused.status_code == 400 and "Access-Control-Allow-Origin" not in refused.headers
    finally:
        app.extensions["psc_hub"].stop()
        db.session.remove()
        db.engine.dispose()


def test_behind_a_trusted_proxy_unauthenticated_connections_are_counted_per_client(database_url):
    """TRUSTED_PROXIES=1: the bound per address counts the client nginx names, not nginx."""
    from conftest import make_config
    from dispatch import create_app
    from dispatch.extensions import db

    app = create_app(make_config(database_url, TRUSTED_PROXIES=1, SOCKET_MAX_UNAUTHENTICATED_PER_ADDRESS=1))
    try:
        client = app.test_client()

        def handshake(address):
            return client.get("/socket.io/?EIO=4&transport=polling", headers={"X-Forwarded-For": address}).status_code

        assert handshake("10.0.0.1") == 200
        assert handshake("10.0.0.2") == 200      # another client behind the same proxy
        assert handshake("10.0.0.1") == 401      # its second connection not yet logged in
    finally:
        app.extensions["psc_hub"].stop()
        db.session.remove()
        db.engine.dispose()


def test_revoked_and_admin_tokens_are_refused(live_server, world):
    world.post("op", "/api/auth/logout")
    assert refusal(live_server, {"token": world.tokens["op"]})["code"] == "invalid_token"
    assert refusal(live_server, {"token": world.tokens["adm"]})["code"] == "forbidden"


def test_a_console_whose_user_logs_out_is_told_and_closed(live_server, world, app):
    app.extensions["psc_hub"].token_check_s = 0.2
    console = Console(live_server, world.tokens["op"])
    console.client.on("error", lambda e: console.messages.put(("error", e)))
    gone = threading.Event()
    console.client.on("disconnect", lambda *_: gone.set())
    console.connect()
    console.next("snapshot")
    world.post("op", "/api/auth/logout")   # e.g. on another tab
    _, said = console.next("error")
    assert said["code"] == "invalid_token"
    assert gone.wait(DEADLINE_S), "the server kept the connection of a revoked token open"
    r = world.post("sup", "/api/calls", {"caller_phone": "0811573119", "lat": -0.03, "lon": 109.33})
    assert r.status_code == 201            # nothing reaches the closed console any more
    assert console.nothing_more()


@pytest.mark.parametrize("bad", [-1, "12", 1.5, True, 2**70, [1]])
def test_a_bad_last_event_id_is_refused(live_server, world, bad):
    said = refusal(live_server, {"token": world.tokens["op"], "last_event_id": bad})
    assert said["code"] == "validation_error" and "last_event_id" in said["message"]


def test_a_new_console_gets_a_snapshot_then_live_events(consoles, world):
    incident = world.new_incident()
    console = consoles("op")
    _, state = console.next("snapshot")
    assert [i["id"] for i in state["incidents"]] == [incident["id"]]
    assert {u["call_sign"] for u in state["units"]} == {"PSC-01", "PSC-02", "PSC-03"}
    assert state["last_event_id"] == last_id(world)
    second = world.new_incident()
    _, event = console.next("event")
    assert event["type"] == "call.received" and event["id"] == state["last_event_id"] + 1
    _, event = console.next("event")
    assert event["type"] == "incident.created" and event["incident_id"] == second["id"]
    assert set(event) == {"id", "type", "at", "occurred_at", "actor", "incident_id", "unit_id", "data"}


def test_a_refused_change_is_never_pushed(consoles, world):
    incident = world.new_incident()
    world.assign(incident["id"], world.unit_a.id)
    console = consoles("sup")
    console.next("snapshot")
    assert world.assign(world.new_incident()["id"], world.unit_a.id).status_code == 409  # rolled back
    marker = world.new_incident()  # a later change proves the stream has moved past the refusal
    types = [e["type"] for e in console.events_until(last_id(world))]
    assert "incident.assigned" not in types and "unit.status_changed" not in types
    assert types.count("incident.created") == 2 and marker["id"]


def test_resume_after_a_disconnect_gets_exactly_what_was_missed(consoles, world):
    console = consoles("op")
    _, state = console.next("snapshot")
    console.close()
    for _ in range(25):
        world.new_incident()  # 25 calls, 50 events
    written = [e["id"] for e in world.events(after=state["last_event_id"])]
    assert len(written) == 50
    again = consoles("op", last_event_id=state["last_event_id"])
    replayed = again.events_until(written[-1])
    assert [e["id"] for e in replayed] == written       # all of them, in order, once
    world.new_incident()  # and then live, seamlessly
    live = again.events_until(last_id(world))
    assert [e["id"] for e in live] == [written[-1] + 1, written[-1] + 2]


def test_events_committed_while_the_replay_runs_are_not_lost(consoles, world):
    start = last_id(world)
    stop = threading.Event()
    made = []

    def keep_writing():
        while not stop.is_set() and len(made) < 40:
            made.append(world_call())

    def world_call():
        return world.client.post("/api/calls", headers=world.headers("op"),
                                 json={"caller_phone": "0811-573-001", "lat": -0.03, "lon": 109.33}).status_code

    for _ in range(10):
        world.new_incident()
    writer = threading.Thread(target=keep_writing)
    writer.start()
    console = consoles("op", last_event_id=start)
    writer.join()
    stop.set()
    final = last_id(world)
    got = [e["id"] for e in console.events_until(final)]
    assert got == list(range(start + 1, final + 1))      # no gap, no duplicate at the seam
    assert made and set(made) == {201}


def test_a_change_rolled_back_after_its_events_were_recorded_is_never_pushed(consoles, world):
    """Cancelling frees the first unit (events recorded), then meets a transporting one and
    rolls everything back: none of it may reach a console."""
    incident = world.new_incident()
    world.assign(incident["id"], world.unit_b.id)
    world.assign(incident["id"], world.unit_a.id)
    for status in ("en_route", "on_scene", "transporting"):
        world.status(world.unit_a.id, status, hospital_id=world.hospital.id if status == "transporting" else None)
    console = consoles("sup")
    console.next("snapshot")
    assert world.post("op", f"/api/incidents/{incident['id']}/cancel", {"reason": "x"}).status_code == 409
    world.new_incident()
    types = [e["type"] for e in console.events_until(last_id(world))]
    assert types == ["call.received", "incident.created"]


def test_a_console_too_far_behind_gets_a_snapshot(app, consoles, world):
    app.extensions["psc_hub"].replay_limit = 5
    for _ in range(5):
        world.new_incident()
    console = consoles("op", last_event_id=0)
    name, state = console.next()
    assert name == "snapshot" and state["last_event_id"] == last_id(world)


def test_a_crew_gets_its_assignment_and_nothing_else(consoles, world):
    crew_a = consoles("crew_a")
    crew_b = consoles("crew_b")
    _, state_a = crew_a.next("snapshot")
    assert [u["id"] for u in state_a["units"]] == [world.unit_a.id] and state_a["incidents"] == []
    crew_b.next("snapshot")
    other = world.new_incident()
    world.assign(other["id"], world.unit_c.id)                      # another unit's job
    mine = world.new_incident(location_text="depan RS Antonius", notes="pagar biru")
    world.assign(mine["id"], world.unit_a.id)
    _, assignment = crew_a.next("assignment")
    assert assignment["incident"]["id"] == mine["id"]
    assert assignment["incident"]["notes"] == "pagar biru" and assignment["incident"]["category"] == "cardiac"
    assert assignment["incident"]["lat"] is not None and assignment["assignment"]["unit_id"] == world.unit_a.id
    world.patch("op", f"/api/incidents/{mine['id']}", {"notes": "pagar biru, rumah kedua"})
    world.status(world.unit_b.id, "out_of_service", who="crew_b")   # crew_b's own change: proves b's stream moved
    _, update = crew_a.next("event")
    seen = [update]
    while seen[-1]["type"] != "incident.updated":
        seen.append(crew_a.next("event")[1])
    assert all(e["incident_id"] == mine["id"] or e["unit_id"] == world.unit_a.id for e in seen)
    assert other["id"] not in {e["incident_id"] for e in seen}
    _, own = crew_b.next("event")
    assert own["unit_id"] == world.unit_b.id                       # crew_b saw none of crew_a's job
    assert crew_b.nothing_more()


def test_a_crew_whose_incident_is_merged_follows_its_unit_to_the_survivor(consoles, world):
    crew = consoles("crew_a")
    crew.next("snapshot")
    survivor = world.new_incident(notes="korban di seberang")
    mine = world.new_incident()
    world.assign(mine["id"], world.unit_a.id)
    crew.next("assignment")
    assert world.post("sup", f"/api/incidents/{mine['id']}/merge", {"into": survivor["id"]}).status_code == 200
    seen = [crew.next("event")[1]]
    while seen[-1]["type"] != "assignment.moved":
        seen.append(crew.next("event")[1])
    moved = seen[-1]
    assert moved["incident_id"] == survivor["id"] and moved["data"]["from_incident_id"] == mine["id"]
    assert moved["data"]["unit"]["current_assignment"]["incident_id"] == survivor["id"]
    # from then on the survivor's events are the crew's
    world.patch("op", f"/api/incidents/{survivor['id']}", {"notes": "korban di seberang, pagar biru"})
    later = crew.next("event")[1]
    while later["type"] != "incident.updated":
        later = crew.next("event")[1]
    assert later["incident_id"] == survivor["id"]


def fix(world, who, unit_id, lat, at):
    resp = world.post(who, f"/api/units/{unit_id}/location", {"lat": lat, "lon": 109.3402, "recorded_at": at})
    assert resp.status_code == 200, resp.get_json()


def test_positions_are_coalesced_to_one_per_unit_per_second_and_the_newest_arrives(consoles, world):
    supervisor = consoles("sup")
    supervisor.next("snapshot")
    start, base = time.monotonic(), utcnow() - timedelta(minutes=1)
    lats = [-0.0300 - i * 0.0001 for i in range(15)]
    for i, lat in enumerate(lats):
        fix(world, "crew_a", world.unit_a.id, lat, (base + timedelta(seconds=i)).isoformat())
    elapsed = time.monotonic() - start
    received = []
    while not received or received[-1]["lat"] != lats[-1]:
        _, position = supervisor.next("position")
        received.append(position)
    assert all(p["unit_id"] == world.unit_a.id and p["call_sign"] == "PSC-01" for p in received)
    assert len(received) <= int(elapsed) + 2 < len(lats)          # at most one a second, plus the last
    assert [p["lat"] for p in received] == sorted((p["lat"] for p in received), reverse=True)  # never older


def test_a_console_may_take_positions_in_one_message_a_second(live_server, world):
    """With auth positions="batch", a console watching many units gets one `positions` message a
    round with the newest position of each unit that moved, instead of a message per unit."""
    console = Console(live_server, world.tokens["sup"])
    console.auth["positions"] = "batch"
    console.client.on("positions", lambda batch: console.messages.put(("positions", batch)))
    console.connect()
    try:
        console.next("snapshot")
        at = utcnow() - timedelta(seconds=30)
        fix(world, "crew_a", world.unit_a.id, -0.0301, at.isoformat())
        fix(world, "crew_a", world.unit_a.id, -0.0302, (at + timedelta(seconds=1)).isoformat())
        fix(world, "crew_b", world.unit_b.id, -0.0401, at.isoformat())
        newest = {}
        while newest != {world.unit_a.id: -0.0302, world.unit_b.id: -0.0401}:
            _, batch = console.next("positions")
            assert len({p["unit_id"] for p in batch["items"]}) == len(batch["items"])   # one per unit
            newest.update({p["unit_id"]: p["lat"] for p in batch["items"]})
        assert console.nothing_more()   # no single `position` messages besides
    finally:
        console.close()


def test_an_unknown_positions_mode_is_refused(live_server, world):
    said = refusal(live_server, {"token": world.tokens["sup"], "positions": "all"})
    assert said["code"] == "validation_error" and "positions" in said["message"]


def test_a_crew_sees_only_its_own_units_position(consoles, world):
    crew_b = consoles("crew_b")
    crew_b.next("snapshot")
    fix(world, "crew_a", world.unit_a.id, -0.0301, utcnow().isoformat())
    fix(world, "crew_b", world.unit_b.id, -0.0155, utcnow().isoformat())
    _, position = crew_b.next("position")
    assert position["unit_id"] == world.unit_b.id and position["lat"] == -0.0155


def test_an_older_fix_is_not_pushed(consoles, world):
    from datetime import timedelta

    supervisor = consoles("sup")
    supervisor.next("snapshot")
    now = utcnow()
    fix(world, "crew_a", world.unit_a.id, -0.0301, now.isoformat())
    fix(world, "crew_a", world.unit_a.id, -0.0399, (now - timedelta(minutes=5)).isoformat())  # late, older
    fix(world, "crew_b", world.unit_b.id, -0.0155, now.isoformat())                          # a marker
    seen = {}
    while world.unit_b.id not in seen:
        _, position = supervisor.next("position")
        seen.setdefault(position["unit_id"], []).append(position["lat"])
    assert seen[world.unit_a.id] == [-0.0301]


def test_an_assignment_not_accepted_in_time_is_reported_once(app, consoles, world, session):
    operator = consoles("op")
    operator.next("snapshot")
    late = world.new_incident()
    world.assign(late["id"], world.unit_a.id)
    accepted = world.new_incident()
    world.assign(accepted["id"], world.unit_b.id)
    crew_b = Console(operator.url, world.tokens["crew_b"]).connect()
    try:
        _, state = crew_b.next("snapshot")   # connected after the assignment: it is in the snapshot
        job = next(a["id"] for a in state["incidents"][0]["assignments"] if a["unit_id"] == world.unit_b.id)
        assert crew_b.client.call("accept", {"assignment_id": job}, timeout=DEADLINE_S)["ok"]
    finally:
        crew_b.close()
    # Both were dispatched two minutes ago; only the one nobody accepted is overdue.
    session.execute(update(Assignment).values(dispatched_at=utcnow() - timedelta(minutes=2)))
    session.commit()
    hub = app.extensions["psc_hub"]
    hub.notify()
    _, event = operator.next("event")
    while event["type"] != "assignment.unacknowledged":
        _, event = operator.next("event")
    assert event["unit_id"] == world.unit_a.id and event["incident_id"] == late["id"]
    assert event["data"]["waited_s"] >= 119 and event["data"]["timeout_s"] == 60
    hub.notify()
    world.new_incident()                                  # a marker after a second look
    types = [e["type"] for e in operator.events_until(last_id(world))]
    assert "assignment.unacknowledged" not in types       # once only
