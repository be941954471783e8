"""Alerts: each timer raises its alert once, when its cause runs past the limit; an operator
acknowledges it; it resolves itself when the cause ends (core/alerts.py, GET /api/alerts,
POST /api/alerts/<id>/ack)."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dispatch.core import alerts, assignment, hospitals, settings
from dispatch.core.clock import shifted, utcnow
from dispatch.core.visibility import CrewView
from dispatch.database import insert_once
from dispatch.models import Alert, Event
from dispatch.vocabulary import TIMER_DEFAULTS


def sweep(world, after=None):
    """One pass of the alerts job, ``after`` (a timedelta) from now; the alerts live after it."""
    scheduler = world.app.extensions["psc_scheduler"]
    if after is None:
        scheduler.run_once("alerts")
    else:
        with shifted(after):
            scheduler.run_once("alerts")
    return world.get("op", "/api/alerts").get_json()["items"]


def of_kind(items, kind):
    return [a for a in items if a["kind"] == kind]


def alert_events(world, kind=None):
    return [e for e in world.events() if e["type"].startswith("alert.") and (kind is None or e["type"] == kind)]


def test_a_p1_waiting_past_its_minute_raises_one_urgent_alert_that_resolves_when_a_unit_is_sent(world):
    incident = world.new_incident(priority="P1")
    assert of_kind(sweep(world, timedelta(seconds=50)), "incident_waiting") == []     # not yet
    raised = of_kind(sweep(world, timedelta(seconds=61)), "incident_waiting")
    assert len(raised) == 1
    alert = raised[0]
    assert (alert["incident_id"], alert["incident_reference"], alert["priority"]) == (
        incident["id"], incident["reference"], "P1")
    assert alert["urgent"] is True and alert["state"] == "open" and alert["limit_s"] == 60
    assert alert["kind_label"] == {"id": "Menunggu ambulans", "en": "Waiting for a unit"}
    assert of_kind(sweep(world, timedelta(seconds=90)), "incident_waiting") == raised    # once, not again
    assert len(alert_events(world, "alert.raised")) == 1
    world.assign(incident["id"], world.unit_a.id)
    assert of_kind(sweep(world), "incident_waiting") == []
    [resolved] = alert_events(world, "alert.resolved")
    assert resolved["actor"] is None and resolved["data"]["alert"]["state"] == "resolved"
    assert resolved["incident_id"] == incident["id"]
    history = world.get("op", "/api/alerts?state=resolved").get_json()["items"]
    assert [a["id"] for a in history] == [alert["id"]] and history[0]["resolved_at"] is not None


def test_each_priority_has_its_own_limit_and_only_p1_sounds(world):
    p2, p3 = world.new_incident(priority="P2"), world.new_incident(priority="P3")
    live = of_kind(sweep(world, timedelta(seconds=200)), "incident_waiting")
    assert [a["incident_id"] for a in live] == [p2["id"]] and live[0]["urgent"] is False
    live = of_kind(sweep(world, timedelta(seconds=601)), "incident_waiting")
    assert sorted(a["incident_id"] for a in live) == sorted([p2["id"], p3["id"]])


def test_a_wait_begins_again_when_its_last_unit_is_taken_off(world):
    incident = world.new_incident(priority="P1")
    sent = world.assign(incident["id"], world.unit_a.id).get_json()["assignments"][0]["id"]
    with shifted(timedelta(minutes=10)):
        world.post("op", f"/api/incidents/{incident['id']}/assignments/{sent}/cancel", {"reason": "dialihkan"})
    # Ten minutes after the call, but only 30 s since the unit was taken off: not yet.
    assert of_kind(sweep(world, timedelta(minutes=10, seconds=30)), "incident_waiting") == []
    [alert] = of_kind(sweep(world, timedelta(minutes=11, seconds=5)), "incident_waiting")
    assert alert["since"] > incident["created_at"]


def test_a_crew_that_does_not_accept_or_leave_raises_alerts_that_resolve_as_it_does(world, session):
    incident = world.new_incident(priority="P1")
    aid = world.assign(incident["id"], world.unit_a.id).get_json()["assignments"][0]["id"]
    live = sweep(world, timedelta(seconds=61))
    [unaccepted] = of_kind(live, "assignment_unaccepted")
    assert (unaccepted["assignment_id"], unaccepted["unit_id"], unaccepted["call_sign"]) == (aid, world.unit_a.id,
                                                                                             "PSC-01")
    assert unaccepted["urgent"] is True and of_kind(live, "unit_not_moving") == []
    assignment.accept_assignment(session, actor=world.users["crew_a"], assignment_id=aid)   # the phone's accept
    live = sweep(world, timedelta(seconds=121))
    assert of_kind(live, "assignment_unaccepted") == []
    [not_moving] = of_kind(live, "unit_not_moving")
    assert not_moving["limit_s"] == 120
    world.status(world.unit_a.id, "en_route")
    assert of_kind(sweep(world, timedelta(seconds=125)), "unit_not_moving") == []


def test_long_on_scene_and_held_at_the_hospital_door(world):
    incident = world.new_incident(priority="P2")
    world.assign(incident["id"], world.unit_a.id)
    world.status(world.unit_a.id, "en_route")
    world.status(world.unit_a.id, "on_scene")
    assert of_kind(sweep(world, timedelta(minutes=29)), "on_scene_long") == []
    [long_on_scene] = of_kind(sweep(world, timedelta(minutes=31)), "on_scene_long")
    assert long_on_scene["urgent"] is False
    world.status(world.unit_a.id, "transporting", hospital_id=world.hospital.id)
    world.status(world.unit_a.id, "at_hospital")
    live = sweep(world, timedelta(minutes=21))
    assert of_kind(live, "on_scene_long") == []
    [held] = of_kind(live, "at_hospital_long")
    assert held["limit_s"] == 1200 and held["unit_id"] == world.unit_a.id
    world.status(world.unit_a.id, "available")
    assert of_kind(sweep(world, timedelta(minutes=22)), "at_hospital_long") == []


def test_a_unit_on_a_job_without_a_fix_for_five_minutes(world):
    incident = world.new_incident(priority="P2")
    world.assign(incident["id"], world.unit_a.id)
    [silent] = of_kind(sweep(world, timedelta(minutes=5, seconds=5)), "position_missing")
    assert silent["unit_id"] == world.unit_a.id
    with shifted(timedelta(minutes=6)):
        fix = {"lat": -0.03, "lon": 109.34, "recorded_at": utcnow().isoformat()}
        assert world.post("crew_a", f"/api/units/{world.unit_a.id}/location", fix).status_code == 200
    assert of_kind(sweep(world, timedelta(minutes=7)), "position_missing") == []      # a fix: resolved
    # Silent again for five minutes after that fix: a new alert (a new cause).
    [again] = of_kind(sweep(world, timedelta(minutes=11, seconds=5)), "position_missing")
    assert again["id"] != silent["id"]


def test_a_dropped_call_not_called_back_and_stale_beds(world, session):
    dropped = world.post("op", "/api/calls", {"caller_phone": "0812-5600-001", "disposition": "dropped"}).get_json()
    live = sweep(world, timedelta(minutes=2, seconds=5))
    [callback] = of_kind(live, "callback_overdue")
    assert (callback["call_id"], callback["caller_phone"]) == (dropped["call"]["id"], "+628125600001")
    assert world.post("op", f"/api/calls/{dropped['call']['id']}/callbacks", {"outcome": "no_answer"}).status_code == 201
    assert of_kind(sweep(world, timedelta(minutes=3)), "callback_overdue") == []      # it was tried
    [beds] = of_kind(sweep(world, timedelta(hours=12, minutes=1)), "hospital_beds_stale")
    assert beds["hospital_name"] == "RSUD dr. Soedarso"
    with shifted(timedelta(hours=12, minutes=2)):      # (the test's tokens have expired by then)
        hospitals.update_hospital(session, actor=world.users["sup"], hospital_id=world.hospital.id,
                                  changes={"beds_available": 4})
    assert of_kind(sweep(world, timedelta(hours=12, minutes=3)), "hospital_beds_stale") == []


def test_an_acknowledged_alert_stays_acknowledged_then_resolves(world):
    incident = world.new_incident(priority="P1")
    [alert] = of_kind(sweep(world, timedelta(seconds=61)), "incident_waiting")
    r = world.post("op", f"/api/alerts/{alert['id']}/ack", {"note": "semua unit sibuk, menunggu PSC-02"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["state"] == "acknowledged" and body["acknowledged_by"] == "op"
    assert body["note"] == "semua unit sibuk, menunggu PSC-02" and body["acknowledged_at"] is not None
    [acked] = alert_events(world, "alert.acknowledged")
    assert acked["actor"]["username"] == "op" and acked["data"]["alert"]["note"] == body["note"]
    for later in (90, 300, 600):                     # swept again and again: still acknowledged, raised once
        [still] = of_kind(sweep(world, timedelta(seconds=later)), "incident_waiting")
        assert still["state"] == "acknowledged"
    assert len(alert_events(world, "alert.raised")) == 1
    assert world.get("op", "/api/alerts?state=acknowledged").get_json()["items"][0]["id"] == alert["id"]
    assert world.get("op", "/api/alerts?state=open").get_json()["items"] == []
    world.assign(incident["id"], world.unit_b.id)
    sweep(world)
    [resolved] = world.get("op", "/api/alerts?state=resolved").get_json()["items"]
    assert resolved["id"] == alert["id"] and resolved["acknowledged_by"] == "op"


def test_acknowledging_twice_or_a_resolved_alert_is_refused_and_changes_nothing(world, session):
    incident = world.new_incident(priority="P1")
    [alert] = of_kind(sweep(world, timedelta(seconds=61)), "incident_waiting")
    assert world.post("op", f"/api/alerts/{alert['id']}/ack", {}).status_code == 200
    events_before = session.scalar(select(func.count()).select_from(Event))
    r = world.post("sup", f"/api/alerts/{alert['id']}/ack", {"note": "saya juga"})
    assert r.status_code == 409 and r.get_json()["error"]["details"]["state"] == "acknowledged"
    assert r.get_json()["error"]["code"] == "alert_not_open"
    assert "acknowledged already (by op)" in r.get_json()["error"]["message"]
    world.assign(incident["id"], world.unit_a.id)
    sweep(world)
    events_before = session.scalar(select(func.count()).select_from(Event))
    r = world.post("op", f"/api/alerts/{alert['id']}/ack", {})
    assert r.status_code == 409 and r.get_json()["error"]["details"]["state"] == "resolved"
    assert session.scalar(select(func.count()).select_from(Event)) == events_before
    stored = session.get(Alert, alert["id"])
    session.refresh(stored)
    assert stored.note is None and stored.acknowledged_by_id == world.users["op"].id
    assert world.post("op", "/api/alerts/999999/ack", {}).status_code == 404


@pytest.mark.parametrize("query, field", [("state=closed", "state"), ("limit=0", "limit"), ("limit=5000", "limit"),
                                          ("incident_id=0", "incident_id")])
def test_a_bad_alert_query_names_its_field(world, query, field):
    r = world.get("op", f"/api/alerts?{query}")
    assert r.status_code == 422 and field in r.get_json()["error"]["fields"]


def test_a_note_too_long_is_refused(world):
    world.new_incident(priority="P1")
    [alert] = of_kind(sweep(world, timedelta(seconds=61)), "incident_waiting")
    r = world.post("op", f"/api/alerts/{alert['id']}/ack", {"note": "x" * 501})
    assert r.status_code == 422 and "note" in r.get_json()["error"]["fields"]
    assert world.get("op", "/api/alerts?state=open").get_json()["items"][0]["id"] == alert["id"]


def test_the_timers_a_supervisor_set_are_the_ones_that_fire(world):
    r = world.call("sup", "PUT", "/api/settings/timers", json={"waiting_s": {"P1": 120}})
    assert r.status_code == 200
    world.new_incident(priority="P1")
    assert of_kind(sweep(world, timedelta(seconds=90)), "incident_waiting") == []
    [alert] = of_kind(sweep(world, timedelta(seconds=121)), "incident_waiting")
    assert alert["limit_s"] == 120


def test_a_cause_raises_its_alert_once_however_many_sweep(world, session):
    """Two processes sweeping at once: the alert's key is unique, and the second insert of the same
    cause inserts nothing (INSERT ... ON CONFLICT DO NOTHING)."""
    world.new_incident(priority="P1")
    timers = settings.value(session, "timers", defaults=TIMER_DEFAULTS)
    [cause] = [c for c in alerts.causes(session, timers=timers).values() if c.kind == "incident_waiting"]
    session.rollback()
    values = {"kind": cause.kind, "key": cause.key, "state": "open", "urgent": True, "incident_id": cause.incident_id,
              "since": cause.since, "limit_s": 60, "raised_at": utcnow()}
    first = insert_once(session, Alert.__table__, values, "key")
    second = insert_once(session, Alert.__table__, values, "key")
    session.commit()
    assert first is not None and second is None
    with shifted(timedelta(seconds=61)):
        raised, _ = alerts.sweep(session, timers=timers)
    assert raised == []                              # its cause has an alert already
    assert session.scalar(select(func.count()).select_from(Alert)) == 1


def test_the_snapshot_carries_the_live_alerts_and_a_crew_sees_none(world, session):
    from dispatch.core.snapshot import snapshot

    incident = world.new_incident(priority="P1")
    world.post("op", "/api/calls", {"caller_phone": "0812-5600-002", "disposition": "silent"})
    sweep(world, timedelta(minutes=3))
    state = snapshot(session, user=world.users["op"])
    kinds = [a["kind"] for a in state["alerts"]]
    assert kinds[0] == "incident_waiting" and "callback_overdue" in kinds     # the urgent first
    world.assign(incident["id"], world.unit_a.id)
    assert snapshot(session, user=world.users["crew_a"])["alerts"] == []
    # Alert events about the crew's own unit never reach it.
    view = CrewView(unit_id=world.unit_a.id)
    sweep(world, timedelta(minutes=3))
    for event in world.events():
        if event["type"].startswith("alert.") or event["type"] == "incident.unit_offered":
            assert view.admits(event) is False


def test_alert_events_name_what_they_are_about(world):
    world.new_incident(priority="P1")
    sweep(world, timedelta(seconds=61))
    [raised] = alert_events(world, "alert.raised")
    alert = raised["data"]["alert"]
    assert raised["incident_id"] == alert["incident_id"] and raised["actor"] is None
    assert set(alert) >= {"id", "kind", "state", "urgent", "since", "limit_s", "raised_at", "incident_reference"}
