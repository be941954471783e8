"""A console that starts from a snapshot and applies the events after it holds what a fresh snapshot
says: the pages' own state code (static/js/state.js, run by Node), fed a busy shift's events from
the log, compared with the server's snapshot at the end."""
import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from dispatch.core import assignment, snapshot
from dispatch.core.clock import shifted, utcnow
from dispatch.extensions import db

STATE_JS = Path(__file__).resolve().parent.parent / "static" / "js" / "state.js"

APPLY = """
import { LiveState } from %s;
let input = "";
for await (const chunk of process.stdin) input += chunk;
const { snapshot, events } = JSON.parse(input);
const state = new LiveState();
state.snapshot(snapshot);
for (const event of events) state.event(event);
process.stdout.write(JSON.stringify({ incidents: [...state.incidents.values()], units: [...state.units.values()],
  alerts: [...state.alerts.values()] }));
"""


def applied(start, events):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run the pages' state code (make setup-dev installs the npm packages)")
    done = subprocess.run([node, "--input-type=module", "-e", APPLY % json.dumps(STATE_JS.as_uri())],
                          input=json.dumps({"snapshot": start, "events": events}), capture_output=True,
                          text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def snapshot_now(app, user):
    with app.app_context():
        session = db.new_session()
        try:
            return json.loads(json.dumps(snapshot.snapshot(session, user=user)))
        finally:
            session.close()


def busy_shift(world, session):
    """Calls of every kind, units sent, crews moving, a unit withdrawn, a merge, a link and an
    unlink, a cancel, a reopen, a paper card, hospital beds: most of what changes a console's state."""
    first = world.new_incident(priority="P1")
    world.assign(first["id"], world.unit_a.id)
    accepted = world.get("op", f"/api/incidents/{first['id']}").get_json()["assignments"][0]["id"]
    assignment.accept_assignment(session, actor=world.users["crew_a"], assignment_id=accepted)
    for status in ("en_route", "on_scene", "transporting"):
        world.status(world.unit_a.id, status, **({"hospital_id": world.hospital.id} if status == "transporting" else {}))
    second = world.new_incident(priority="P2", lat=-0.05, lon=109.32)
    sent = world.assign(second["id"], world.unit_b.id).get_json()["assignments"][0]["id"]
    world.status(world.unit_b.id, "en_route")
    world.post("op", f"/api/incidents/{second['id']}/assignments/{sent}/cancel", {"reason": "dialihkan"})
    world.patch("op", f"/api/incidents/{second['id']}", {"priority": "P1", "notes": "pagar hijau"})
    again = world.new_call(caller_phone="0813-1000-001", lat=-0.05, lon=109.3201)
    world.post("op", f"/api/calls/{again['call']['id']}/link", {"incident_id": second["id"]})
    world.post("op", f"/api/calls/{again['call']['id']}/unlink", {})
    third, fourth = world.new_incident(priority="P3"), world.new_incident(priority="P2", lat=-0.01, lon=109.33)
    world.assign(fourth["id"], world.unit_c.id)
    world.post("sup", f"/api/incidents/{fourth['id']}/merge", {"into": third["id"]})
    cancelled = world.new_incident()
    world.post("op", f"/api/incidents/{cancelled['id']}/cancel", {"reason": "salah sambung"})
    world.post("op", f"/api/incidents/{cancelled['id']}/reopen", {"reason": "menelepon lagi"})
    scheduler = world.app.extensions["psc_scheduler"]
    with shifted(timedelta(minutes=15)):                # timers run out: alerts are raised
        scheduler.run_once("alerts")
    raised = world.get("op", "/api/alerts").get_json()["items"]
    world.post("op", f"/api/alerts/{raised[0]['id']}/ack", {"note": "sedang ditelepon"})
    world.status(world.unit_a.id, "at_hospital")
    world.status(world.unit_a.id, "available")                                   # closes the first by itself
    scheduler.run_once("offers", "alerts")              # offered to a waiting incident; some alerts resolve
    taken = utcnow() - timedelta(hours=2)
    world.post("sup", "/api/calls", {"caller_phone": "0813-1000-002", "lat": -0.03, "lon": 109.33,
                                     "taken_at": taken.isoformat(), "late_entry": {
                                         "unit_id": world.unit_b.id,
                                         "dispatched_at": (taken + timedelta(minutes=2)).isoformat()}})
    world.post("op", "/api/calls", {"caller_phone": "0813-1000-003", "disposition": "dropped"})
    world.patch("sup", f"/api/hospitals/{world.hospital.id}", {"beds_available": 2})
    world.status(world.unit_c.id, "en_route")          # on the merged-into incident: its phase does not change


def test_a_snapshot_and_the_events_after_it_give_what_a_fresh_snapshot_gives(app, world, session):
    supervisor = world.users["sup"]
    world.new_incident(priority="P3")                          # something in the first snapshot already
    start = snapshot_now(app, supervisor)
    busy_shift(world, session)
    events = world.events(after=start["last_event_id"])
    assert len(events) > 40 and {e["type"] for e in events} >= {
        "incident.assigned", "unit.status_changed", "assignment.cancelled", "incident.merged", "call.linked",
        "incident.split", "incident.reopened", "incident.closed", "assignment.entered_late", "alert.raised",
        "alert.acknowledged", "alert.resolved", "incident.unit_offered"}
    end = snapshot_now(app, supervisor)
    assert end["last_event_id"] == events[-1]["id"]
    state = applied(start, events)
    by_id = lambda rows: {row["id"]: row for row in rows}  # noqa: E731
    assert by_id(state["incidents"]) == by_id(end["incidents"])
    assert by_id(state["units"]) == by_id(end["units"])
    assert end["alerts"] and by_id(state["alerts"]) == by_id(end["alerts"])
    assert any(a["state"] == "acknowledged" for a in end["alerts"])


def test_events_applied_twice_change_nothing(app, world, session):
    """A reconnect may send again what the snapshot holds: applying the same events again over the
    end state leaves it as it is."""
    start = snapshot_now(app, world.users["sup"])
    busy_shift(world, session)
    events = world.events(after=start["last_event_id"])
    once = applied(start, events)
    twice = applied(snapshot_now(app, world.users["sup"]), events)
    by_id = lambda rows: {row["id"]: row for row in rows}  # noqa: E731
    assert by_id(once["incidents"]) == by_id(twice["incidents"])
    assert by_id(once["units"]) == by_id(twice["units"])
    assert by_id(once["alerts"]) == by_id(twice["alerts"])
